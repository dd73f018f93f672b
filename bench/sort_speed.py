"""End-to-end sorting speed of photosort against the naive pipeline, on the same camera roll.

photosort: ``photosort.sorting.sort_folder(catalog, roll)`` — the function ``photosort sort``
calls — on a fresh copy of the bench library (trained once on the six scene categories), so
every photo is scanned, decoded, predicted, every score recorded and each photo copied into
its category folders.

naive: the published method, one photo at a time: ``keras.utils.load_img`` of the full image,
resized to the model's input, ``model.predict`` on a full Keras model (backbone + the same
trained head), nothing else.

Each side runs in its own fresh process, after the roll has been read once (so both read from
the page cache when it fits in memory), with TensorFlow imported before the clock starts:

- photosort photos/s = photos / duration of the sort_folder call (which loads the sorter);
- naive photos/s = photos / duration of its loop (the model is built and warmed up before);
- peak RSS = VmHWM of the photosort process (the naive one's is reported apart);
- first photo = from launching the photosort process until the first batch is sorted.

--naive-photos K times the naive pipeline on K photos spread evenly over the roll: photos/s is
a rate, so a subsample measures it fairly in a fraction of the time.

    python bench/sort_speed.py --photos 2000 --naive-photos 200 --json bench/out/sort_speed.json
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

import common
from camera_roll import ensure_camera_roll


def photosort_side(library: str, roll: str, launched: float, batch_size: int | None) -> dict:
    """Sort the roll with photosort, in this (fresh) process."""
    import keras  # noqa: F401 - imported before the clock starts, as on the naive side

    from photosort.catalog import Catalog
    from photosort.sorting import sort_folder

    first: list[float] = []

    def on_progress(progress) -> None:
        if not first and progress.done:
            first.append(time.time() - launched)

    options = {"batch_size": batch_size} if batch_size else {}  # else photosort's own default, as the CLI
    with Catalog(library) as catalog, common.RssSampler() as rss:
        before = common.ThreadCpu.snapshot()
        with common.ThreadCpu() as threads:
            started, cpu = time.perf_counter(), cpu_seconds()
            summary = sort_folder(catalog, roll, on_progress=on_progress, **options)
            seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "cpu_s_by_thread": threads.by_name(since=before),
        "photos": summary.scanned,
        "first_photo_s": first[0] if first else None,
        "peak_rss_mb": common.proc_status_mb("VmHWM"),
        "rss_quartiles_mb": rss.quartiles(),
        "summary": summary.to_json(plan=False),
    }


def naive_side(library: str, paths: list[str]) -> dict:
    """The naive pipeline on these photos, in this (fresh) process."""
    import keras
    import numpy as np
    import pillow_heif

    from photosort.backbones import build_backbone
    from photosort.catalog import Catalog

    pillow_heif.register_heif_opener()  # so that load_img can open HEIC at all
    with Catalog(library) as catalog:
        version = catalog.current_model()
    backbone = build_backbone(version.backbone)
    head = keras.models.load_model(version.file, compile=False)
    size = backbone.input_shape[1]
    inputs = keras.Input((size, size, 3))
    model = keras.Model(inputs, head(backbone(inputs)))
    model.predict(np.zeros((1, size, size, 3), "float32"), verbose=0)  # tracing is not per photo

    started, cpu = time.perf_counter(), cpu_seconds()
    for path in paths:
        img = keras.utils.load_img(path, target_size=(size, size), interpolation="bilinear")
        model.predict(np.array(img)[None].astype("float32"), verbose=0)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {"seconds": seconds, "cpu_s": cpu, "photos": len(paths), "peak_rss_mb": common.proc_status_mb("VmHWM")}


def cpu_seconds() -> float:
    """CPU time of this process, all threads: on a shared machine, CPU per photo is steadier than
    wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def prepare_run(library: Path, run_dir: Path, person: bool = False) -> Path:
    """A fresh copy of the bench library in run_dir whose category folders lie in run_dir/sorted,
    so that nothing of an earlier run (predictions, copies, journal) is reused. ``person``: also
    a person category 'me' whose examples are ../shared/datasets/faces/me (their faces found
    here, before the clock: the sort then finds faces in every roll photo)."""
    from photosort.catalog import Catalog

    run_library = run_dir / "library"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    common.copy_library(library, run_library)
    with Catalog(run_library) as catalog:
        for category in catalog.categories():
            catalog.set_folder(category.name, run_dir / "sorted" / category.name)
        if person:
            add_person(catalog, run_dir / "sorted" / "me")
    return run_library


