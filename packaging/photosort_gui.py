"""The bundle's entry script: one executable for the window and the command line.

- ``photosort`` with no arguments, or started as ``photosort-gui`` (the launcher's name, a
  link to the same file), opens the window: photosort.gui.app:main, as the ``photosort-gui``
  gui-script does;
- ``photosort COMMAND ...`` (``--help``, ``import``, ``train``, ``sort``, ``gui``...) is the
  ``photosort`` command line, photosort.cli:main, which loads no Qt.

freeze_support() comes first: in a frozen app, training's child processes start through this
same executable (with multiprocessing's own arguments) and must not open a window.
"""

import multiprocessing
import os
import sys


def _wants_window(argv: list[str]) -> bool:
    started_as = os.path.basename(argv[0]).lower()
    return started_as.startswith("photosort-gui") or len(argv) == 1


def run(argv: list[str]) -> int:
    if _wants_window(argv):
        from photosort.gui.app import main  # Qt only for the window: --help answers at once

        return main(argv)
    from photosort.cli import main as cli_main

    return cli_main(argv[1:])


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(run(sys.argv))
