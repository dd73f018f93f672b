"""Finding faces (YuNet) and describing them (SFace) in an RGB photo.

OpenCV's DNN objects are not thread-safe, and YuNet keeps the input size as state, so each
thread gets its own FaceEngine (``engine()``); an engine must not be shared across threads.
Detection runs on a reduced copy (longest side 640 by default: faces big enough to matter
in a camera-roll photo survive, and it takes tens of milliseconds); boxes and landmarks are
mapped back to the full-size frame, where the embedder cuts its aligned 112×112 crop.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np

from photosort.faces import models
from photosort.faces.records import Face, PhotoFaces

# Measured on the shared photos: at YuNet's customary 0.9 two thirds of COCO portraits'
# faces are missed; at 0.5 most are found while forests and streets stay empty.
DEFAULT_THRESHOLD = 0.5
DEFAULT_MAX_SIDE = 640
# Blurring a copy to share: a missed face is a leak, a blurred patch of leaves is not.
RECALL_THRESHOLD = 0.3
RECALL_MAX_SIDE = 1280
# SFace costs tens of ms of CPU per face: group photos embed only their larger faces, and a
# face under 24 px (upscaled to SFace's 112 px) says too little about who it is anyway.
MAX_EMBEDDED = 8
MIN_EMBED_SIDE = 24
_NMS_THRESHOLD = 0.3
_TOP_K = 5000


class FaceEngine:
    """One thread's detector and embedder, built from checked model files."""

    def __init__(self, detector_path: str | Path | None = None, embedder_path: str | Path | None = None):
        # photosort already runs one reading thread per core: OpenCV's own pool on top of them
        # only adds spinning and switching (setNumThreads is process-wide in OpenCV).
        cv2.setNumThreads(1)
        det = models.verified(models.DETECTOR, detector_path)
        emb = models.verified(models.EMBEDDER, embedder_path)
        try:
            self._detector = cv2.FaceDetectorYN.create(
                str(det), "", (320, 320), DEFAULT_THRESHOLD, _NMS_THRESHOLD, _TOP_K
            )
            self._embedder = cv2.FaceRecognizerSF.create(str(emb), "")
        except cv2.error as err:  # e.g. an OpenCV too old for the quantised files
            raise models.FaceModelUnavailable(
                f"OpenCV {cv2.__version__} cannot load the face models "
                f"(opencv-python-headless>=4.11 is needed): {str(err).strip().splitlines()[-1]}"
            ) from None

    def detect(
        self,
        rgb: np.ndarray,
        threshold: float = DEFAULT_THRESHOLD,
        max_side: int = DEFAULT_MAX_SIDE,
        embed: bool = True,
    ) -> PhotoFaces:
        """The faces in an (H, W, 3) uint8 RGB array, best score first. With ``embed``, the
        MAX_EMBEDDED largest faces of at least MIN_EMBED_SIDE px get an embedding."""
        height, width = rgb.shape[:2]
        scale = min(1.0, max_side / max(height, width))
        small = rgb
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
        self._detector.setInputSize((bgr.shape[1], bgr.shape[0]))
        self._detector.setScoreThreshold(float(threshold))
        _, found = self._detector.detect(bgr)
        if found is None:
            return PhotoFaces(width, height)
        rows = found.astype(np.float32)
        # Back to full-size coordinates: the sizes were rounded, so scale each axis exactly.
        sx, sy = width / bgr.shape[1], height / bgr.shape[0]
        rows[:, 0:14:2] *= sx
        rows[:, 1:14:2] *= sy
        rows = rows[np.argsort(-rows[:, 14], kind="stable")]
        wanted = set()
        if embed:
            by_size = np.argsort(-rows[:, 2] * rows[:, 3], kind="stable")[:MAX_EMBEDDED]
            wanted = {int(i) for i in by_size if min(rows[i, 2], rows[i, 3]) >= MIN_EMBED_SIDE}
        faces = tuple(
            Face(
                tuple(float(v) for v in row[:4]),
                tuple((float(row[4 + 2 * i]), float(row[5 + 2 * i])) for i in range(5)),
                float(row[14]),
                self._embed(rgb, row) if i in wanted else None,
            )
            for i, row in enumerate(rows)
        )
        return PhotoFaces(width, height, faces)

    def embed(self, rgb: np.ndarray, face: Face) -> np.ndarray:
        """The L2-normalised embedding of a face found in this same full-size frame."""
        row = np.array([*face.box, *np.ravel(face.landmarks), face.score], dtype=np.float32)
        return self._embed(rgb, row)

    def _embed(self, rgb: np.ndarray, row: np.ndarray) -> np.ndarray:
        # The crop is a warp, blind to channel order: align on RGB, swap the 112×112 result
        # (cheaper than converting a 12-MP frame to BGR).
        aligned = self._embedder.alignCrop(rgb, row.reshape(1, -1))
        feature = self._embedder.feature(np.ascontiguousarray(aligned[:, :, ::-1]))
        vec = feature.reshape(-1).astype(np.float32)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm > 0 else vec


_local = threading.local()


def engine() -> FaceEngine:
    """This thread's engine with the installed models (built on first use)."""
    eng = getattr(_local, "engine", None)
    if eng is None:
        eng = _local.engine = FaceEngine()
    return eng


def detect_faces(
    rgb: np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
    max_side: int = DEFAULT_MAX_SIDE,
    embed: bool = True,
) -> PhotoFaces:
    """Faces with embeddings, for person scores and face features (this thread's engine)."""
    return engine().detect(rgb, threshold, max_side, embed)


def detect_for_blurring(rgb: np.ndarray) -> PhotoFaces:
    """Recall-oriented boxes only: a lower threshold on a larger image."""
    return engine().detect(rgb, RECALL_THRESHOLD, RECALL_MAX_SIDE, embed=False)
