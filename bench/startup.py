"""Start-up times: ``photosort --help``, and photosort's first window.

--help: wall and CPU time of ``photosort --help`` (``python -m photosort --help`` when the
script is not on PATH) in a fresh interpreter, best of --runs.

first window: ``bench/gui_first_window.py`` starts the app the way ``photosort gui`` does,
offscreen, with a copy of the bench library when it exists (else an empty one), and reports
the seconds from launching the process to the first Expose of its window, and whether
TensorFlow had been imported by then (it should load after the window appears). Best and
median of --runs.

    python bench/startup.py --json bench/out/startup.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common


def _env(home: Path) -> dict:
    """The environment of a first-time user: photosort's folders and Qt's settings in home."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(common.REPO), env.get("PYTHONPATH")]))
    env["PHOTOSORT_DATA_DIR"] = str(home / "data")
    env["PHOTOSORT_CONFIG_DIR"] = str(home / "config")
    env["XDG_CONFIG_HOME"] = str(home / "xdg-config")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def help_command() -> list[str]:
    script = shutil.which("photosort")
    return [script, "--help"] if script else [sys.executable, "-m", "photosort", "--help"]


def time_help(runs: int, env: dict) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each run (CPU time moves less with the machine's load)."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(help_command(), env=env, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def time_first_window(runs: int, env: dict, library: Path | None) -> list[dict]:
    command = [sys.executable, str(common.BENCH / "gui_first_window.py")]
    if library:
        command += ["--library", str(library)]
    results = []
    for _ in range(runs):
        env["PHOTOSORT_BENCH_LAUNCHED"] = repr(time.time())
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        results.append(json.loads(lines[-1]) if lines else {"error": done.stderr.strip()[-500:] or "no output"})
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Time `photosort --help` and photosort's first window.")
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--skip-gui", action="store_true", help="time --help only")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    common.note_version()
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="photosort-startup-") as home:
        env = _env(Path(home))
        helps, cpus = time_help(args.runs, env)
        result["help_s"] = round(min(helps), 3)
        result["help_runs_s"] = [round(t, 3) for t in helps]
        result["help_cpu_s"] = round(min(cpus), 3)
        result["help_command"] = " ".join(Path(part).name for part in help_command())
        print(f"{result['help_command']}: best {min(helps):.3f} s, {min(cpus):.3f} s CPU "
              f"(runs {', '.join(f'{t:.3f}' for t in helps)})")
        if not args.skip_gui:
            library = None
            if (common.LIBRARY / "catalog.sqlite").is_file():
                library = Path(home) / "library"
                common.copy_library(common.LIBRARY, library)
            windows = time_first_window(args.runs, env, library)
            shown = [w["shown_s"] for w in windows if "shown_s" in w]
            if shown:
                result["gui_window_s"] = round(min(shown), 3)
                result["gui_window_median_s"] = round(statistics.median(shown), 3)
                result["gui_window_cpu_s"] = round(min(w["cpu_s"] for w in windows if "shown_s" in w), 3)
                result["gui_tensorflow_loaded_at_show"] = any(w["tensorflow_loaded"] for w in windows if "shown_s" in w)
                print(f"first window: best {min(shown):.3f} s, median {statistics.median(shown):.3f} s, "
                      f"{result['gui_window_cpu_s']:.3f} s CPU; "
                      f"TensorFlow already loaded then: {result['gui_tensorflow_loaded_at_show']}")
            errors = [w["error"] for w in windows if "error" in w]
            if errors:
                result["gui_errors"] = errors
                print(f"first window: {len(errors)} of {len(windows)} runs failed: {errors[0]}")
    common.write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
