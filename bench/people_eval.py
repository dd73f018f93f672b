"""Portraits vs group photos through the real pipeline (train + evaluate), with and without
face features for the head; and "me" vs others with a person category.

Each seed splits the shared photos of each kind in half (stratified): one half labelled and
trained on, the other judged. No setting is tuned to the files.

    python bench/people_eval.py --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
from pathlib import Path

import numpy as np

from photosort.catalog import Catalog
from photosort.evaluation import evaluate
from photosort.registration import register_photos
from photosort.training import train

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def split(kinds: dict[str, Path], seed: int, root: Path) -> tuple[dict[str, list[Path]], Path]:
    rng = random.Random(seed)
    trained, test = {}, root / "test"
    for name, folder in kinds.items():
        files = sorted(folder.glob("*.jpg"))
        rng.shuffle(files)
        half = len(files) // 2
        trained[name] = files[:half]
        (test / name).mkdir(parents=True)
        for f in files[half:]:
            os.symlink(f, test / name / f.name)
    return trained, test


def portraits_vs_groups(seed: int, face_features: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        trained, test = split({"portrait": SHARED / "people/portrait", "group": SHARED / "people/group"}, seed, root)
        with Catalog(root / "lib") as catalog:
            for name, files in trained.items():
                catalog.add_category(name, root / "out" / name)
                catalog.label(name, [r.id for r in register_photos(catalog, files)[0]])
            train(catalog, face_features=face_features, seed=seed)
            return evaluate(catalog, test)["macro_f1"]


def me_vs_others(seed: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        trained, test = split({"me": SHARED / "faces/me", "others": SHARED / "faces/others"}, seed, root)
        with Catalog(root / "lib") as catalog:
            catalog.add_category("me", root / "out" / "me")
            catalog.set_person("me")
            catalog.label("me", [r.id for r in register_photos(catalog, trained["me"])[0]])
            catalog.label("me", [r.id for r in register_photos(catalog, trained["others"])[0]], positive=False)
            train(catalog, seed=seed)
            return evaluate(catalog, test)["categories"]["me"]["f1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--skip-plain", action="store_true", help="skip the run without face features")
    args = parser.parse_args()
    out = {"seeds": args.seeds, "with_face_features": [], "embedding_only": [], "me_f1": []}
    for seed in args.seeds:
        out["me_f1"].append(me_vs_others(seed))
        out["with_face_features"].append(portraits_vs_groups(seed, True))
        if not args.skip_plain:
            out["embedding_only"].append(portraits_vs_groups(seed, False))
        print(json.dumps(out), flush=True)
    for key in ("with_face_features", "embedding_only", "me_f1"):
        if out[key]:
            print(f"{key}: mean {np.mean(out[key]):.3f}  min {np.min(out[key]):.3f}")


if __name__ == "__main__":
    main()
