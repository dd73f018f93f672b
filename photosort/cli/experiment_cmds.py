"""``photosort experiment``: compare model configurations on a labelled dataset, write a report."""

from __future__ import annotations

import threading
from pathlib import Path

from photosort.cli.progress_bar import ProgressBar


def register(sub) -> None:
    ex = sub.add_parser(
        "experiment",
        help="compare backbones, a CNN from scratch and a keypoint baseline on a labelled dataset",
        description="Split DATASET (a folder of category folders, or a file,labels CSV; a 'split' "
        "column decides the split if present) into train/validation/test, train every "
        "configuration, and write results.json, PNG plots and index.html into --out.",
    )
    ex.add_argument("dataset", type=Path)
    ex.add_argument("--out", type=Path, default=None, metavar="DIR",
                    help="report folder (default: experiment-<dataset name>)")
    ex.add_argument("--configs", nargs="+", default=None, metavar="SPEC",
                    help="configurations, e.g. frozen:lite0 frozen:lite0+lite2,aug=full cnn,size=128 "
                    "bovw:orb,clf=nb finetune:lite0 (default: a set of about a dozen)")
    ex.add_argument("--seed", type=int, default=0, help="the split's and training's seed")
    ex.add_argument("--install", action="store_true",
                    help="make the best configuration the library's sorter (frozen single backbone + head)")
    ex.add_argument("--list-defaults", action="store_true", help="print the default configurations and stop")
    ex.set_defaults(func=experiment_command)


def experiment_command(args, open_catalog) -> int:
    from photosort.experiments import DEFAULT_CONFIGS, run_experiment
    from photosort.experiments.report import best_rows

    if args.list_defaults:
        print("\n".join(DEFAULT_CONFIGS))
        return 0
    out = args.out or Path(f"experiment-{args.dataset.resolve().stem}")
    bar, stop = ProgressBar(), threading.Event()
    try:
        result = run_experiment(args.dataset, out, args.configs, seed=args.seed, on_progress=bar,
                                should_stop=stop.is_set)
    finally:
        bar.close()
    _print_table(result.rows)
    best, installable = best_rows(result.rows)
    if result.partial:
        print("Interrupted: the report holds the configurations that finished.")
    print(f"Report: {result.page}" if result.page else "No configuration finished: no report.")
    if args.install and not result.partial:
        return _install(result, best, installable, open_catalog)
    return 130 if result.partial else 0


def _print_table(rows: list[dict]) -> None:
    width = max([len("configuration")] + [len(r["config"]) for r in rows])
    print(f"{'configuration':<{width}}  macro F1  micro F1  top-1   train s  photos/s")
    for r in rows:
        if r.get("status") != "done":
            print(f"{r['config']:<{width}}  failed: {r.get('error', '')}")
            continue
        top1 = f"{r['top1']:.3f}" if "top1" in r else "  –  "
        print(f"{r['config']:<{width}}  {r['macro_f1']:8.3f}  {r['micro_f1']:8.3f}  {top1}  "
              f"{r['train_seconds']:7.1f}  {r['photos_per_s']:8.1f}")


def _install(result, best, installable, open_catalog) -> int:
    from photosort.experiments.install import install_best

    if installable is None:
        print("Not installed: no configuration the library's sorter can run (one frozen backbone at its "
              "native size + the head) finished.")
        return 1
    if best != installable:
        print(f"The best configuration, '{best}', can't be the library's sorter yet (it runs one frozen "
              f"backbone at its native size + the head); installing the best one it can run.")
    root = (Path.home() / "Pictures" / "photosort").absolute()
    with open_catalog() as catalog:
        version, spec = install_best(catalog, result, root)
    print(f"Installed '{spec}' as model version {version.id} (categories: {', '.join(version.categories)}).")
    return 0
