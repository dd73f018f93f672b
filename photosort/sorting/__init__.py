"""Sorting a camera roll into category folders: choose folders from scores (pure), verified
and journaled copies, resume after a crash, undo, history.

Modules: ``sort`` (the sort itself), ``files`` (safe file operations), ``journal`` (runs, locks,
recovery), ``undo`` (undo and history).
"""

from photosort.sorting.files import CopyError
from photosort.sorting.journal import recover
from photosort.sorting.sort import Placement, SortRun, SortSummary, choose_folders, sort_folder, sort_paths
from photosort.sorting.undo import RunInfo, UndoSummary, history, last_undoable_run, undo_run

__all__ = [
    "CopyError",
    "Placement",
    "RunInfo",
    "SortRun",
    "SortSummary",
    "UndoSummary",
    "choose_folders",
    "history",
    "last_undoable_run",
    "recover",
    "sort_folder",
    "sort_paths",
    "undo_run",
]
