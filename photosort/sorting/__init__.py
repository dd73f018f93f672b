"""Sorting a camera roll into category folders: choose folders from scores (pure), verified
and journaled copies, resume after a crash, undo, history.

Modules: ``sort`` (the sort itself), ``copying`` (the one journaled copy path), ``files`` (safe
file operations), ``journal`` (runs, locks, recovery), ``states`` (the journal's words), ``undo``
(undo and history), ``review`` (what a category received; corrections).
"""

from photosort.sorting.files import CopyError
from photosort.sorting.copying import journaled_copy
from photosort.sorting.journal import recover
from photosort.sorting.review import Correction, correct, received
from photosort.sorting.sort import SortRun, choose_folders, sort_folder, sort_paths
from photosort.sorting.summary import Placement, SortSummary
from photosort.sorting.undo import RunInfo, UndoSummary, history, last_undoable_run, undo_run

__all__ = [
    "CopyError",
    "Correction",
    "Placement",
    "RunInfo",
    "SortRun",
    "SortSummary",
    "UndoSummary",
    "choose_folders",
    "correct",
    "history",
    "journaled_copy",
    "last_undoable_run",
    "received",
    "recover",
    "sort_folder",
    "sort_paths",
    "undo_run",
]
