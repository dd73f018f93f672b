"""The photosort window: the only package that imports PySide6.

A thin layer over the core: panels call the catalog for quick things and run everything slow
(reading photos, training, scoring, sorting, watching) in worker threads (``workers.py``)
that report back through Qt signals, so the window never freezes.
"""

from photosort.gui.qt_refcounts import protect_singletons

protect_singletons()  # before any window: PySide6 6.12 on Python 3.11 leaks None (see the module)
