"""Test set-up shared by every test file.

Like labelme's: Qt runs offscreen and QSettings goes to a temporary folder, so tests never
touch a real screen or a person's settings. ``QT_QPA_PLATFORM=xcb python -m pytest tests/gui``
runs the window's tests once more on a real X server instead: pytest-xvfb starts Xvfb for the
session (``.ci/run`` does both). photosort's own data, cache and config dirs are
pointed at temporary folders too. The backbone cache is shared by the whole session so the
weights are converted once per run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from helpers.photos import TRAIN_CATEGORIES, TRAIN_PER_CATEGORY, scene_photos

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_SESSION_TMP = Path(tempfile.mkdtemp(prefix="photosort-tests-"))
# Respect a cache dir set from outside (CI may point it somewhere that survives a run).
os.environ.setdefault("PHOTOSORT_CACHE_DIR", str(_SESSION_TMP / "cache"))
os.environ["PHOTOSORT_DATA_DIR"] = str(_SESSION_TMP / "data")
os.environ["PHOTOSORT_CONFIG_DIR"] = str(_SESSION_TMP / "config")
os.environ["XDG_CONFIG_HOME"] = str(_SESSION_TMP / "xdg-config")  # QSettings on Linux

REPO = Path(__file__).resolve().parents[1]
QT_PLATFORM = os.environ["QT_QPA_PLATFORM"]
SHARED = Path(os.environ.get("PHOTOSORT_SHARED", REPO.parent / "shared"))


def pytest_report_header(config) -> str:
    return f"Qt platform: {QT_PLATFORM}" + (f" on DISPLAY {os.environ.get('DISPLAY')}" if QT_PLATFORM == "xcb" else "")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "datasets").is_dir():
        pytest.skip(f"shared photos not found at {SHARED} (set PHOTOSORT_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def datasets_dir(shared_dir) -> Path:
    return shared_dir / "datasets"


@pytest.fixture(scope="session")
def reference_dir(shared_dir) -> Path:
    return shared_dir / "reference"


@pytest.fixture
def library_dir(tmp_path) -> Path:
    """A fresh, empty library folder."""
    return tmp_path / "library"


@pytest.fixture
def catalog(library_dir):
    """A fresh, empty library's catalog (test files about a trained library override this)."""
    from photosort.catalog import Catalog

    with Catalog(library_dir) as cat:
        yield cat


@pytest.fixture
def sea_photos(datasets_dir):
    """Six real sea photos from the shared scenes."""
    return sorted((datasets_dir / "scenes" / "sea").glob("*.jpg"))[:6]


@pytest.fixture(autouse=True)
def _qsettings_in_tmp(tmp_path, monkeypatch):
    """Point QSettings at a temp dir when Qt is in use, without importing Qt otherwise."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    yield


# -- a small real trained library, shared --------------------------------------------------



@pytest.fixture(scope="session")
def trained_library_template(datasets_dir, tmp_path_factory) -> Path:
    """A library with three scene categories × 15 real photos, trained once per test session
    with the real EfficientNet-Lite0 backbone. Copy it (``trained_library``) before changing it."""
    from photosort.catalog import Catalog
    from photosort.registration import register_photos
    from photosort.training import train

    root = tmp_path_factory.mktemp("trained")
    library = root / "library"
    with Catalog(library) as catalog:
        for name in TRAIN_CATEGORIES:
            catalog.add_category(name, root / "sorted" / name)
            records, _ = register_photos(catalog, scene_photos(datasets_dir, name, 0, TRAIN_PER_CATEGORY))
            catalog.label(name, [r.id for r in records])
        train(catalog, seed=0)
    return library


@pytest.fixture
def trained_library(trained_library_template, tmp_path) -> Path:
    """A private copy of the trained library (its category folders point into tmp_path)."""
    import shutil

    from photosort.catalog import Catalog

    library = tmp_path / "library"
    shutil.copytree(trained_library_template, library)
    with Catalog(library) as catalog:
        for record in catalog.categories():
            catalog.set_folder(record.name, tmp_path / "sorted" / record.name)
    return library
