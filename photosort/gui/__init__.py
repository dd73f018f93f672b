"""The photosort window: the only package that imports PySide6.

A thin layer over the core: panels call the catalog for quick things and run everything slow
(reading photos, training, scoring, sorting, watching) in worker threads (``workers.py``)
that report back through Qt signals, so the window never freezes.
"""
