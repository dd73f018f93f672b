"""How fast are embeddings? Photos per second of the Embedder's TFLite path, its tf.function
fallback, and plain keras Model.predict, on random 0..255 images in batches.

    python bench/embed_speed.py [--backbone efficientnet_lite0] [--images 256] [--batch 32]
                                [--repeats 3] [--json OUT]

Each path is timed `repeats` times and the best pass is reported: on a shared machine the
best pass is the one least disturbed by other work.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from photosort.backbones import (  # noqa: E402  (after the sys.path line)
    DEFAULT_BACKBONE,
    Embedder,
    build_backbone,
    get_embedder,
)


def photos_per_second(
    embed: Callable[[np.ndarray], np.ndarray], images: np.ndarray, batch: int, repeats: int
) -> float:
    embed(images[:batch])  # warm-up: tracing, interpreter allocation, caches
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(0, len(images), batch):
            embed(images[i : i + batch])
        best = min(best, time.perf_counter() - start)
    return len(images) / best


def measure(backbone: str, count: int, batch: int, repeats: int) -> dict[str, float]:
    tflite = get_embedder(backbone)
    side = tflite.input_size
    images = np.random.default_rng(0).integers(0, 256, (count, side, side, 3), dtype=np.uint8)
    model = build_backbone(backbone)
    graph = Embedder.from_keras_model(model, name=backbone, use_tflite=False)

    def predict(x: np.ndarray) -> np.ndarray:
        return model.predict(x.astype(np.float32), batch_size=batch, verbose=0)

    paths = {
        f"Embedder ({tflite.backend})": tflite.embed,
        f"Embedder ({graph.backend})": graph.embed,
        "keras Model.predict": predict,
    }
    return {path: photos_per_second(run, images, batch, repeats) for path, run in paths.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", default=DEFAULT_BACKBONE)
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="timed passes; the best counts")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    results = measure(args.backbone, args.images, args.batch, args.repeats)
    print(f"{args.backbone}: {args.images} images, batches of {args.batch}, {os.cpu_count()} CPUs")
    for path, speed in results.items():
        print(f"  {path:<28} {speed:8.1f} photos/s")
    if args.json:
        report = {
            "backbone": args.backbone, "images": args.images, "batch": args.batch,
            "repeats": args.repeats, "cpus": os.cpu_count(),
            "load_average_1min": os.getloadavg()[0], "photos_per_second": results,
        }
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
