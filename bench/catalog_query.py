"""How fast a category's photos are listed from a catalog of 100,000 photos.

Builds (once, reused from bench/cache/catalog_N) a catalog of N synthetic photos with six
categories and a model version that scored every photo in every category, through the
Catalog's public batch methods (upsert_photos, record_predictions), then times
``catalog.photos_in_category(name)`` for each category (median of --repeats) — target < 100 ms
— and, to tell SQLite's share from the Python objects', the same SQL run straight through
sqlite3. Prints SQLite's EXPLAIN QUERY PLAN of the statement the catalog actually ran.

    python bench/catalog_query.py --photos 100000 --json bench/out/catalog_query.json
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import common

CATEGORIES = ["buildings", "forest", "glacier", "mountain", "sea", "street"]
CHUNK = 5000


def _scores(rng, count: int):
    """Per photo: one likely category (score ~ Beta(5, 2)), the others unlikely (~ Beta(1, 8)),
    so each category holds about a sixth of the photos at threshold 0.5, as a real roll might."""
    import numpy as np

    scores = rng.beta(1, 8, size=(count, len(CATEGORIES)))
    main = rng.integers(0, len(CATEGORIES), size=count)
    scores[np.arange(count), main] = rng.beta(5, 2, size=count)
    return scores


def build(library: Path, photos: int) -> dict:
    """The synthetic catalog; returns how long each batch method took."""
    import numpy as np

    from photosort.catalog import Catalog
    from photosort.images import PhotoInfo

    rng = np.random.default_rng(0)
    timings = {"upsert_photos_s": 0.0, "record_predictions_s": 0.0}
    with Catalog(library) as catalog:
        for name in CATEGORIES:
            catalog.add_category(name, library / "sorted" / name)
        version = catalog.add_model_version(
            "efficientnet_lite0", CATEGORIES, {name: 0.5 for name in CATEGORIES}, {}, "synthetic.keras"
        )
        start = datetime(2020, 1, 1)
        for first in range(0, photos, CHUNK):
            indices = range(first, min(first + CHUNK, photos))
            entries = [
                (Path(f"/photos/DCIM/{100 + i // 1000}PHOTO/IMG_{i:06d}.JPG"), f"{i:032x}",
                 PhotoInfo(size=3_000_000 + i, mtime=1.6e9 + i, width=4032, height=3024,
                           taken_at=start + timedelta(minutes=37 * i)))
                for i in indices
            ]
            started = time.perf_counter()
            records = catalog.upsert_photos(entries)
            timings["upsert_photos_s"] += time.perf_counter() - started
            scores = _scores(rng, len(records))
            started = time.perf_counter()
            catalog.record_predictions(version.id, CATEGORIES, {r.id: s for r, s in zip(records, scores)})
            timings["record_predictions_s"] += time.perf_counter() - started
            print(f"  {first + len(records)}/{photos} photos", end="\r", flush=True)
        print()
    return timings


def capture_sql(catalog, call) -> str:
    """Run call() and return the longest SELECT it made SQLite run (the listing itself, not
    the category lookups), as SQLite saw it: through sqlite3's trace hook, so a statement sent on
    the raw cursor is caught too."""
    from sqlalchemy import event

    seen: list[str] = []

    def checkout(dbapi_connection, record, proxy):
        dbapi_connection.set_trace_callback(seen.append)

    def checkin(dbapi_connection, record):
        dbapi_connection.set_trace_callback(None)

    catalog.engine.dispose()  # so that the call checks out a connection with the hook
    event.listen(catalog.engine, "checkout", checkout)
    event.listen(catalog.engine, "checkin", checkin)
    try:
        call()
    finally:
        event.remove(catalog.engine, "checkout", checkout)
        event.remove(catalog.engine, "checkin", checkin)
    return max((sql for sql in seen if sql.lstrip().upper().startswith("SELECT")), key=len)


def median_ms(call, repeats: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        size = len(call())
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), size


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Time listing a category's photos from a large catalog.")
    parser.add_argument("--photos", type=int, default=100_000, metavar="N", help="catalog size (default 100000)")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per category (default 7)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    common.note_version()
    from photosort.catalog import Catalog

    library = common.CACHE / f"catalog_{args.photos}"
    result: dict = {"photos": args.photos}
    with Catalog(library) as catalog:
        existing = catalog.photo_count()
    if existing != args.photos:
        if existing:
            raise SystemExit(f"{library} holds {existing} photos, not {args.photos}: delete it first.")
        print(f"building a catalog of {args.photos} photos in {library} (once) ...")
        started = time.perf_counter()
        result["build"] = {k: round(v, 2) for k, v in build(library, args.photos).items()}
        result["build"]["total_s"] = round(time.perf_counter() - started, 2)
        print(f"built in {result['build']['total_s']:.1f} s: {result['build']}")

    per_category: dict[str, dict] = {}
    with Catalog(library) as catalog:
        catalog.photos_in_category(CATEGORIES[0])  # open the connection, warm SQLite's page cache
        for name in CATEGORIES:
            ms, rows = median_ms(lambda: catalog.photos_in_category(name), args.repeats)
            page_ms, _ = median_ms(lambda: catalog.photos_in_category(name, limit=200), args.repeats)
            per_category[name] = {"ms": round(ms, 1), "photos": rows, "first_200_ms": round(page_ms, 1)}
            print(f"photos_in_category({name!r}): {ms:.1f} ms for {rows} photos "
                  f"(limit=200: {page_ms:.1f} ms)")
        statement = capture_sql(catalog, lambda: catalog.photos_in_category(CATEGORIES[0]))

    connection = sqlite3.connect(library / "catalog.sqlite")
    try:
        plan = [row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + statement)]
        sql_ms, _ = median_ms(lambda: connection.execute(statement).fetchall(), args.repeats)
    finally:
        connection.close()
    medians = [c["ms"] for c in per_category.values()]
    result.update({
        "median_ms": round(statistics.median(medians), 1),
        "max_ms": max(medians),
        "per_category": per_category,
        "sqlite_only_ms": round(sql_ms, 1),
        "sql": " ".join(statement.split()),
        "query_plan": plan,
    })
    print(f"median over categories: {result['median_ms']} ms (target < 100 ms); "
          f"the same SQL straight through sqlite3: {sql_ms:.1f} ms")
    print("query plan:\n  " + "\n  ".join(plan))
    common.write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
