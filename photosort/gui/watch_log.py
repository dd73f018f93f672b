"""The Watch tab's recent log, kept between runs (issue 13, item 10): the last lines as JSON
in the settings folder, so "what was sorted while I was away" survives a restart."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from photosort.atomic import write_atomically
from photosort.config import config_dir

KEPT = 200  # lines kept (the list shows as many)


@dataclass(frozen=True)
class LogLine:
    when: str  # "2026-12-02 14:03:11"
    text: str
    tooltip: str = ""
    thumb: str = ""  # the file its thumbnail shows ("" for an error)
    error: bool = False


def log_path() -> Path:
    return config_dir() / "watch-log.json"


def load() -> list[LogLine]:
    """Newest first; an unreadable file is an empty log, not an error."""
    try:
        raw = json.loads(log_path().read_text(encoding="utf-8"))
        return [LogLine(**{k: line[k] for k in LogLine.__dataclass_fields__ if k in line}) for line in raw][:KEPT]
    except (OSError, ValueError, TypeError, KeyError):
        return []


def save(lines: list[LogLine]) -> None:
    text = json.dumps([asdict(line) for line in lines[:KEPT]], indent=0)
    try:
        write_atomically(log_path(), lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError:
        pass  # a log that cannot be kept is not worth interrupting a watch for