def add_person(catalog, folder: Path) -> None:
    from photosort import people
    from photosort.registration import register_photos

    examples = sorted((Path(__file__).resolve().parents[1].parent / "shared/datasets/faces/me").glob("*.jpg"))
    catalog.add_category("me", folder)
    catalog.set_person("me")
    records = register_photos(catalog, examples)[0]
    catalog.label("me", [r.id for r in records])
    people.faces_for(catalog, [(r.path, r.content_hash) for r in records])


def warm_page_cache(paths: list[Path]) -> bool:
    """Read every photo once so neither side pays for the disk; False if the roll is too large
    to stay cached (then both read from disk)."""
    total = sum(p.stat().st_size for p in paths)
    if total > common.proc_meminfo_mb("MemAvailable") * 2**20 / 2:  # free + reclaimable cache
        return False
    for path in paths:
        with open(path, "rb") as fp:
            while fp.read(1 << 24):
                pass
    return True


FORMATS = {".jpg": "jpeg", ".jpeg": "jpeg", ".heic": "heic", ".png": "png"}


def format_view(photos_dir: Path, paths: list[Path], formats: set[str]) -> tuple[Path, list[Path]]:
    """The roll's photos of these formats only, hard-linked (built once) into a sibling folder
    with the same layout, so both sides read the very same files."""
    view = photos_dir.parent.with_name(f"{photos_dir.parent.name}_{'_'.join(sorted(formats))}") / photos_dir.name
    chosen = []
    for path in paths:
        if FORMATS.get(path.suffix.lower()) not in formats:
            continue
        link = view / path.relative_to(photos_dir)
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, link)
        chosen.append(link)
    return view, chosen


