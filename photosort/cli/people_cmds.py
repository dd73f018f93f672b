"""People commands: person categories, faces on a category's copies, forgetting a person."""

from __future__ import annotations


def register_category(cat_sub) -> None:
    """``photosort category person|faces``: added to the category command's actions."""
    person = cat_sub.add_parser("person", help="score a category from its examples' faces (a person)")
    person.add_argument("name")
    person.add_argument("--off", action="store_true", help="make it an ordinary category again")
    person.set_defaults(func=category_person)
    faces = cat_sub.add_parser("faces", help="keep, blur or pixelate faces in a category's copies")
    faces.add_argument("name")
    faces.add_argument("mode", choices=("keep", "blur", "pixelate"))
    faces.set_defaults(func=category_faces)


def register(sub) -> None:
    person = sub.add_parser("person", help="people: forget a person's face data")
    cmds = person.add_subparsers(dest="person_command", metavar="ACTION")
    cmds.required = True
    forget = cmds.add_parser("forget", help="delete a person's face data and examples (catalog and its backups)")
    forget.add_argument("name", help="the person category")
    forget.set_defaults(func=person_forget)


def category_person(args, open_catalog) -> int:
    with open_catalog() as catalog:
        record = catalog.set_person(args.name, not args.off)
    if record.person:
        print(f"'{record.name}' is a person: its examples' faces define them. Train again to set its threshold.")
    else:
        print(f"'{record.name}' is an ordinary category again.")
    return 0


def category_faces(args, open_catalog) -> int:
    with open_catalog() as catalog:
        record = catalog.set_faces_mode(args.name, args.mode)
    what = {"keep": "keep their faces", "blur": "have faces blurred", "pixelate": "have faces pixelated"}
    print(f"Copies into '{record.name}' {what[record.faces]} (originals are never changed).")
    return 0


def person_forget(args, open_catalog) -> int:
    with open_catalog() as catalog:
        catalog.category(args.name)  # a clear error for an unknown name
        n = catalog.forget_person(args.name)
    print(f"Forgot '{args.name}': the face data and labels of {n} example photos are deleted from the "
          "catalog and its backups. Mark new examples to define the person again.")
    return 0
