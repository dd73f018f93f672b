"""The starter kinds and the ImageNet classes each one groups (imagenet_starters.json, built by
resources/starter/build_mapping.py from WordNet groups and reviewed by hand)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MAPPING_FILE = Path(__file__).with_name("imagenet_starters.json")


@dataclass(frozen=True)
class Starter:
    name: str  # also the category's name when a person adds it
    description: str


STARTERS: tuple[Starter, ...] = (
    Starter("cats", "house cats of any breed"),
    Starter("dogs", "dogs of any breed"),
    Starter("other animals", "birds, fish, insects, wild and farm animals"),
    Starter("food", "dishes, fruit, vegetables and drinks"),
    Starter("flowers and plants", "flowers, fruits of plants, mushrooms, potted plants"),
    Starter("landscapes and nature", "mountains, coasts, valleys, cliffs, fields"),
    Starter("buildings and streets", "houses, churches, shops, bridges, street signs"),
    Starter("vehicles", "cars, bikes, trains, boats and planes"),
    Starter("documents and screenshots", "web pages, screens, menus, printed pages"),
)
STARTER_NAMES: tuple[str, ...] = tuple(s.name for s in STARTERS)

# Kinds a photo is one of at most: their summed mass is shared out by prior-corrected mass
# (scoring.settle_exclusive), so a cat with some mass on many dog breeds stays a cat.
EXCLUSIVE_GROUPS: tuple[tuple[str, ...], ...] = (("cats", "dogs", "other animals"),)


def find_starter(name: str) -> Starter | None:
    """The starter of that name, case and surrounding spaces ignored."""
    wanted = name.strip().casefold()
    return next((s for s in STARTERS if s.name.casefold() == wanted), None)


@cache
def class_rows() -> tuple[dict, ...]:
    """The reviewed mapping: one row per ImageNet class (index, wnid, name, kind, via)."""
    rows = json.loads(MAPPING_FILE.read_text(encoding="utf-8"))
    if [r["index"] for r in rows] != list(range(1000)):
        raise ValueError(f"{MAPPING_FILE} must list the 1000 ImageNet classes in order")
    return tuple(rows)


@cache
def membership() -> np.ndarray:
    """(1000, K) 0/1 float32: which starter kind (column, in STARTERS order) each class counts to."""
    matrix = np.zeros((1000, len(STARTERS)), np.float32)
    column = {name: k for k, name in enumerate(STARTER_NAMES)}
    for row in class_rows():
        if row["kind"] is not None:
            matrix[row["index"], column[row["kind"]]] = 1.0
    return matrix