def spread(items: list, count: int) -> list:
    """count items spread evenly over the list (all of them if count >= len)."""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Sort a 12-MP camera roll with photosort and with the naive pipeline; compare photos/s.",
    )
    parser.add_argument("--photos", type=int, default=2000, metavar="N", help="camera roll size (default 2000)")
    parser.add_argument("--naive-photos", type=int, default=200, metavar="K",
                        help="time the naive pipeline on K photos spread over the roll (default 200; 0: skip)")
    parser.add_argument("--roll", type=Path, metavar="DIR", help="camera roll folder (default bench/cache/camera_roll_N)")
    parser.add_argument("--distinct", type=int, metavar="M",
                        help="a roll of M rendered photos and variants of them (see camera_roll.py --help)")
    parser.add_argument("--formats", type=lambda text: set(text.split(",")), metavar="LIST",
                        help="only the roll's photos of these formats, e.g. 'jpeg' (of jpeg, heic, png; default all)")
    parser.add_argument("--batch-size", type=int, help="photosort's batch size (default: photosort's own)")
    parser.add_argument("--skip-photosort", action="store_true", help="time the naive pipeline only")
    parser.add_argument("--person", action="store_true",
                        help="add a person category 'me' (examples: shared faces/me), so every photo's faces are found")
    parser.add_argument("--keep", action="store_true", help="keep the sorted copies and the run's library")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    common.note_version()
    roll = ensure_camera_roll(args.photos, args.roll, distinct=args.distinct)
    photos_dir, paths = roll.photos_dir, roll.paths()
    if args.formats:
        unknown = args.formats - set(FORMATS.values())
        if unknown:
            raise SystemExit(f"unknown formats {sorted(unknown)}: choose from jpeg, heic, png")
        photos_dir, paths = format_view(photos_dir, paths, args.formats)
    library = common.ensure_bench_library()
    cached = warm_page_cache(paths)
    counts = {f: sum(FORMATS.get(p.suffix.lower()) == f for p in paths) for f in sorted(set(FORMATS.values()))}
    print(f"camera roll: {len(paths)} photos, {sum(p.stat().st_size for p in paths) / 1e9:.2f} GB, "
          f"{counts}; page cache {'warm' if cached else 'too small: read from disk'}")
    result: dict = {"photos": len(paths), "roll": str(photos_dir), "formats": counts, "page_cache_warm": cached,
                    "cpu_count": os.cpu_count(), "load_average_before": os.getloadavg()[0]}

    if not args.skip_photosort:
        run_dir = common.CACHE / "runs" / f"sort_speed_{len(paths)}_{os.getpid()}"  # concurrent runs don't collide
        run_library = prepare_run(library, run_dir, person=args.person)
        result["person_category"] = args.person
        print("photosort: sorting ...", flush=True)
        side = common.in_subprocess(photosort_side, str(run_library), str(photos_dir), time.time(),
                                    args.batch_size)
        rate = side["photos"] / side["seconds"]
        summary = side["summary"]
        print(f"photosort: {side['photos']} photos in {side['seconds']:.1f} s = {rate:.1f} photos/s "
              f"({side['cpu_s'] / side['photos'] * 1000:.0f} ms CPU per photo); "
              f"peak RSS {side['peak_rss_mb']:.0f} MB (RSS over the run {side['rss_quartiles_mb']} MB); "
              f"first sorted photo {side['first_photo_s']:.1f} s after launch")
        print(f"photosort: sorted {summary['sorted']}, copies {summary['copies']}, unsorted {summary['unsorted']}, "
              f"skipped {len(summary['skipped'])}, errors {len(summary['errors'])}; {summary['per_category']}")
        result.update({
            "photosort_photos_per_s": round(rate, 2),
            "photosort_seconds": round(side["seconds"], 2),
            "photosort_cpu_ms_per_photo": round(side["cpu_s"] / side["photos"] * 1000, 1),
            "peak_rss_mb": round(side["peak_rss_mb"], 1),
            "rss_quartiles_mb": side["rss_quartiles_mb"],
            "photosort_cpu_s_by_thread": {name: round(cpu, 1) for name, cpu in side["cpu_s_by_thread"].items()},
            "first_photo_s": round(side["first_photo_s"], 2) if side["first_photo_s"] is not None else None,
            "sort_summary": {k: summary[k] for k in ("sorted", "copies", "unsorted", "per_category")}
            | {"skipped": len(summary["skipped"]), "errors": len(summary["errors"])},
        })
        if not args.keep:
            shutil.rmtree(run_dir)

    if args.naive_photos:
        subset = spread(paths, args.naive_photos)
        note = "" if len(subset) == len(paths) else f" (a subsample of {len(subset)} spread over the roll: a rate, so fair)"
        print(f"naive: predicting {len(subset)} photos one at a time{note} ...", flush=True)
        side = common.in_subprocess(naive_side, str(library), [str(p) for p in subset])
        rate = side["photos"] / side["seconds"]
        print(f"naive: {side['photos']} photos in {side['seconds']:.1f} s = {rate:.2f} photos/s "
              f"({side['cpu_s'] / side['photos'] * 1000:.0f} ms CPU per photo); "
              f"peak RSS {side['peak_rss_mb']:.0f} MB")
        result.update({
            "naive_photos": side["photos"],
            "naive_photos_per_s": round(rate, 2),
            "naive_cpu_ms_per_photo": round(side["cpu_s"] / side["photos"] * 1000, 1),
            "naive_peak_rss_mb": round(side["peak_rss_mb"], 1),
        })

    if "photosort_photos_per_s" in result and "naive_photos_per_s" in result:
        result["ratio"] = round(result["photosort_photos_per_s"] / result["naive_photos_per_s"], 2)
        print(f"ratio: photosort is {result['ratio']:.1f}× the naive pipeline")
    result["load_average_after"] = os.getloadavg()[0]
    common.write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
