"""A guard against a reference-count bug in the Qt binding: ``None``, ``True`` and ``False``
made immortal on Pythons where they are not.

Why: PySide6-Essentials 6.12.0 (an abi3 wheel) returns ``None`` from every void method, and
``True`` from ``Signal.emit``, without taking a reference, as if these singletons were
immortal, which they are only from Python 3.12 on. On 3.11 each such call takes one
reference from ``None`` that Python then gives back: a window doing ~40 painter calls per
repaint exhausts ``None``'s few thousand references within seconds of training (the loss plot
repaints at every epoch) and Python aborts with "Fatal Python error: none_dealloc". No change
in photosort's own code avoids void calls, so the fix is to do what Python 3.12 does: give
the three singletons a reference count no process can spend.

Applied only when a probe shows the leak (CPython before 3.12), so a fixed binding or a
newer Python is left alone.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

PROBE_CALLS = 64
BIAS = 1 << 40  # references added: 10^12 leaked calls before anything could go wrong again
_applied = False


def leaks_none() -> bool:
    """True if a void call of the binding leaves ``None`` with one reference fewer."""
    from PySide6.QtCore import QPointF

    point = QPointF()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        point.setX(0.0)  # void: returns None, which the loop then drops
    return before - sys.getrefcount(None) >= PROBE_CALLS


def _refcount_cell(obj: object) -> ctypes.c_ssize_t | None:
    """The object's ob_refcnt field, if this is a CPython build whose layout we know."""
    if sys.implementation.name != "cpython" or hasattr(sys, "getobjects"):  # Py_TRACE_REFS
        return None
    cell = ctypes.c_ssize_t.from_address(id(obj))
    # sanity check: getrefcount counts its own argument too
    return cell if cell.value == sys.getrefcount(obj) - 1 else None


def protect_singletons() -> bool:
    """Make None, True and False effectively immortal if the binding leaks them; True if done."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or not leaks_none():
        return False
    cells = [_refcount_cell(obj) for obj in (None, True, False)]
    if any(cell is None for cell in cells):
        log.warning("The Qt binding leaks references to None; this Python's layout is unknown, "
                    "so the window may crash after a while. Use Python 3.12 or another PySide6.")
        return False
    for cell in cells:
        cell.value += BIAS
    _applied = True
    return True
