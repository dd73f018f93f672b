"""Accuracy on held-out shared photos: train on 80% of a set, evaluate on the other 20%.

The split is seeded and stratified per category with photosort's own multi-label fold dealer
(``training.stratified_folds``, 5 folds: fold 0 is the test part), so each category keeps its
share in both parts. The train part is written as a ``file,labels`` CSV and imported with
``photosort import``, the sorter is trained with photosort's defaults on a fresh library, and
the test part is scored by ``photosort.evaluation.evaluate`` — what ``photosort evaluate`` runs
— at the thresholds training chose.

Sets: scenes (6 categories × 50, target macro F1 ≥ 0.88) and miml (1,000 photos, 5
overlapping labels, target micro F1 ≥ 0.86).

    python bench/evaluate.py --set scenes --json bench/out/evaluate_scenes.json
    python bench/evaluate.py --set miml --json bench/out/evaluate_miml.json
    python bench/evaluate.py --set scenes --all-folds     # each fifth tested once: a steadier figure
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import common

SETS = {
    "scenes": ("scenes", "macro_f1", 0.88),
    "miml": ("miml/labels.csv", "micro_f1", 0.86),
}
FOLDS = 5  # fold 0 of 5: a 20% test part


def split(dataset: Path, seed: int, test_fold: int = 0) -> tuple[list, list]:
    """(train items, test items) of a dataset, stratified per category."""
    from photosort.datasets import read_dataset
    from photosort.training import stratified_folds

    data = read_dataset(dataset)
    fold_of = stratified_folds(data.label_matrix(data.categories), FOLDS, seed)
    train = [item for item, fold in zip(data.items, fold_of) if fold != test_fold]
    test = [item for item, fold in zip(data.items, fold_of) if fold == test_fold]
    return train, test


def write_csv(path: Path, items) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "labels"])
        for item in items:  # absolute paths: the CSV needn't sit beside the photos
            writer.writerow([str(item.path.absolute()), ";".join(sorted(item.labels))])
    return path


def train_and_evaluate(library: str, train_csv: str, test_csv: str) -> dict:
    from photosort.catalog import Catalog
    from photosort.evaluation import evaluate

    common.import_dataset(Path(library), Path(train_csv), Path(library) / "sorted")
    trained = common.train_library(library)
    with Catalog(library) as catalog:
        started = time.perf_counter()
        report = evaluate(catalog, test_csv)
        report["evaluate_s"] = time.perf_counter() - started
    report["train_s"] = trained["seconds"]
    return report


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Train on 80% of a shared photo set, evaluate on the other 20%.")
    parser.add_argument("--set", choices=sorted(SETS), required=True, help="which shared set")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    parser.add_argument("--all-folds", action="store_true",
                        help=f"repeat with each of the {FOLDS} folds as the test part (every photo tested once) "
                             "and report the mean: steadier than one split of a small set")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures here")
    return parser


def run_fold(name: str, seed: int, test_fold: int) -> dict:
    """Split, import, train and evaluate once; print the report; return the figures."""
    from photosort.metrics import format_report

    source, target_metric, target = SETS[name]
    work = common.CACHE / "runs" / f"evaluate_{name}_{os.getpid()}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    train, test = split(common.DATASETS / source, seed, test_fold)
    print(f"{name}: {len(train)} photos to train on, {len(test)} to test on (seed {seed}, test fold {test_fold})",
          flush=True)
    report = common.in_subprocess(
        train_and_evaluate, str(work / "library"),
        str(write_csv(work / "train.csv", train)), str(write_csv(work / "test.csv", test)),
    )
    print(format_report(report))
    print(f"(training {report['train_s']:.0f} s, evaluation {report['evaluate_s']:.0f} s)")
    if report.get("skipped"):
        print(f"skipped {len(report['skipped'])} photos: {report['skipped'][:3]}")
    shutil.rmtree(work)
    return {
        "test_fold": test_fold, "train_photos": len(train), "test_photos": len(test),
        "categories": report["categories"], "micro_f1": report["micro_f1"], "macro_f1": report["macro_f1"],
        "train_s": round(report["train_s"], 1), "evaluate_s": round(report["evaluate_s"], 1),
    }


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    common.note_version()
    _, target_metric, target = SETS[args.set]
    runs = [run_fold(args.set, args.seed, fold) for fold in (range(FOLDS) if args.all_folds else [0])]
    result = {"set": args.set, "seed": args.seed, **runs[0]} if len(runs) == 1 else {
        "set": args.set, "seed": args.seed, "folds": runs,
        "micro_f1": statistics.mean(r["micro_f1"] for r in runs),
        "macro_f1": statistics.mean(r["macro_f1"] for r in runs),
    }
    if len(runs) > 1:
        print(f"mean over {len(runs)} folds: micro F1 {result['micro_f1']:.3f}, macro F1 {result['macro_f1']:.3f} "
              f"(per fold {target_metric.replace('_', ' ')}: {', '.join(f'{r[target_metric]:.3f}' for r in runs)})")
    reached = result[target_metric] >= target
    result["target"] = {target_metric: target, "met": reached}
    print(f"target {target_metric.replace('_', ' ')} ≥ {target}: {'met' if reached else 'NOT met'}")
    common.write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
