"""Errors a person can act on.

Every exception here carries a one-line message written for the user; the CLI prints it
without a traceback and the GUI shows it in a message box.
"""

from __future__ import annotations

from pathlib import Path


class PhotosortError(Exception):
    """Base class: str(error) is a complete, user-facing sentence."""


class ImageError(PhotosortError):
    """A file could not be read as a photo (corrupt, truncated, empty, not an image, ...)."""

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class NotEnoughExamples(PhotosortError):
    """A category has too few labelled photos to train on."""


class NoModelError(PhotosortError):
    """An action needs a trained sorter and there is none yet."""


class BackboneUnavailable(PhotosortError):
    """A backbone's weights are not installed or cannot be downloaded."""


class CategoryError(PhotosortError):
    """An unknown, duplicate or otherwise unusable category."""


class DatasetError(PhotosortError):
    """A dataset folder or CSV that cannot be read."""


class Cancelled(PhotosortError):
    """Long work stopped because should_stop() returned True."""

    def __init__(self, message: str = "Cancelled."):
        super().__init__(message)
