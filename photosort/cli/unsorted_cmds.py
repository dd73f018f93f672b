"""photosort unsorted [RUN]: the photos a sort sent to no folder, with their closest category."""

from __future__ import annotations

import json


def register(sub) -> None:
    cmd = sub.add_parser("unsorted", help="list the photos a sort sent to no folder (the last sort by default)")
    cmd.add_argument("run", nargs="?", type=int, metavar="RUN", help="run number (see 'photosort history')")
    cmd.add_argument("--json", action="store_true", help="print JSON")
    cmd.set_defaults(func=unsorted_command)


def unsorted_command(args, open_catalog) -> int:
    from photosort.teaching.unsorted import unsorted_photos

    with open_catalog() as catalog:
        run, items = unsorted_photos(catalog, args.run)
    if args.json:
        print(json.dumps({"run": run.id, "photos": [
            {"path": str(u.photo.path), "photo_id": u.photo.id, "best": u.best, "score": u.score, "threshold": u.threshold}
            for u in items]}, indent=2, ensure_ascii=False))
        return 0
    if not items:
        print(f"Every photo of run {run.id} went to a folder.")
        return 0
    print(f"{len(items)} photos of run {run.id} went to no folder (closest to a category first):")
    for u in items:
        near = f"{u.best} {u.score:.2f} (needs {u.threshold:.2f})" if u.best and u.threshold is not None else (
            f"{u.best} {u.score:.2f}" if u.best else "no score recorded")
        print(f"  {u.photo.path}  closest: {near}")
    print("Make some of them examples with 'photosort label CATEGORY PHOTO...', then train again.")
    return 0
