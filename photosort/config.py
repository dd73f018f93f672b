"""User settings and standard locations.

Settings live in a readable JSON file in the platform's config dir (never pickle). Window
geometry is the GUI's business (QSettings), not this module's.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs

from photosort.atomic import write_atomically

APP_NAME = "photosort"

# Environment overrides, used by tests and by people who keep everything on one disk.
ENV_DATA_DIR = "PHOTOSORT_DATA_DIR"
ENV_CACHE_DIR = "PHOTOSORT_CACHE_DIR"
ENV_CONFIG_DIR = "PHOTOSORT_CONFIG_DIR"


def data_dir() -> Path:
    return Path(os.environ.get(ENV_DATA_DIR) or platformdirs.user_data_dir(APP_NAME))


def cache_dir() -> Path:
    """Where built backbones (converted weights, TFLite files) are cached."""
    return Path(os.environ.get(ENV_CACHE_DIR) or platformdirs.user_cache_dir(APP_NAME))


def config_dir() -> Path:
    return Path(os.environ.get(ENV_CONFIG_DIR) or platformdirs.user_config_dir(APP_NAME))


def default_library_dir() -> Path:
    return data_dir() / "library"


@dataclass
class Settings:
    """What a person chose, kept between runs in settings.json."""

    library: str = ""  # last library dir; empty means the default
    camera_roll: str = ""  # last folder sorted
    watch_folder: str = ""  # DCIM folder to watch
    watching: bool = False  # still watching it when photosort closed: offer to resume
    backbone: str = "efficientnet_lite0"
    recent_libraries: list[str] = field(default_factory=list)

    @classmethod
    def path(cls) -> Path:
        return config_dir() / "settings.json"

    @classmethod
    def load(cls) -> "Settings":
        try:
            raw = json.loads(cls.path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self) -> None:
        text = json.dumps(asdict(self), indent=2)
        write_atomically(self.path(), lambda tmp: tmp.write_text(text, encoding="utf-8"))

    def library_dir(self) -> Path:
        return Path(self.library) if self.library else default_library_dir()
