"""What the bench scripts share: where things are, the bench library, memory and JSON helpers.

Importing this module puts the checkout on sys.path, so the scripts run from a checkout
without installing photosort. It imports nothing heavy: every script answers --help at once.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import threading
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = Path(os.environ.get("PHOTOSORT_SHARED", REPO.parent / "shared")).resolve()  # datasets resolve their paths
DATASETS = SHARED / "datasets"
CACHE = BENCH / "cache"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter hides the figures
# Converted backbones are cached here rather than in the user's cache dir, so the benchmarks
# neither depend on nor disturb it (train_speed.py points its cold run at an empty one).
os.environ.setdefault("PHOTOSORT_CACHE_DIR", str(CACHE / "photosort-cache"))

LIBRARY = CACHE / "library"  # the bench library: trained once on the scenes, then copied per run


class ChildFailed(RuntimeError):
    """A function run by in_subprocess raised; the message holds the child's traceback."""


def _child(conn, func, args) -> None:
    try:
        result = func(*args)
    except BaseException:  # noqa: BLE001 - everything goes back to the parent, which re-raises
        result = ChildFailed(traceback.format_exc())
    conn.send(result)
    conn.close()


def in_subprocess(func, *args):
    """func(*args) in a fresh interpreter (spawned, nothing inherited), returning its result.

    Each measured part runs alone in its own process: its peak RSS is its own, and TensorFlow
    state, threads and caches of one part cannot help or hinder another.
    """
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(sender, func, args))
    process.start()
    sender.close()
    try:
        result = receiver.recv()
    except EOFError:
        process.join()
        raise ChildFailed(f"{func.__name__} died with exit code {process.exitcode}") from None
    process.join()
    if isinstance(result, ChildFailed):
        raise result
    return result


def _proc_kb(path: str, field: str) -> float:
    with open(path) as lines:
        for line in lines:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def proc_status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM = peak RSS), in MB."""
    return _proc_kb("/proc/self/status", field) / 1024


def proc_meminfo_mb(field: str) -> float:
    """A memory figure of the machine from /proc/meminfo (MemAvailable, ...), in MB."""
    return _proc_kb("/proc/meminfo", field) / 1024


class RssSampler:
    """Samples this process's RSS on a thread, to show whether memory grows with the photos."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._started = time.perf_counter()

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.samples.append((time.perf_counter() - self._started, proc_status_mb("VmRSS")))
            if self._stop.wait(self.interval):
                return

    def quartiles(self) -> list[float]:
        """RSS (MB) at 25, 50, 75 and 100% of the sampled time: flat means no growth."""
        if not self.samples:
            return []
        values = [mb for _, mb in self.samples]
        return [round(values[min(len(values) - 1, int(len(values) * q) - 1)], 1) for q in (0.25, 0.5, 0.75, 1.0)]


def photosort_version() -> str:
    """The commit measured, with "-dirty" when photosort's code differs from it."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + ("-dirty" if git("status", "--porcelain", "photosort") else "")


class ThreadCpu:
    """CPU seconds per thread name of this process, from /proc/self/task, read every interval
    on a thread of its own (a worker's last reading is kept after it exits)."""

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.seconds: dict[int, tuple[str, float]] = {}  # tid -> (name, CPU seconds)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="thread-cpu", daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> "ThreadCpu":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _read(self) -> None:
        python_names = {t.native_id: t.name for t in threading.enumerate()}
        for task in Path("/proc/self/task").iterdir():
            tid = int(task.name)
            try:
                # threads started by native code (TensorFlow Lite's pool, ...) have no Python name
                name = python_names.get(tid) or f"native:{(task / 'comm').read_text().strip()}"
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # the thread just ended
                continue
            self.seconds[tid] = (name, (int(fields[11]) + int(fields[12])) / self._tick)  # utime + stime

    def _run(self) -> None:
        while True:
            self._read()
            if self._stop.wait(self.interval):
                self._read()
                return

    @classmethod
    def snapshot(cls) -> dict[int, tuple[str, float]]:
        """CPU seconds of the threads alive now, to subtract what they used before a measurement."""
        reader = cls()
        reader._read()
        return reader.seconds

    def by_name(self, since: dict[int, tuple[str, float]] | None = None) -> dict[str, float]:
        """CPU seconds per thread name, worker threads (name_0, name_1, ...) added together, less
        what each thread had used at ``since``."""
        import re

        since = since or {}
        totals: dict[str, float] = {}
        for tid, (name, seconds) in self.seconds.items():
            group = re.sub(r"_\d+$", "", name)
            before = since.get(tid)
            used = seconds - (before[1] if before and before[0] == name else 0.0)
            totals[group] = totals.get(group, 0.0) + used
        return {name: seconds for name, seconds in sorted(totals.items(), key=lambda item: -item[1]) if seconds > 0}


_version_at_start: list[str] = []  # the code a run measures is the code there when it started


def note_version() -> None:
    """Remember the commit now, before measuring, for write_json (the tree may change meanwhile)."""
    if not _version_at_start:
        _version_at_start.append(photosort_version())


def write_json(path: str | Path | None, data: dict) -> None:
    if path:
        note_version()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps({**data, "photosort_version": _version_at_start[0]}, indent=2) + "\n")
        print(f"wrote {path}")


def copy_library(source: Path, target: Path) -> None:
    """A fresh copy of a library (catalog + models), so every run starts from the same state."""
    import shutil
    import sqlite3

    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    # the SQLite backup API copies a consistent catalog even with a WAL beside it
    src, dst = sqlite3.connect(source / "catalog.sqlite"), sqlite3.connect(target / "catalog.sqlite")
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    shutil.copytree(source / "models", target / "models")


def import_dataset(library: Path, dataset: Path, dest_root: Path) -> None:
    """`photosort --library LIBRARY import DATASET --dest ROOT`, through the command line's own code."""
    from photosort.cli import main

    code = main(["--library", str(library), "import", str(dataset), "--dest", str(dest_root)])
    if code:
        raise SystemExit(f"photosort import {dataset} failed (exit code {code})")


def train_library(library: str) -> dict:
    """Train the library's sorter with photosort's defaults; returns the time and its metrics."""
    from photosort.catalog import Catalog
    from photosort.training import train

    with Catalog(library) as catalog:
        started = time.perf_counter()
        result = train(catalog)
        seconds = time.perf_counter() - started
        kept = {k: v for k, v in result.metrics.items() if k != "history"}
        return {"seconds": seconds, "version": result.version.id, "metrics": kept}


def _build_bench_library(library: str) -> dict:
    import_dataset(Path(library), DATASETS / "scenes", Path(library) / "sorted")
    return train_library(library)


def ensure_bench_library(log=print) -> Path:
    """The bench library (the six scene categories, trained), built and trained once."""
    from photosort.catalog import Catalog

    with Catalog(LIBRARY) as catalog:
        if catalog.current_model() is not None:
            return LIBRARY
    log(f"bench library: importing {DATASETS / 'scenes'} and training once into {LIBRARY}")
    trained = in_subprocess(_build_bench_library, str(LIBRARY))
    log(f"bench library: trained in {trained['seconds']:.1f} s")
    return LIBRARY
