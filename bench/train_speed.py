"""Training time for six categories of 50 photos (../shared/datasets/scenes), cold and warm.

cold: a fresh process, a fresh library and an empty backbone cache (PHOTOSORT_CACHE_DIR), so
the time of ``photosort.training.train`` includes importing TensorFlow, converting the
backbone's weights, embedding every photo and its augmented views, and training the head.
Importing the photos (``photosort import``: headers and hashes) is timed apart.

warm: the same library again, its embeddings now cached — once in the same process (retraining
from the app) and once in a fresh process (``photosort train`` run again; TensorFlow imported
again, converted weights read from the cache).

    python bench/train_speed.py --json bench/out/train_speed.json
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import common


def cold_then_warm(library: str, cache_dir: str) -> dict:
    os.environ["PHOTOSORT_CACHE_DIR"] = cache_dir  # before photosort reads it
    started = time.perf_counter()
    common.import_dataset(Path(library), common.DATASETS / "scenes", Path(library) / "sorted")
    imported = time.perf_counter() - started
    cold = common.train_library(library)
    warm = common.train_library(library)
    return {"import_s": imported, "cold": cold, "warm_same_process": warm}


def warm_fresh_process(library: str, cache_dir: str) -> dict:
    os.environ["PHOTOSORT_CACHE_DIR"] = cache_dir
    return common.train_library(library)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time training on 6 categories × 50 photos: cold (nothing cached) and warm (embeddings cached).",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    common.note_version()
    work = common.CACHE / "runs" / f"train_speed_{os.getpid()}"
    if work.exists():
        shutil.rmtree(work)
    library, cache_dir = work / "library", work / "backbone-cache"
    print("cold: fresh library, empty backbone cache, fresh process ...", flush=True)
    first = common.in_subprocess(cold_then_warm, str(library), str(cache_dir))
    print("warm: same library, fresh process ...", flush=True)
    second = common.in_subprocess(warm_fresh_process, str(library), str(cache_dir))
    result = {
        "examples": first["cold"]["metrics"].get("examples"),
        "import_s": round(first["import_s"], 2),
        "cold_s": round(first["cold"]["seconds"], 2),
        "warm_same_process_s": round(first["warm_same_process"]["seconds"], 2),
        "warm_fresh_process_s": round(second["seconds"], 2),
        "held_out_macro_f1": first["cold"]["metrics"].get("macro_f1"),
    }
    print(f"import (photosort import of {result['examples']} photos): {result['import_s']:.1f} s")
    print(f"cold training: {result['cold_s']:.1f} s (TensorFlow import, weight conversion, embeddings, head)")
    print(f"warm training: {result['warm_same_process_s']:.1f} s in the same process, "
          f"{result['warm_fresh_process_s']:.1f} s in a fresh one (embeddings cached)")
    shutil.rmtree(work)
    common.write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
