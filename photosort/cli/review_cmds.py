"""Commands that review what a category received and correct a photo sorted into the wrong one."""

from __future__ import annotations

import json
from pathlib import Path

from photosort.errors import PhotosortError


def register(sub) -> None:
    review = sub.add_parser("review", help="list what a category's folder received, least confident first")
    review.add_argument("category", metavar="CATEGORY")
    review.add_argument("--json", action="store_true", help="print the list as JSON")
    review.set_defaults(func=review_command)

    correct = sub.add_parser("correct", help="take a wrongly sorted photo out of a category's folder "
                                             "(undo with 'photosort undo RUN')")
    correct.add_argument("path", type=Path, metavar="PATH", help="the photo, in the wrong category's folder")
    correct.add_argument("--not", dest="wrong", required=True, metavar="CATEGORY", help="the category it is not")
    correct.add_argument("--to", dest="right", metavar="OTHER", help="the category it belongs to (copied there)")
    correct.set_defaults(func=correct_command)


def review_command(args, open_catalog) -> int:
    from photosort.sorting.review import received

    with open_catalog() as catalog:
        copies = received(catalog, args.category)
    if args.json:
        print(json.dumps([{"path": str(c.dest), "score": c.score, "source": str(c.src), "run_id": c.run_id}
                          for c in copies], indent=2, ensure_ascii=False))
        return 0
    if not copies:
        print(f"Nothing sorted into '{args.category}' yet.")
        return 0
    print(f"{len(copies)} photo{'s' if len(copies) != 1 else ''} in '{args.category}', least confident first:")
    for copy in copies:
        score = f"{copy.score:.3f}" if copy.score is not None else "  -  "
        print(f"  {score}  {copy.dest}")
    return 0


def correct_command(args, open_catalog) -> int:
    from photosort.sorting.review import correct, received

    path = args.path.expanduser().absolute()
    with open_catalog() as catalog:
        found = next((c for c in received(catalog, args.wrong) if c.dest == path or c.dest.resolve() == path.resolve()),
                     None)
        if found is None:
            raise PhotosortError(f"{path} is not a photo sorting put into '{args.wrong}'; "
                                 f"'photosort review {args.wrong}' lists them.")
        done = correct(catalog, found, args.wrong, args.right)
    print(done.line())
    if done.run_id is not None:
        print(f"Run {done.run_id}; 'photosort undo {done.run_id}' takes it back.")
    return 0
