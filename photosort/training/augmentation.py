"""Augmented views of a photo for training: rotation, flip, brightness/contrast and zoom.

Each view is drawn from a generator seeded by (the photo's seed, the view number), so a view is
the same every time and its backbone embedding can be cached in the catalog. Training is the
only user.
"""

from __future__ import annotations

import cv2
import numpy as np


def augment(rgb: np.ndarray, view: int, seed: int = 0) -> np.ndarray:
    """A deterministic augmented view of a (size, size, 3) uint8 image: view 0 returns the
    image unchanged; view k > 0 applies a random rotation (±15°), horizontal flip,
    brightness/contrast change (±20%) and zoom (1.0–1.25) drawn from a generator seeded by
    (seed, k), so a view is the same every time and its backbone embedding can be cached.
    Callers pass a per-photo seed (from its content hash) so photos get different views."""
    if view == 0:
        return rgb.copy()  # a copy, so a caller normalising in place can't touch the cached load
    rng = np.random.default_rng([seed, view])
    # Draw every parameter in a fixed order: changing it would change every cached view.
    angle = rng.uniform(-15.0, 15.0)
    zoom = rng.uniform(1.0, 1.25)
    shift = rng.uniform(-1.0, 1.0, size=2)
    flip = rng.random() < 0.5
    brightness = rng.uniform(0.8, 1.2)
    contrast = rng.uniform(0.8, 1.2)

    height, width = rgb.shape[:2]
    matrix = _zoom_rotate_matrix(width, height, angle, zoom, shift)
    if flip:  # mirror the output: x -> width - 1 - x
        matrix[0] = -matrix[0]
        matrix[0, 2] += width - 1
    warped = cv2.warpAffine(
        np.ascontiguousarray(rgb), matrix, (width, height),
        flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101,
    )
    return _brightness_contrast(warped, brightness, contrast)


# --- augmentation helpers ---------------------------------------------------------------


def _zoom_rotate_matrix(
    width: int, height: int, angle: float, zoom: float, shift: np.ndarray
) -> np.ndarray:
    """Affine map that zooms and rotates about a random centre and puts that centre in the
    middle of the output. The centre stays far enough inside that the zoomed view itself
    never leaves the frame; only rotation corners need the reflected border."""
    middle = np.array([(width - 1) / 2, (height - 1) / 2])
    centre = middle + shift * np.array([width, height]) / 2 * (1 - 1 / zoom)
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, zoom)
    matrix[:, 2] += middle - centre
    return matrix


def _brightness_contrast(rgb: np.ndarray, brightness: float, contrast: float) -> np.ndarray:
    """Scale brightness, then stretch contrast about the mean grey, through a 256-entry table
    (one pass over the pixels, no float image)."""
    mean = float(rgb.mean()) * brightness
    values = np.arange(256, dtype=np.float32) * (brightness * contrast) + mean * (1 - contrast)
    table = np.clip(np.rint(values), 0, 255).astype(np.uint8)
    return cv2.LUT(rgb, table)
