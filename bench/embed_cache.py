"""Embeddings of the shared photos, computed once per backbone and view and kept in
bench/cache/embeddings/<set>-<backbone>-<view>.npz (paths, embeddings), for the starter and
teach benchmarks. Views: "plain" and "flip" (left-right mirrored, for test-time flipping)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, DATASETS  # noqa: E402

EMB_DIR = CACHE / "embeddings"


def dataset_paths(name: str) -> tuple[list[Path], list[frozenset[str]], list[str]]:
    """(paths, labels, categories) of a shared dataset (folder tree, or miml's labels.csv)."""
    from photosort.datasets import read_dataset

    source = DATASETS / name
    if (source / "labels.csv").is_file():
        source = source / "labels.csv"
    ds = read_dataset(source)
    items = sorted(ds.items, key=lambda i: str(i.path))
    return [i.path for i in items], [i.labels for i in items], ds.categories


def embeddings(name: str, backbone: str, view: str = "plain") -> tuple[list[Path], np.ndarray]:
    """(paths, (N, D) float32): loaded from the cache, else computed and cached."""
    from photosort import backbones, images
    from photosort.atomic import write_atomically

    EMB_DIR.mkdir(parents=True, exist_ok=True)
    out = EMB_DIR / f"{name}-{backbone}-{view}.npz"
    paths, _, _ = dataset_paths(name)
    if out.is_file():
        with np.load(out, allow_pickle=False) as data:
            if list(data["paths"]) == [str(p) for p in paths]:
                return paths, data["embeddings"]
    embedder = backbones.get_embedder(backbone)
    chunks = []
    for start in range(0, len(paths), 32):
        batch = np.stack([images.load_rgb(p, embedder.input_size) for p in paths[start : start + 32]])
        if view == "flip":
            batch = batch[:, :, ::-1, :]
        chunks.append(embedder.embed(np.ascontiguousarray(batch)))
        print(f"  {name} {backbone} {view}: {start + len(batch)}/{len(paths)}", file=sys.stderr, flush=True)
    result = np.concatenate(chunks).astype(np.float32)

    def save(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            np.savez(fh, paths=np.array([str(p) for p in paths]), embeddings=result)

    write_atomically(out, save)
    return paths, result


if __name__ == "__main__":
    # python bench/embed_cache.py SET BACKBONE VIEW ...: fill the cache ahead of the benchmarks
    args = sys.argv[1:]
    for name, backbone, view in zip(args[0::3], args[1::3], args[2::3]):
        embeddings(name, backbone, view)
