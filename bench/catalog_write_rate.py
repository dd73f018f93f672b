"""How many photos per second the catalog can take from a sort: the writes a sort makes per
photo, without any reading, decoding or network, on a fresh library on this machine's disk.

Per batch of 32 photos, as sorting does now: the photos upserted, their embeddings cached and
their scores recorded (one transaction each), then for each photo one copy journaled as the
copy path does it (an entry written before, updated after: two transactions), and the batch's
decisions in one transaction. "batched" writes the same rows with the copies' journal rows in
one transaction per batch (the lever of journaling a batch's copies together).

    python bench/catalog_write_rate.py --photos 5000 --categories 10
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path

import common  # noqa: F401 - sys.path
import numpy as np


def measure(photos: int, categories: int, batched: bool, batch: int = 32) -> dict:
    from photosort.catalog import Catalog
    from photosort.images import PhotoInfo

    root = Path(tempfile.mkdtemp(prefix="catalog-rate-"))
    rng = np.random.default_rng(0)
    with Catalog(root / "library") as catalog:
        names = [f"c{i}" for i in range(categories)]
        for name in names:
            catalog.add_category(name, root / "sorted" / name)
        ids = {c.name: c.id for c in catalog.categories()}
        version_id = catalog.add_model_version("efficientnet_lite0", names, {n: 0.5 for n in names}, {},
                                               "model.keras").id  # rows only: no file is needed
        run = catalog.start_run("sort", root / "roll", version_id, {})
        started = time.perf_counter()
        for first in range(0, photos, batch):
            n = min(batch, photos - first)
            entries = [(root / "roll" / f"IMG_{first + i:07d}.JPG", f"{first + i:032x}",
                        PhotoInfo(3_000_000, 1.7e9 + first + i, 4000, 3000, datetime(2024, 1, 1)))
                       for i in range(n)]
            records = catalog.upsert_photos(entries)
            catalog.put_embeddings("efficientnet_lite0", 0,
                                   {r.content_hash: rng.random(1280, dtype=np.float32) for r in records})
            catalog.record_predictions(version_id, names, {r.id: rng.random(categories) for r in records})
            copies = [{"src": str(r.path), "dest": str(root / "sorted" / "c0" / r.path.name), "photo_id": r.id,
                       "category_id": ids["c0"], "content_hash": r.content_hash, "size": r.size} for r in records]
            if batched:
                catalog.journal_done(run.id, "copy", copies)
            else:
                for c in copies:
                    entry = catalog.journal(run.id, "copy", c["src"], c["dest"], c["dest"] + ".tmp",
                                            c["photo_id"], c["category_id"], c["content_hash"], c["size"])
                    catalog.update_file_op(entry.id, state="done", dest=c["dest"])
            catalog.journal_done(run.id, "decide", [{"src": str(r.path), "photo_id": r.id,
                                                     "content_hash": r.content_hash, "size": r.size} for r in records])
        seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in (root / "library").rglob("*") if p.is_file())
    return {"photos": photos, "categories": categories, "batched": batched, "seconds": seconds,
            "photos_per_s": photos / seconds, "catalog_mb": size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=5000)
    parser.add_argument("--categories", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    common.note_version()
    results = [measure(args.photos, args.categories, batched) for batched in (False, True)]
    for r in results:
        print(r)
    common.write_json(args.json, {"runs": results})


if __name__ == "__main__":
    main()
