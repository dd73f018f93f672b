"""The experiment reports committed under docs/experiments/: one `photosort experiment` per
shared dataset (scenes, pets, people, MIML), default configurations, seed 0.

    python bench/experiments.py                  # all four (roughly 10 min each on 2 cores)
    python bench/experiments.py scenes miml      # some of them

Each report (results.json, index.html, PNGs) goes to docs/experiments/<name>/; embeddings are
cached in its cache/ folder (git-ignored), so a rerun retrains without re-embedding.
"""

from __future__ import annotations

import argparse
import sys

from common import DATASETS, REPO

SOURCES = {
    "scenes": DATASETS / "scenes",
    "pets": DATASETS / "pets",
    "people": DATASETS / "people",
    "miml": DATASETS / "miml" / "labels.csv",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", nargs="*", metavar="NAME", help=f"any of {', '.join(SOURCES)} (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--configs", nargs="+", default=None, metavar="SPEC")
    args = parser.parse_args(argv)
    from photosort.cli import main as photosort

    unknown = [n for n in args.datasets if n not in SOURCES]
    if unknown:
        parser.error(f"unknown dataset {unknown[0]!r} (choose from {', '.join(SOURCES)})")
    code = 0
    for name in args.datasets or list(SOURCES):
        extra = ["--configs", *args.configs] if args.configs else []
        out = REPO / "docs" / "experiments" / name
        print(f"== {name} -> {out}", flush=True)
        code |= photosort(["experiment", str(SOURCES[name]), "--out", str(out), "--seed", str(args.seed), *extra])
    return code


if __name__ == "__main__":
    sys.exit(main())
