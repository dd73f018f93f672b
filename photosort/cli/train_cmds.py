"""Commands that train, measure and list sorters."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from photosort.cli.progress_bar import ProgressBar


def register(sub) -> None:
    from photosort.backbones import DEFAULT_BACKBONE

    train = sub.add_parser("train", help="train the sorter on the labelled examples")
    train.add_argument("--backbone", default=None, metavar="NAME",
                       help=f"pretrained network (default {DEFAULT_BACKBONE}; also mobilenet_v2)")
    train.add_argument("--fine-tune", action="store_true",
                       help="also fine-tune the top of the backbone (slower, needs more examples)")
    train.add_argument("--epochs", type=int, default=None, metavar="N", help="most epochs per training round")
    train.add_argument("--json", type=Path, metavar="OUT", help="write the held-out metrics as JSON")
    train.add_argument("--face-features", action=argparse.BooleanOptionalAction, default=None,
                       help="give the head each photo's face count and largest face size "
                            "(default: when a category is a person or blurs faces)")
    train.set_defaults(func=train_command)

    ev = sub.add_parser("evaluate", help="measure the sorter on a labelled dataset (folders or CSV)")
    ev.add_argument("dataset", type=Path)
    ev.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    ev.add_argument("--model", type=int, metavar="ID", help="model version (default: the current one)")
    ev.set_defaults(func=evaluate_command)

    sub.add_parser("models", help="list trained sorters").set_defaults(func=models_command)


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def train_command(args, open_catalog) -> int:
    from photosort import metrics
    from photosort.training import train

    bar = ProgressBar()
    with open_catalog() as catalog:
        try:
            result = train(catalog, backbone=args.backbone, epochs=args.epochs,
                           fine_tune=args.fine_tune, on_progress=bar,
                           face_features=getattr(args, "face_features", None))
        finally:
            bar.close()
    for path, reason in result.skipped:
        print(f"  skipped {path}: {reason}")
    print(f"Trained model version {result.version.id} ({result.version.backbone}) "
          f"on {result.metrics['examples']} photos. Held-out figures:")
    print(metrics.format_report(result.metrics))
    for name, value in result.kept_thresholds.items():
        print(f"Kept your threshold {value:.3f} for '{name}' (this sorter's choice is "
              f"{result.version.thresholds[name]:.3f}: 'photosort category threshold' sets either).")
    if args.json:
        _write_json(args.json, {k: result.metrics[k] for k in ("categories", "micro_f1", "macro_f1")})
    return 0


def evaluate_command(args, open_catalog) -> int:
    from photosort import metrics
    from photosort.evaluation import evaluate

    bar = ProgressBar()
    with open_catalog() as catalog:
        try:
            result = evaluate(catalog, args.dataset, version_id=args.model, on_progress=bar)
        finally:
            bar.close()
    print(f"Model version {result['model_version']} on {result['photos']} photos:")
    print(metrics.format_report(result))
    if result["unknown_categories"]:
        print("Not categories of this sorter (ignored): " + ", ".join(result["unknown_categories"]))
    if result["skipped"]:
        print(f"Skipped {len(result['skipped'])} unreadable photos.")
    if args.json:
        _write_json(args.json, result)
    return 0


def models_command(args, open_catalog) -> int:
    with open_catalog() as catalog:
        versions = catalog.model_versions()
    if not versions:
        print("No trained sorter yet: label examples and run 'photosort train'.")
        return 0
    current = versions[-1].id
    for v in versions:
        macro = v.metrics.get("macro_f1")
        figure = f"macro F1 {macro:.3f}" if isinstance(macro, (int, float)) else ""
        mark = "*" if v.id == current else " "
        tuned = " fine-tuned" if v.fine_tuned else ""
        print(f"{mark} {v.id:3d}  {v.created_at:%Y-%m-%d %H:%M}  {v.backbone}{tuned}  "
              f"{', '.join(v.categories)}  {figure}")
    return 0
