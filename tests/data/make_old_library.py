"""Build the upgrade fixture tests/data/library_c985203/ with the code at commit c985203.

Why: issue 10 item 6 wants proof that a library made by an older photosort still opens, lists
its model, sorts with it and undoes its old runs with today's code. This script makes such a
library with the OLD code, as a person would have: through its CLI.

How it was run (the fixture in the repo was made exactly so):

    git -C /work/base checkout c985203   # a read-only checkout of exactly that commit
    cd /work/base && PYTHONPATH=/work/base /work/main/.venv/bin/python \
        /path/to/worktree/tests/data/make_old_library.py --shared /work/shared

What it does, all under the fixed ROOT (catalog paths are absolute, so the tree must be
re-created at the same place to be used):

    ROOT/examples/<category>/   5 example photos per category, labelled
    ROOT/roll1/                 sorted by copying       (run 1)
    ROOT/roll2/                 sorted with --move      (run 2: its originals are removed)
    ROOT/sorted/<category>/     the categories' destination folders
    ROOT/library/               catalog.sqlite and models/ (the trained head, a few kB)

Categories forest, sea and street from shared/datasets/scenes; training through the old
train(catalog, epochs=4, folds=2), so the model file holds two fold heads (about 2.6 MB). One threshold is set by hand after training. The result is
copied into tests/data/library_c985203/: the library folder itself, plus manifest.json that
maps every photo file of the tree (after the runs) and of the rolls (before the runs) to the
shared photo it is a byte copy of, so a test can re-materialise the exact tree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

COMMIT = "c985203"
ROOT = Path("/tmp/photosort-fixture-c985203")
HERE = Path(__file__).resolve().parent
OUT = HERE / "library_c985203"

CATEGORIES = ["forest", "sea", "street"]
EXAMPLES = 5
# roll photos: (shared scenes folder, index in its sorted listing, past the examples)
ROLL1 = [("forest", 5), ("forest", 6), ("sea", 5), ("sea", 6), ("street", 5), ("glacier", 0)]
ROLL2 = [("forest", 7), ("sea", 7), ("mountain", 0)]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _photosort(*args: str, base: Path, env: dict) -> None:
    cmd = [sys.executable, "-m", "photosort", "--library", str(ROOT / "library"), *args]
    print("$", " ".join(cmd[2:]), flush=True)
    subprocess.run(cmd, cwd=base, env=env, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared"))
    parser.add_argument("--base", type=Path, default=Path("/work/base"), help="checkout of c985203")
    args = parser.parse_args()
    head = subprocess.run(["git", "-C", str(args.base), "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    if not head.startswith(COMMIT):
        sys.exit(f"{args.base} is at {head}, not {COMMIT}")
    scenes = args.shared / "datasets" / "scenes"
    listing = {d.name: sorted(d.iterdir(), key=lambda p: p.name) for d in scenes.iterdir()}

    shutil.rmtree(ROOT, ignore_errors=True)
    placed: dict[Path, Path] = {}  # tree path -> shared photo

    def put(shared: Path, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared, dest)
        placed[dest] = shared

    for name in CATEGORIES:
        for shared in listing[name][:EXAMPLES]:
            put(shared, ROOT / "examples" / name / shared.name)
    for roll, picks in (("roll1", ROLL1), ("roll2", ROLL2)):
        for folder, index in picks:
            shared = listing[folder][index]
            put(shared, ROOT / roll / f"{folder}-{shared.name}")
    before = {str(p.relative_to(ROOT)): str(s.relative_to(args.shared)) for p, s in placed.items()}

    env = {
        **os.environ,
        "PYTHONPATH": str(args.base),
        "PYTHONDONTWRITEBYTECODE": "1",  # leave the old checkout as it is
        "PHOTOSORT_DATA_DIR": str(ROOT / "data"),
        "PHOTOSORT_CONFIG_DIR": str(ROOT / "config"),
        # its own cache: the old code's converted-weights files must not mix with today's
        "PHOTOSORT_CACHE_DIR": "/tmp/photosort-fixture-c985203-cache",
    }
    run = lambda *a: _photosort(*a, base=args.base, env=env)  # noqa: E731
    for name in CATEGORIES:
        run("category", "add", name, "--folder", str(ROOT / "sorted" / name))
        run("label", name, str(ROOT / "examples" / name))
    # Training through the old Python API: its CLI has no --folds, and each fold's head adds
    # 1.3 MB to the model file (the saved sorter averages the fold heads).
    train = (f"from photosort.catalog import Catalog; from photosort.training import train; "
             f"c = Catalog({str(ROOT / 'library')!r}); r = train(c, epochs=4, folds=2); "
             f"print('trained model version', r.version.id); c.close()")
    print("$ python -c", repr(train), flush=True)
    subprocess.run([sys.executable, "-c", train], cwd=args.base, env=env, check=True)
    run("category", "threshold", "street", "0.4")
    run("sort", str(ROOT / "roll1"))
    run("sort", str(ROOT / "roll2"), "--move")
    run("history")

    by_hash = {_sha(s): s for s in placed.values()}
    after = {}
    for path in sorted(p for p in ROOT.rglob("*") if p.is_file()):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("library", "data", "config"):
            continue
        after[str(rel)] = str(by_hash[_sha(path)].relative_to(args.shared))  # KeyError: not a copy

    shutil.rmtree(OUT, ignore_errors=True)
    shutil.copytree(ROOT / "library", OUT / "library",
                    ignore=shutil.ignore_patterns("*.lock", "*-journal", "*-wal", "*-shm", "locks"))
    manifest = {
        "commit": COMMIT,
        "root": str(ROOT),
        "library": "library",
        "categories": CATEGORIES,
        "photos_before_runs": before,
        "photos_after_runs": after,
        "library_files": sorted(str(p.relative_to(OUT)) for p in (OUT / "library").rglob("*") if p.is_file()),
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
