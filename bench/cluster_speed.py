"""Sorting speed through a local Ray cluster against a local sort of the same photos.

Both sides run sort_folder (the function `photosort sort` calls) on a fresh copy of the bench
library, the roll read once beforehand (page cache); the local side first, then a Ray cluster
started on 127.0.0.1 with --cpus CPUs (one scoring actor per CPU) and the same sort through
photosort.cluster's scorer. Reported: photos/s of each sort_folder call, and CPU seconds: the
local process's; for the cluster, the driver's and the Ray processes' (workers and daemons,
summed from /proc over this process's descendants just before the cluster stops).

    python bench/cluster_speed.py --roll /work/roll300/DCIM --library bench/cache/library
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import threading
import time
from pathlib import Path

import common
from sort_speed import prepare_run, warm_page_cache


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def descendants_cpu() -> dict[int, tuple[str, float]]:
    """pid -> (command name, CPU seconds) of every living descendant of this process."""
    parents, stats = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        stats[int(entry)] = (text[text.index("(") + 1 : text.rindex(")")], cpu)
    me, found = os.getpid(), {}
    for pid in stats:
        p = pid
        while p and p != me:
            p = parents.get(p, 0)
        if p == me and pid != me:
            found[pid] = stats[pid]
    return found


class CpuSampler:
    """CPU seconds used by this process's descendants (Ray's daemons and workers, including
    workers that exit before the end) during a with block: /proc polled every 0.3 s, each
    process counted at the last value seen, less what it had used at the start."""

    def __enter__(self):
        self.start = descendants_cpu()
        self.last = dict(self.start)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def _poll(self) -> None:
        while not self.stop.wait(0.3):
            self.last.update(descendants_cpu())

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        self.last.update(descendants_cpu())
        self.by_name: dict[str, float] = {}
        for pid, (name, cpu) in self.last.items():
            used = cpu - self.start.get(pid, (name, 0.0))[1]
            self.by_name[name] = round(self.by_name.get(name, 0.0) + used, 2)


def timed_sort(library: Path, roll: Path, **options) -> dict:
    from photosort.catalog import Catalog
    from photosort.sorting import sort_folder

    with Catalog(library) as catalog:
        started, cpu = time.perf_counter(), cpu_self()
        summary = sort_folder(catalog, roll, **options)
        seconds, cpu = time.perf_counter() - started, cpu_self() - cpu
    return {"photos": summary.scanned, "seconds": seconds, "photos_per_s": summary.scanned / seconds,
            "driver_cpu_s": cpu, "copies": summary.copies, "skipped": len(summary.skipped)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roll", type=Path, required=True, help="folder of photos (only read)")
    parser.add_argument("--library", type=Path, default=None, help="a trained library (copied); default: the bench one")
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2, help="cluster sorts (the first starts the workers cold)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    common.note_version()
    import keras  # noqa: F401 - imported before any clock starts
    import ray

    from photosort.cluster import cluster_scorer

    library = args.library or common.ensure_bench_library()
    warm_page_cache(sorted(p for p in args.roll.rglob("*") if p.is_file()))
    work = Path(tempfile.mkdtemp(prefix="cluster-speed-"))
    results = {"local": timed_sort(prepare_run(library, work / "local"), args.roll)}
    results["local"]["total_cpu_ms_per_photo"] = 1000 * results["local"]["driver_cpu_s"] / results["local"]["photos"]
    print("local", results["local"], flush=True)
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(common.REPO), os.environ.get("PYTHONPATH")]))
    started = time.perf_counter()
    ray.init(address="local", num_cpus=args.cpus, include_dashboard=False, _node_ip_address="127.0.0.1",
             _temp_dir=temp, log_to_driver=False)
    results["ray_start_s"] = time.perf_counter() - started
    try:
        for n in range(args.runs):
            with CpuSampler() as cpu:
                run = timed_sort(prepare_run(library, work / f"cluster{n}"), args.roll,
                                 scorer=cluster_scorer())
            run["ray_cpu_s"] = cpu.by_name
            run["total_cpu_ms_per_photo"] = 1000 * (run["driver_cpu_s"] + sum(cpu.by_name.values())) / run["photos"]
            results[f"cluster_{n}"] = run
            print(f"cluster {n}", run, flush=True)
    finally:
        ray.shutdown()
    common.write_json(args.json, results)


if __name__ == "__main__":
    main()
