"""Decoded photos and their augmented views, kept in memory for one input size at a time.

"basic" views are training's own (``training.augmentation.augment``: rotation, flip,
brightness/contrast, zoom), so an experiment measures what the library does; "full" adds a
hue/saturation shift and a blur, drawn from a separate generator.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

from photosort import images
from photosort.training.augmentation import augment

OVERSAMPLE_VIEW = 1000  # oversampling copies use views from here, never a training view


def view_of(rgb: np.ndarray, view: int, seed: int, aug: str) -> np.ndarray:
    """The photo itself (view 0) or a deterministic augmented view."""
    if view == 0 or aug == "none":
        return rgb.copy()
    out = augment(rgb, view, seed)
    if aug == "full":
        out = _hue_saturation_blur(out, np.random.default_rng([seed, view, 7]))
    return out


def _hue_saturation_blur(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    hue = rng.uniform(-8, 8)  # OpenCV hue runs 0..180: about ±16°
    saturation = rng.uniform(0.75, 1.25)
    sigma = rng.uniform(0.0, 1.2)
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + hue) % 180
    hsv[..., 1] = np.clip(hsv[..., 1] * saturation, 0, 255)
    out = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)
    return cv2.GaussianBlur(out, (0, 0), sigma) if sigma > 0.3 else out


class PixelStore:
    """uint8 (S, S, 3) pixels of the experiment's photos at one size; a new size drops the old."""

    def __init__(self, paths, hashes):
        self.paths, self.hashes = list(paths), list(hashes)
        self._size: int | None = None
        self._pixels: dict[int, np.ndarray] = {}

    def seed(self, row: int) -> int:
        return int(self.hashes[row][:8], 16)  # as training seeds its views

    def get(self, rows, size: int) -> list[np.ndarray]:
        if size != self._size:
            self._size, self._pixels = size, {}
        wanted = [r for r in dict.fromkeys(int(r) for r in rows) if r not in self._pixels]
        if wanted:
            with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
                for row, rgb in zip(wanted, pool.map(lambda r: images.load_rgb(self.paths[r], size), wanted)):
                    self._pixels[row] = rgb
        return [self._pixels[int(r)] for r in rows]

    def views(self, rows, size: int, view: int, aug: str) -> np.ndarray:
        """(len(rows), S, S, 3) uint8: the given view of each photo."""
        pix = self.get(rows, size)
        return np.stack([view_of(p, view, self.seed(r), aug) for r, p in zip(rows, pix)])
