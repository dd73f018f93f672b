"""Where photosort's sort of the camera roll spends its CPU time, by stage and by thread.

Runs the photosort side of sort_speed.py (a fresh copy of the bench library, sort_folder on the
roll) under py-spy, which samples every Python thread — cProfile would see the main thread
only, while photosort reads, hashes and decodes on worker threads — and reads each thread's
CPU time from /proc. Each thread's CPU time is shared among the stages in proportion to its
samples; each sample goes to the first stage whose code is on its stack:

  model load   Sorter.load (backbone, head, TFLite interpreter)
  catalog      photosort.catalog (SQLAlchemy, SQLite): lookups, scores, journal
  copy         photosort.sorting.files: temporary file, copy, flush, verify, rename
  decode       images.load_rgb / _decode: JPEG reduced decode, HEIC, PNG, resize, orientation
  hash         images.content_hash / hash_bytes of the originals
  header       images.read_photo / photo_info: reading the file, size, EXIF, dimensions
  embed        photosort.backbones: the backbone network
  head         Sorter.scores_from_embeddings
  scan         images.iter_photos: walking the folder
  imports      Python imports: left out (the process imports Keras before the sort starts)
  other        the rest (sorting logic, thread pools, ...)
  native threads  threads without Python code (TensorFlow Lite's worker pool)

py-spy is not a photosort dependency: ``pip install py-spy`` (or pass --py-spy PATH).

    python bench/profile_sort.py --photos 2000 --out bench/out/profile_sort_2000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import common
import sort_speed
from camera_roll import ensure_camera_roll

# (stage, markers): a frame matches a marker "file:function" when its file ends with the file
# part and (if given) its function is the function part. The first stage with a match wins.
STAGES = [
    ("model load", ["photosort/predictor.py:Sorter.load"]),
    ("catalog", ["photosort/catalog/"]),
    ("copy", ["photosort/sorting/files.py"]),
    ("decode", ["photosort/images/decoding.py"]),
    ("hash", ["photosort/images/reading.py:content_hash", "photosort/images/reading.py:hash_bytes"]),
    ("header", ["photosort/images/reading.py:photo_info", "photosort/images/reading.py:read_photo"]),
    ("embed", ["photosort/backbones/"]),
    ("head", ["photosort/predictor.py:Sorter.scores_from_embeddings"]),
    ("scan", ["photosort/images/scanning.py"]),
    ("imports", ["<frozen importlib._bootstrap>:_find_and_load"]),
]
_LINE = re.compile(r"^thread \((?P<tid>\w+)\)(?:: (?P<name>[^;]*))?;(?P<stack>.*) (?P<count>\d+)$")
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*):\d+\)$")


def _matches(marker: str, file: str, function: str) -> bool:
    path, _, name = marker.partition(":")
    in_place = path in file if path.endswith("/") else file.endswith(path)
    return in_place and (not name or function == name)


def stage_of(frames: list[tuple[str, str]]) -> str:
    for stage, markers in STAGES:
        if any(_matches(marker, file, function) for marker in markers for file, function in frames):
            return stage
    return "other"


def thread_group(name: str) -> str:
    """Worker threads are numbered (photosort-read_0, _1, ...): count them together."""
    return re.sub(r"_\d+$", "", name or "unnamed")


def summarise(raw: Path, timing: dict) -> dict:
    """CPU seconds per stage: each thread's measured CPU time, shared among the stages in
    proportion to that thread's py-spy samples. (Samples alone overstate busy threads on a
    loaded machine: a thread waiting for a core still looks active to py-spy.) Native threads
    (TensorFlow Lite's pool) have no Python stack: their CPU is shown as "native threads"."""
    samples: dict[str, Counter] = defaultdict(Counter)
    for line in raw.read_text().splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        frames = []
        for part in match["stack"].split(";"):
            frame = _FRAME.match(part)
            if frame:
                frames.append((frame["file"], frame["function"]))
        stage = stage_of(frames)
        if stage != "imports":  # importing Keras before the sort starts: outside the CPU measured
            samples[thread_group(match["name"])][stage] += int(match["count"])
    stages: Counter = Counter()
    threads = {}
    for name, cpu in timing["cpu_s_by_thread"].items():
        counts = samples.get(name)
        if counts:
            total = sum(counts.values())
            share = {stage: cpu * n / total for stage, n in counts.items()}
        else:
            share = {"native threads" if name.startswith("native:") else "other": cpu}
        stages.update(share)
        threads[name] = {"cpu_s": round(cpu, 1), "busy": round(cpu / timing["seconds"], 2),
                         "stages": {stage: round(v, 1) for stage, v in sorted(share.items(), key=lambda i: -i[1])}}
    total = sum(stages.values()) or 1.0
    return {
        "photos": timing["photos"],
        "sort_wall_s": round(timing["seconds"], 2),
        "cpu_s": round(total, 1),
        "cpu_ms_per_photo": round(total / timing["photos"] * 1000, 1),
        "stages": {stage: {"cpu_s": round(v, 1), "share": round(v / total, 3), "ms_per_photo": round(v / timing["photos"] * 1000, 1)}
                   for stage, v in stages.most_common()},
        "threads": threads,
    }


def print_summary(summary: dict) -> None:
    print(f"sort_folder: {summary['photos']} photos, {summary['sort_wall_s']:.1f} s wall, "
          f"{summary['cpu_s']:.1f} s CPU ({summary['cpu_ms_per_photo']:.0f} ms per photo)")
    print(f"{'stage':<15} {'CPU s':>7} {'share':>6} {'ms/photo':>9}")
    for stage, row in summary["stages"].items():
        print(f"{stage:<15} {row['cpu_s']:7.1f} {row['share'] * 100:5.1f}% {row['ms_per_photo']:9.1f}")
    print("threads (busy = CPU time / wall time of the sort):")
    for name, row in summary["threads"].items():
        top = ", ".join(f"{stage} {s:.1f}" for stage, s in list(row["stages"].items())[:4])
        print(f"  {name:<22} {row['cpu_s']:7.1f} s  busy {row['busy']:.2f}  ({top})")


def child(run_library: str, roll: str, timing: str) -> int:
    """The profiled process: sort the roll in this process; write the time and CPU it took."""
    side = sort_speed.photosort_side(run_library, roll, time.time(), None)
    Path(timing).write_text(json.dumps({key: side[key] for key in ("seconds", "photos", "cpu_s_by_thread")}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Profile photosort's sort of the camera roll with py-spy, by stage.")
    parser.add_argument("--photos", type=int, default=2000, metavar="N", help="camera roll size (default 2000)")
    parser.add_argument("--roll", type=Path, metavar="DIR", help="camera roll folder (default bench/cache/camera_roll_N)")
    parser.add_argument("--distinct", type=int, metavar="M",
                        help="a roll of M rendered photos and variants of them (see camera_roll.py --help)")
    parser.add_argument("--rate", type=int, default=50, help="samples per second per thread (default 50)")
    parser.add_argument("--py-spy", default=shutil.which("py-spy"), metavar="PATH", help="the py-spy program")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where raw samples and summary.json go (default bench/out/profile_sort_N)")
    parser.add_argument("--summarise", type=Path, metavar="RAW",
                        help="only summarise an existing raw file (with timing.json beside it)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # the profiled process
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    common.note_version()
    if args.child:
        return child(*args.child)
    out = args.out or common.BENCH / "out" / f"profile_sort_{args.photos}"
    out.mkdir(parents=True, exist_ok=True)
    raw = args.summarise or out / "raw.txt"
    timing = raw.parent / "timing.json"
    if not args.summarise:
        if not args.py_spy:
            raise SystemExit("py-spy not found: pip install py-spy, or pass --py-spy PATH")
        roll = ensure_camera_roll(args.photos, args.roll, distinct=args.distinct)
        library = common.ensure_bench_library()
        sort_speed.warm_page_cache(roll.paths())
        run_dir = common.CACHE / "runs" / f"profile_sort_{args.photos}_{os.getpid()}"
        run_library = sort_speed.prepare_run(library, run_dir)
        print(f"profiling photosort's sort of {len(roll.files)} photos with py-spy ...", flush=True)
        subprocess.run([
            args.py_spy, "record", "--threads", "--nonblocking", "--full-filenames", "--format", "raw",
            "--rate", str(args.rate), "--output", str(raw), "--",
            sys.executable, str(Path(__file__).resolve()), "--child", str(run_library), str(roll.photos_dir), str(timing),
        ], check=True)
        shutil.rmtree(run_dir)
    summary = summarise(raw, json.loads(timing.read_text()))
    print_summary(summary)
    common.write_json(out / "summary.json", summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
