"""The ``photosort`` command line: thin commands over the core.

Each command module exposes ``register(subparsers)``, adding its sub-commands with
``set_defaults(func=...)``; a command function takes ``(args, catalog_factory)`` and returns an
exit code. Only argparse and photosort's light modules are imported at start-up; TensorFlow
is loaded by the commands that need it, so ``photosort --help`` answers at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from photosort import __version__
from photosort.errors import Cancelled, PhotosortError

EXIT_OK = 0
EXIT_ERROR = 1  # a user error: one clear line on stderr
EXIT_CANCELLED = 130


def build_parser() -> argparse.ArgumentParser:
    from photosort.cli import (
        experiment_cmds, library_cmds, people_cmds, review_cmds, sort_cmds, starter_cmds, teach_cmds,
        train_cmds,
    )

    parser = argparse.ArgumentParser(
        prog="photosort",
        description="Teach photosort your photo categories from examples, then let it sort your camera roll.",
    )
    parser.add_argument("--version", action="version", version=f"photosort {__version__}")
    parser.add_argument(
        "--library",
        metavar="DIR",
        type=Path,
        help="library folder (catalog and models); default: the one in your user data folder",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    library_cmds.register(sub)
    train_cmds.register(sub)
    sort_cmds.register(sub)
    review_cmds.register(sub)
    starter_cmds.register(sub)
    teach_cmds.register(sub)
    experiment_cmds.register(sub)
    people_cmds.register(sub)
    gui = sub.add_parser("gui", help="open the photosort window")
    gui.set_defaults(func=_run_gui)
    return parser


def _run_gui(args, open_catalog) -> int:
    from photosort.gui.app import main as gui_main  # Qt only when asked for

    argv = ["photosort-gui"] + (["--library", str(args.library)] if args.library else [])
    return gui_main(argv)


def _tolerant_streams() -> None:
    """File names need not be valid UTF-8: print them rather than die (UnicodeEncodeError) on
    one. With a UTF-8 terminal the original bytes go out as they are; elsewhere as escapes."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            utf8 = (getattr(stream, "encoding", "") or "").lower().replace("-", "") == "utf8"
            stream.reconfigure(errors="surrogateescape" if utf8 else "backslashreplace")


def main(argv: list[str] | None = None) -> int:
    _tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
    )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out

    def open_catalog():
        from photosort.catalog import Catalog
        from photosort.config import Settings

        return Catalog(args.library or Settings.load().library_dir())

    try:
        return args.func(args, open_catalog)
    except Cancelled:
        print("photosort: cancelled.", file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        print("\nphotosort: interrupted.", file=sys.stderr)
        return EXIT_CANCELLED
    except PhotosortError as exc:
        print(f"photosort: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
