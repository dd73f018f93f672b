"""photosort starter list / add: everyday categories that sort before any example."""

from __future__ import annotations

from pathlib import Path

from photosort.errors import PhotosortError


def register(sub) -> None:
    starter = sub.add_parser("starter", help="starter categories that sort before you label any example")
    cmds = starter.add_subparsers(dest="starter_command", metavar="ACTION")
    cmds.required = True
    listing = cmds.add_parser("list", help="list the starter categories")
    listing.set_defaults(func=list_command)
    add = cmds.add_parser("add", help="add starter categories, each with a folder under ROOT")
    add.add_argument("names", nargs="+", metavar="NAME", help="starter names (see 'photosort starter list')")
    add.add_argument("--dest", required=True, type=Path, metavar="ROOT", help="folder that gets one sub-folder per category")
    add.set_defaults(func=add_command)


def list_command(args, open_catalog) -> int:
    from photosort.starter import STARTERS

    width = max(len(s.name) for s in STARTERS)
    for s in STARTERS:
        print(f"  {s.name:<{width}}  {s.description}")
    return 0


def add_command(args, open_catalog) -> int:
    from photosort.starter import find_starter, mark_starters

    chosen = []
    for name in args.names:
        starter = find_starter(name)
        if starter is None:
            raise PhotosortError(f"'{name}' is not a starter category; 'photosort starter list' shows them.")
        chosen.append(starter)
    root = args.dest.expanduser().absolute()
    with open_catalog() as catalog:
        existing = {c.name for c in catalog.categories()}
        added, ids = [], {}
        for starter in chosen:
            if starter.name in existing:
                print(f"'{starter.name}' is already a category; left as it is.")
                continue
            ids[catalog.add_category(starter.name, root / starter.name).id] = starter.name
            catalog.set_starter(starter.name, starter.name)  # by id: stays a starter if renamed
            added.append(starter.name)
        mark_starters(catalog.library_dir, ids)  # {category id: kind}, as starters.json is read
        if added and catalog.current_model() is None:
            _register_starter_version(catalog)
    for name in added:
        print(f"Added starter category '{name}' -> {root / name}")
    if added:
        print("They sort at once ('photosort sort'); label examples and train to teach them more.")
    return 0


def _register_starter_version(catalog) -> None:
    """A model version with no head: the sorter scores its starters alone until a training."""
    from photosort.config import Settings
    from photosort.predictor import STARTER_VERSION_KEY

    backbone = Settings.load().backbone
    catalog.add_model_version(backbone, [], {}, {STARTER_VERSION_KEY: True}, catalog.models_dir / "starters")
