"""The bundled app's entry script: photosort.gui.app:main, as the ``photosort-gui`` gui-script.

freeze_support() comes first: in a frozen app, training's child processes start through this
same executable and must not open a window.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from photosort.gui.app import main

    sys.exit(main())
