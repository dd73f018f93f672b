"""Starter categories: everyday kinds scored by the backbone's own ImageNet classifier, so a new
library sorts before anyone has labelled an example.

- STARTERS, find_starter(name): the kinds (kinds.py; their classes in imagenet_starters.json)
- starter_scores(rgb batch or embeddings, backbone) -> (N, K) calibrated 0..1 (scoring.py)
- starter_kinds / mark_starters: which of a library's categories (by id) are starters of which kind (library.py)
"""

from photosort.starter.kinds import STARTER_NAMES, STARTERS, Starter, find_starter
from photosort.starter.library import mark_starters, starter_ids, starter_kinds, unmark_starters
from photosort.starter.scoring import starter_scores

__all__ = [
    "STARTERS",
    "STARTER_NAMES",
    "Starter",
    "find_starter",
    "mark_starters",
    "starter_ids",
    "starter_kinds",
    "starter_scores",
    "unmark_starters",
]
