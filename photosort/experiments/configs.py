"""Experiment configurations: what a spec string like ``frozen:lite0+lite2,aug=full`` means.

A spec is ``family[:what][,key=value]*``:

    frozen:BACKBONES    frozen backbone(s) (``+`` concatenates embeddings) + the small head
    finetune:BACKBONE   the same, then the backbone's top layers fine-tuned (training.fine_tune)
    cnn                 the published CNN trained from scratch (four conv blocks, 2 × Dense 512)
    bovw:orb|kaze       keypoint descriptors → bag of visual words → PCA → clf=logreg|nb

Keys: aug=none|basic|full (basic: rotation, flip, brightness/contrast, zoom; full adds
hue/saturation and blur), views=N (augmented views per training photo), size=N (input side),
width=N and dropout=F (the head's, or the CNN's dense layers'), epochs=N,
balance=weights|none|oversample|drop (joined by ``+``; weights = class-weighted loss),
clf=logreg|nb, words=N (visual words).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from photosort.errors import PhotosortError

FAMILIES = ("frozen", "finetune", "cnn", "bovw")
BACKBONE_ALIASES = {
    "lite0": "efficientnet_lite0",
    "lite1": "efficientnet_lite1",
    "lite2": "efficientnet_lite2",
    "mnv2": "mobilenet_v2",
    "mobilenet": "mobilenet_v2",
}
AUGMENTATIONS = ("none", "basic", "full")
BALANCES = ("weights", "none", "oversample", "drop")
DROP_UNDER = 12  # photos: fewer and a category is dropped (the Hotel-ID recipe)
OVERSAMPLE_TO = 35  # training photos a small category is brought up to by augmented copies

# The set `photosort experiment` runs unless told otherwise: about ten minutes for 300 photos
# on a shared 2-core machine. Fine-tuning is left out for time (add "finetune:lite0").
DEFAULT_CONFIGS = [
    "frozen:lite0,aug=none",
    "frozen:lite0",
    "frozen:lite0,aug=full",
    "frozen:lite0,width=512,dropout=0.5",
    "frozen:lite0,balance=none",
    "frozen:lite0,balance=weights+drop+oversample",
    "frozen:lite1",
    "frozen:lite2",
    "frozen:mobilenet_v2",
    "frozen:lite0+lite2+mobilenet_v2",
    "cnn,size=128",
    "bovw:orb,clf=logreg",
    "bovw:orb,clf=nb",
]


@dataclass(frozen=True)
class Config:
    spec: str  # as given: the name in the report
    family: str
    backbones: tuple[str, ...] = ()
    detector: str = "orb"
    aug: str = "basic"
    views: int = 4
    size: int | None = None  # None: the backbone's native size (cnn: 128)
    width: int = 256
    dropout: float = 0.4
    epochs: int | None = None
    balance: frozenset[str] = field(default_factory=lambda: frozenset({"weights"}))
    clf: str = "logreg"
    words: int = 128

    @property
    def train_views(self) -> int:
        """Augmented views per training photo besides the photo itself."""
        return 0 if self.aug == "none" else self.views

    @property
    def installable(self) -> bool:
        """The library's Sorter runs a single frozen backbone at its native size + a head."""
        return self.family == "frozen" and len(self.backbones) == 1 and self.size is None

    def describe(self) -> dict:
        return {
            "family": self.family, "backbones": list(self.backbones), "detector": self.detector,
            "aug": self.aug, "views": self.views, "size": self.size, "width": self.width,
            "dropout": self.dropout, "epochs": self.epochs, "balance": sorted(self.balance),
            "clf": self.clf, "words": self.words, "installable": self.installable,
        }


def parse_config(spec: str) -> Config:
    """A Config from a spec string; a clear PhotosortError for anything it can't read."""
    parts = [p.strip() for p in spec.strip().split(",") if p.strip()]
    if not parts:
        raise PhotosortError("An empty experiment configuration.")
    family, _, what = parts[0].partition(":")
    if family not in FAMILIES:
        raise PhotosortError(f"'{spec}': the family must be one of {', '.join(FAMILIES)}, not '{family}'.")
    values: dict = {"spec": spec.strip(), "family": family}
    if family in ("frozen", "finetune"):
        names = tuple(BACKBONE_ALIASES.get(n, n) for n in (what or "lite0").split("+"))
        if family == "finetune" and len(names) > 1:
            raise PhotosortError(f"'{spec}': fine-tuning takes one backbone.")
        values["backbones"] = names
    elif family == "bovw":
        values["detector"] = what or "orb"
        if values["detector"] not in ("orb", "kaze"):
            raise PhotosortError(f"'{spec}': keypoints are orb or kaze, not '{what}'.")
    elif family == "cnn":
        values.update(size=128, views=1, width=512, dropout=0.5)
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        if not sep:
            raise PhotosortError(f"'{spec}': '{part}' is not key=value.")
        values[key] = _value(spec, key, value)
    return Config(**values)


def _value(spec: str, key: str, value: str):
    try:
        if key in ("views", "size", "width", "epochs", "words"):
            return int(value)
        if key == "dropout":
            return float(value)
    except ValueError:
        raise PhotosortError(f"'{spec}': {key} needs a number, not '{value}'.") from None
    if key == "aug" and value in AUGMENTATIONS:
        return value
    if key == "clf" and value in ("logreg", "nb"):
        return value
    if key == "balance":
        chosen = frozenset(value.split("+"))
        if chosen <= set(BALANCES):
            return chosen - {"none"}
    raise PhotosortError(f"'{spec}': unknown setting {key}={value}.")
