"""Commands that sort photos into the category folders, take a sort back, and watch a folder."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from photosort.cli.progress_bar import ProgressBar
from photosort.errors import PhotosortError


def register(sub) -> None:
    sort = sub.add_parser("sort", help="copy photos into every category folder whose threshold they pass")
    sort.add_argument("source", type=Path, metavar="SOURCE", help="folder to sort (recursively), e.g. a camera roll")
    sort.add_argument("--dry-run", action="store_true", help="show what would be copied where; change no files")
    sort.add_argument("--move", action="store_true",
                      help="remove each original once all its copies are verified (default: keep it)")
    sort.add_argument("--json", type=Path, metavar="OUT", help="also write the summary as JSON")
    sort.add_argument("--cluster", metavar="ADDRESS",
                      help="score on a running Ray cluster (host:port of its head, or 'auto' for the one "
                           "started on this machine); needs photosort[cluster] and shared storage")
    sort.set_defaults(func=sort_command)

    undo = sub.add_parser("undo", help="take a sort back (the last one by default)")
    undo.add_argument("run", type=int, nargs="?", metavar="RUN", help="run number, from 'photosort history'")
    undo.set_defaults(func=undo_command)

    hist = sub.add_parser("history", help="list past sorts")
    hist.add_argument("--json", action="store_true", help="print the list as JSON")
    hist.set_defaults(func=history_command)

    watch = sub.add_parser("watch", help="sort new photos as they arrive in a folder (Ctrl-C stops)")
    watch.add_argument("folder", type=Path, metavar="DCIM", help="folder to watch, e.g. a phone's DCIM")
    watch.set_defaults(func=watch_command)


def sort_command(args, open_catalog) -> int:
    from photosort.sorting import sort_folder

    scoring = _cluster_scoring(getattr(args, "cluster", None))  # before the library opens: a clear error first
    bar = ProgressBar()
    with open_catalog() as catalog, one_line_errors("sort"):
        try:
            summary = sort_folder(catalog, args.source, dry_run=args.dry_run, move=args.move, on_progress=bar,
                                  **scoring)
        finally:
            bar.close()
    print(format_summary(summary))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")
    return 1 if summary.errors else 0


def _cluster_scoring(address: str | None) -> dict:
    """sort_folder's scorer argument for --cluster: this process connected to the running Ray
    cluster (until it exits) and the cluster's scorer; none without --cluster (local scoring)."""
    if not address:
        return {}
    from photosort.cluster import cluster_scorer, connect

    connect(address)
    return {"scorer": cluster_scorer()}

@contextmanager
def one_line_errors(what: str) -> Iterator[None]:
    """A file system failing under a command (a destination gone, a library on a full disk)
    reaches the person as one line, never a traceback; the journal lets a re-run finish."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise PhotosortError(f"the {what} stopped: {exc.strerror or exc}{where}; "
                             f"fix that and run it again to finish.") from exc


def format_summary(summary) -> str:
    """The end-of-sort report: counts, per-category counts, then every skip and error."""
    lines = []
    if summary.dry_run:
        lines.append("Dry run: no files were changed. Would copy:")
        lines += [f"  {p.source} -> {p.dests[name]}" for p in summary.placements for name in p.copied]
    lines += [f"Note: {note}" for note in summary.notes]
    verb = "would copy" if summary.dry_run else "copies made"
    lines.append(
        f"Scanned {summary.scanned} photos in {summary.seconds:.1f} s ({summary.photos_per_s:.1f} photos/s): "
        f"{summary.sorted} sorted, {summary.copies} {verb}, {summary.unsorted} unsorted, "
        f"{summary.already_sorted} already sorted, {len(summary.skipped)} skipped, {len(summary.errors)} errors."
    )
    if summary.moved:
        lines.append(f"Moved {summary.moved} originals (removed after their copies were verified).")
    for name, count in sorted(summary.per_category.items()):
        lines.append(f"  {name}: {count}")
    lines += [f"Skipped {path}: {reason}" for path, reason in summary.skipped]
    lines += [f"Error: {path}: {reason}" for path, reason in summary.errors]
    if summary.copies and not summary.dry_run:
        lines.append(f"Run {summary.run_id}; 'photosort undo {summary.run_id}' takes it back.")
    return "\n".join(lines)


def undo_command(args, open_catalog) -> int:
    from photosort.sorting import undo_run

    with open_catalog() as catalog, one_line_errors("undo"):
        summary = undo_run(catalog, args.run)
    for note in summary.notes:
        print(f"Note: {note}")
    print(f"Undid run {summary.run_id}: removed {summary.removed} copies, put back {summary.restored} originals.")
    for path, reason in summary.kept:
        print(f"Kept {path}: {reason}")
    for path, reason in summary.errors:
        print(f"Error: {path}: {reason}")
    return 1 if summary.errors else 0


def history_command(args, open_catalog) -> int:
    from photosort.sorting import history

    with open_catalog() as catalog:
        runs = history(catalog)
    if args.json:
        print(json.dumps([run.to_json() for run in runs], indent=2, ensure_ascii=False))
        return 0
    if not runs:
        print("No sorts yet.")
        return 0
    print(f"{'RUN':>4}  {'STARTED':<16}  {'KIND':<5}  {'STATUS':<11}  {'SCANNED':>7}  {'SORTED':>6}  "
          f"{'COPIES':>6}  {'SKIPPED':>7}  SOURCE")
    for run in runs:
        kind = run.kind + (" -n" if run.dry_run else " -m" if run.move else "")
        print(f"{run.id:>4}  {run.started_at:%Y-%m-%d %H:%M}  {kind:<5}  {run.status:<11}  {run.scanned:>7}  "
              f"{run.sorted:>6}  {run.copies:>6}  {run.skipped:>7}  {run.source}")
    return 0


def watch_command(args, open_catalog) -> int:
    from photosort.watcher import FolderWatcher

    with open_catalog() as catalog:
        watcher = FolderWatcher(catalog, args.folder, on_sorted=_print_placement, on_error=_print_error)
        watcher.start()
        print(f"Watching {watcher.folder} (Ctrl-C to stop)...", flush=True)
        try:
            while not watcher.join(timeout=0.5):
                pass
        except KeyboardInterrupt:
            print("\nStopping...", flush=True)
        finally:
            watcher.stop()
            watcher.join()
    totals = watcher.totals
    print(f"Stopped. Sorted {totals.sorted} photos ({totals.copies} copies), {totals.unsorted} unsorted, "
          f"{len(totals.skipped)} skipped, {len(totals.errors)} errors.")
    if watcher.stopped_because or not watcher.should_stop():  # the worker ended by itself
        why = watcher.stopped_because or "see the messages above"
        print(f"photosort: error: the watcher stopped: {why}", file=sys.stderr)
        return 1
    return 0


def _print_placement(placement) -> None:
    if not placement.dests:
        print(f"{placement.source.name}: no category, left where it is", flush=True)
        return
    where = ", ".join(f"{name} ({'new copy' if name in placement.copied else 'already there'}: {dest})"
                      for name, dest in placement.dests.items())
    print(f"{placement.source.name} -> {where}" + (" [original moved]" if placement.moved else ""), flush=True)


def _print_error(path, reason) -> None:
    print(f"Skipped {path}: {reason}", file=sys.stderr, flush=True)
