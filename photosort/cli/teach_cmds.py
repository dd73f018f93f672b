"""photosort teach SOURCE: one question per line about the camera roll's photos; y / n / s / q.

Each answer becomes a label of that category (yes: an example, no: an explicit "not this").
After every round of --every questions it offers to retrain (quick: the embeddings are cached) and says
how the held-out F1 moved. Also registers 'photosort unsorted'.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from photosort.errors import PhotosortError

ANSWERS = {"y": True, "yes": True, "n": False, "no": False, "s": None, "skip": None}


def register(sub) -> None:
    from photosort.cli import unsorted_cmds

    teach = sub.add_parser("teach", help="answer questions about the photos the sorter is least sure of")
    teach.add_argument("source", type=Path, help="camera-roll folder to ask about")
    teach.add_argument("--every", type=int, default=10, metavar="N",
                       help="offer to retrain after every N answers (10 to 20; default 10)")
    teach.add_argument("--views", type=int, default=None, help=argparse.SUPPRESS)  # tests: no augmented views
    teach.set_defaults(func=teach_command)
    unsorted_cmds.register(sub)


def _ask(prompt: str) -> str | None:
    """One line from stdin (None at its end), the prompt shown first."""
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not line:
        print()
        return None
    if not sys.stdin.isatty():  # answers piped in: echo them, one question per line in the log
        print(line.strip())
    return line.strip().lower()


def teach_command(args, open_catalog) -> int:
    from photosort.errors import NotEnoughExamples
    from photosort.teaching.loop import TeachLoop

    if not 10 <= args.every <= 20:
        raise PhotosortError("--every takes a number from 10 to 20.")
    counts = {True: 0, False: 0, None: 0}
    with open_catalog() as catalog:
        loop = TeachLoop(catalog, args.source, views=args.views)
        print(f"{len(loop.photos)} photos in {loop.source}. Answer y (yes), n (no), s (skip) or q (quit).")
        since, quit_ = 0, False
        while not quit_:
            questions = loop.next_questions(args.every)
            if not questions:
                print("No more questions about these photos.")
                break
            for q in questions:
                reply = ""
                while reply not in ANSWERS:
                    reply = _ask(f"{q.photo.path}  is it '{q.category}'? (score {q.score:.2f}, "
                                 f"threshold {q.threshold:.2f}) [y/n/s/q] ")
                    if reply is None or reply in ("q", "quit"):
                        quit_ = True
                        break
                if quit_:
                    break
                yes = ANSWERS[reply]
                loop.answer(q, yes)
                counts[yes] += 1
                since += yes is not None
            if since:  # a round of --every questions asked: offer to learn from its answers
                reply = _ask(f"{since} new answers. Retrain now? [y/n] ")
                if reply in ("y", "yes"):
                    try:
                        done = loop.retrain()
                    except NotEnoughExamples as exc:
                        print(f"Not retrained yet: {exc}")
                    else:
                        since = 0
                        before = "none (no trained head)" if done.before is None else f"{done.before:.3f}"
                        print(f"Retrained: model version {done.version_id}; held-out macro F1 {before} -> {done.after:.3f}.")
    print(f"{counts[True]} yes, {counts[False]} no, {counts[None]} skipped; the answers are saved as labels.")
    return 0
