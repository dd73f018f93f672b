"""Commands that shape the library: categories, labels, importing labelled datasets."""

from __future__ import annotations

import sys
from pathlib import Path

from photosort.errors import PhotosortError


def register(sub) -> None:
    cat = sub.add_parser("category", help="add, list, rename or remove categories")
    cat_sub = cat.add_subparsers(dest="category_command", metavar="ACTION")
    cat_sub.required = True
    add = cat_sub.add_parser("add", help="add a category bound to a destination folder")
    add.add_argument("name")
    add.add_argument("--folder", required=True, type=Path, help="where its photos are copied")
    add.set_defaults(func=category_add)
    cat_sub.add_parser("list", help="list categories").set_defaults(func=category_list)
    rename = cat_sub.add_parser("rename", help="rename a category")
    rename.add_argument("old")
    rename.add_argument("new")
    rename.set_defaults(func=category_rename)
    remove = cat_sub.add_parser("remove", help="remove a category and its labels (no file is touched)")
    remove.add_argument("name")
    remove.set_defaults(func=category_remove)
    folder = cat_sub.add_parser("folder", help="change a category's destination folder")
    folder.add_argument("name")
    folder.add_argument("folder", type=Path)
    folder.set_defaults(func=category_folder)
    threshold = cat_sub.add_parser("threshold", help="set a category's threshold (0..1)")
    threshold.add_argument("name")
    threshold.add_argument("value", type=float)
    threshold.set_defaults(func=category_threshold)
    from photosort.cli import people_cmds

    people_cmds.register_category(cat_sub)

    label = sub.add_parser("label", help="use photos (files or folders) as examples of a category")
    label.add_argument("category")
    label.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    group = label.add_mutually_exclusive_group()
    group.add_argument("--negative", action="store_true", help="mark them as NOT this category")
    group.add_argument("--remove", action="store_true", help="take the label off these photos")
    label.set_defaults(func=label_paths)

    imp = sub.add_parser("import", help="import a labelled dataset (category folders or a file,labels CSV)")
    imp.add_argument("dataset", type=Path)
    imp.add_argument("--dest", type=Path, metavar="ROOT",
                     help="each new category's folder is ROOT/NAME (default: ~/Pictures/photosort)")
    imp.set_defaults(func=import_dataset)


def category_add(args, open_catalog) -> int:
    with open_catalog() as catalog:
        record = catalog.add_category(args.name, args.folder)
    print(f"Added category '{record.name}' → {record.folder}")
    return 0


def category_list(args, open_catalog) -> int:
    with open_catalog() as catalog:
        records = catalog.categories()
    if not records:
        print("No categories yet. Add one with: photosort category add NAME --folder DIR")
        return 0
    width = max(len(r.name) for r in records)
    for r in records:
        print(f"{r.name:<{width}}  {r.positives:4d} examples  {r.negatives:3d} negatives  "
              f"threshold {r.threshold:.2f}  → {r.folder}")
    return 0


def category_rename(args, open_catalog) -> int:
    with open_catalog() as catalog:
        catalog.rename_category(args.old, args.new)
    print(f"Renamed '{args.old}' to '{args.new}'.")
    return 0


def category_remove(args, open_catalog) -> int:
    with open_catalog() as catalog:
        folder = catalog.category(args.name).folder
        catalog.remove_category(args.name)
    print(f"Removed category '{args.name}' (its folder {folder} and the photos in it are kept).")
    return 0


def category_folder(args, open_catalog) -> int:
    with open_catalog() as catalog:
        record = catalog.set_folder(args.name, args.folder)
    print(f"'{record.name}' now sorts into {record.folder}")
    return 0


def category_threshold(args, open_catalog) -> int:
    with open_catalog() as catalog:
        record = catalog.set_threshold(args.name, args.value)
    print(f"'{record.name}' threshold is now {record.threshold:.3f}")
    return 0


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files as given, folders expanded to the photos inside them; missing paths reported."""
    from photosort import images  # not at start-up: it brings numpy and Pillow

    found: list[Path] = []
    problems: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            found += list(images.iter_photos(path))
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            problems.append((path, "no such file or folder"))
    return found, problems


def _report_skipped(skipped: list[tuple[Path, str]]) -> None:
    for path, reason in skipped[:20]:
        print(f"  skipped {path}: {reason}", file=sys.stderr)
    if len(skipped) > 20:
        print(f"  ... and {len(skipped) - 20} more", file=sys.stderr)


def label_paths(args, open_catalog) -> int:
    from photosort.registration import register_photos  # reads images: not at start-up

    paths, problems = expand_paths(args.paths)
    with open_catalog() as catalog:
        catalog.category(args.category)  # fail early on an unknown category
        records, skipped = register_photos(catalog, paths)
        ids = [r.id for r in records]
        if args.remove:
            catalog.unlabel(args.category, ids)
            verb = "Removed the label from"
        else:
            catalog.label(args.category, ids, positive=not args.negative)
            verb = "Marked as NOT" if args.negative else "Labelled as"
    target = "" if args.remove else f" '{args.category}'"
    print(f"{verb}{target}: {len(ids)} photos" + (f" ({args.category})" if args.remove else "") + ".")
    _report_skipped(problems + skipped)
    return 0 if ids or not (problems or skipped) else 1


def import_dataset(args, open_catalog) -> int:
    from photosort.datasets import read_dataset
    from photosort.registration import register_photos

    data = read_dataset(args.dataset)
    root = (args.dest or Path.home() / "Pictures" / "photosort").expanduser().absolute()
    with open_catalog() as catalog:
        existing = {c.name for c in catalog.categories()}
        for name in data.categories:
            if name not in existing:
                catalog.add_category(name, root / name)
                print(f"Added category '{name}' → {root / name}")
        records, skipped = register_photos(catalog, [item.path for item in data.items])
        by_path = {r.path: r.id for r in records}
        positives: dict[str, list[int]] = {name: [] for name in data.categories}
        no_label: list[int] = []
        for item in data.items:
            photo_id = by_path.get(item.path.absolute())
            if photo_id is None:
                continue
            for name in item.labels:
                positives[name].append(photo_id)
            if not item.labels:
                no_label.append(photo_id)
        for name, ids in positives.items():
            catalog.label(name, ids)
        for name in data.categories:  # a photo of none of them teaches "none of these"
            catalog.label(name, no_label, positive=False)
    print(f"Imported {len(by_path)} photos into {len(data.categories)} categories"
          + (f" ({len(no_label)} with no category)" if no_label else "") + ".")
    _report_skipped(data.problems + skipped)
    if not by_path:
        raise PhotosortError(f"No readable photos in {args.dataset}.")
    return 0
