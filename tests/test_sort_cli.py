"""The sort, undo, history and watch commands, on real photos with a really trained sorter,
including a sort killed with SIGKILL part-way and run again."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers.sorting import digest, folder_files, make_camera_roll, scene_photo, snapshot, temp_files

from photosort.catalog import Catalog
from photosort.cli import main
from photosort.sorting import files, sort_folder

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def roll(tmp_path, datasets_dir) -> Path:
    make_camera_roll(datasets_dir, tmp_path / "DCIM")
    return tmp_path / "DCIM"


def photosort_process(library: Path, *args: str, **env: str) -> subprocess.Popen:
    """``python -m photosort --library LIBRARY ARGS...`` in a child process."""
    return subprocess.Popen(
        [sys.executable, "-m", "photosort", "--library", str(library), *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]), "PYTHONUNBUFFERED": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def expected_copies(library: Path, roll: Path) -> Counter:
    """(category, file name) of every copy a sort should make, from a dry run with real scores."""
    with Catalog(library) as catalog:
        dry = sort_folder(catalog, roll, dry_run=True)
    return Counter((name, p.source.name) for p in dry.placements for name in p.copied)


def copies_on_disk(tmp_path: Path) -> Counter:
    root = tmp_path / "sorted"
    if not root.exists():  # undo removed the category folders it had created
        return Counter()
    return Counter((folder.name, f.name) for folder in sorted(root.iterdir()) for f in folder_files(folder)
                   if not f.name.startswith("."))


def test_sort_history_and_undo_commands(trained_library, roll, tmp_path, capsys):
    lib = ["--library", str(trained_library)]
    before = snapshot(roll)

    assert main([*lib, "sort", str(roll), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Dry run: no files were changed. Would copy:\n") and " -> " in out
    assert not (tmp_path / "sorted").exists()

    summary_file = tmp_path / "out" / "summary.json"
    assert main([*lib, "sort", str(roll), "--json", str(summary_file)]) == 0
    out = capsys.readouterr().out
    data = json.loads(summary_file.read_text(encoding="utf-8"))
    assert {"scanned", "sorted", "copies", "unsorted", "skipped", "errors", "per_category"} <= set(data)
    assert data["scanned"] == len(list(roll.rglob("*.jpg"))) and data["copies"] == sum(copies_on_disk(tmp_path).values())
    assert f"Scanned {data['scanned']} photos" in out and f"{data['copies']} copies made" in out
    assert f"'photosort undo {data['run_id']}' takes it back" in out

    assert main([*lib, "history", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [(r["status"], r["dry_run"], r["copies"]) for r in runs] == [
        ("dry-run", True, data["copies"]), ("done", False, data["copies"])]
    assert main([*lib, "history"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["RUN", "STARTED", "KIND"] and len(table) == 3

    assert main([*lib, "undo"]) == 0
    assert capsys.readouterr().out.startswith(f"Undid run {data['run_id']}: removed {data['copies']} copies")
    assert snapshot(roll) == before and not (tmp_path / "sorted").exists()
    assert main([*lib, "undo"]) == 1
    assert capsys.readouterr().err == "photosort: error: There is no sort to undo.\n"


def test_sort_without_a_trained_sorter_says_what_to_do(tmp_path, roll, capsys):
    assert main(["--library", str(tmp_path / "fresh"), "sort", str(roll)]) == 1
    err = capsys.readouterr().err
    assert err == "photosort: error: No trained sorter yet: label examples and run 'photosort train' first.\n"


@pytest.mark.parametrize("crash_at", ["temp-written:3", "published:3"])
def test_a_sort_killed_part_way_finishes_on_the_next_run(trained_library, roll, tmp_path, capsys, crash_at):
    expected = expected_copies(trained_library, roll)
    assert sum(expected.values()) > 3

    killed = photosort_process(trained_library, "sort", str(roll), **{files.CRASH_ENV: crash_at})
    output, _ = killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL, output
    with Catalog(trained_library) as catalog:
        pending = catalog.file_ops(state="pending")
    assert len(pending) == 1
    if crash_at.startswith("temp-written"):  # killed between writing the temporary file and renaming it
        assert temp_files(tmp_path / "sorted") == [pending[0].tmp] and not pending[0].dest.exists()
        assert copies_on_disk(tmp_path).total() == 2
    else:  # killed after the rename, before the journal said so
        assert not temp_files(tmp_path / "sorted") and pending[0].dest.exists()
        assert copies_on_disk(tmp_path).total() == 3

    assert main(["--library", str(trained_library), "sort", str(roll)]) == 0
    out = capsys.readouterr().out
    assert "Note: Run " in out and "was interrupted; its unfinished copies were completed." in out
    assert copies_on_disk(tmp_path) == expected  # every copy, each exactly once
    assert not temp_files(tmp_path / "sorted")
    with Catalog(trained_library) as catalog:
        assert catalog.file_ops(state="pending") == []


def roll_contents(roll: Path) -> Counter:
    return Counter(digest(p) for p in roll.rglob("*") if p.is_file())


@pytest.mark.parametrize("crash_at", ["remove-journaled:2", "removed:2"])
def test_a_move_killed_after_journaling_a_removal_finishes_without_loss_or_duplicates(
        trained_library, roll, tmp_path, capsys, crash_at):
    before = snapshot(roll)
    originals = roll_contents(roll)
    expected = expected_copies(trained_library, roll)
    killed = photosort_process(trained_library, "sort", str(roll), "--move", **{files.CRASH_ENV: crash_at})
    output, _ = killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL, output
    with Catalog(trained_library) as catalog:
        [pending] = catalog.file_ops(state="pending")
    assert pending.op == "remove" and pending.src.exists() == crash_at.startswith("remove-journaled")

    assert main(["--library", str(trained_library), "sort", str(roll), "--move"]) == 0
    assert "was interrupted" in capsys.readouterr().out
    assert copies_on_disk(tmp_path) == expected  # every copy, each exactly once
    sorted_names = {name for _, name in expected}
    assert {p.name for p in roll.rglob("*.jpg")}.isdisjoint(sorted_names)  # every sorted original moved
    kept = Counter(digest(f) for folder in (tmp_path / "sorted").iterdir() for f in folder_files(folder))
    assert set(originals) <= set(kept) | set(roll_contents(roll))  # no photo lost
    with Catalog(trained_library) as catalog:
        assert catalog.file_ops(state="pending") == []

    for run in reversed(json.loads(_history_json(trained_library, capsys))):
        if run["status"] not in ("undone", "dry-run"):
            assert main(["--library", str(trained_library), "undo", str(run["id"])]) == 0
    assert snapshot(roll) == before and copies_on_disk(tmp_path).total() == 0 and not temp_files(roll, tmp_path)


def _history_json(library: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["--library", str(library), "history", "--json"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("crash_at", ["published:2", "undo-removed:2"], ids=["mid-restore", "mid-remove"])
def test_an_undo_killed_part_way_finishes_on_the_next_undo(trained_library, roll, tmp_path, capsys, crash_at):
    before = snapshot(roll)
    lib = ["--library", str(trained_library)]
    assert main([*lib, "sort", str(roll), "--move"]) == 0
    run_id = json.loads(_history_json(trained_library, capsys))[-1]["id"]
    killed = photosort_process(trained_library, "undo", str(run_id), **{files.CRASH_ENV: crash_at})
    output, _ = killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL, output

    assert main([*lib, "undo", str(run_id)]) == 0
    out = capsys.readouterr().out
    assert f"Undoing run {run_id} was interrupted" in out and f"Undid run {run_id}" in out
    assert snapshot(roll) == before  # every original back, byte for byte, none twice
    assert copies_on_disk(tmp_path).total() == 0 and not temp_files(roll, tmp_path)


def test_two_sorts_at_once_both_finish_without_duplicates(trained_library, roll, tmp_path):
    expected = expected_copies(trained_library, roll)
    first = photosort_process(trained_library, "sort", str(roll))
    second = photosort_process(trained_library, "sort", str(roll))
    outputs = [p.communicate(timeout=600)[0] for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert not any("Traceback" in out for out in outputs)
    assert copies_on_disk(tmp_path) == expected  # the second waited, then found them sorted
    assert any("already sorted" in out and ", 0 copies made" in out for out in outputs)


def test_undo_of_a_run_a_later_move_relied_on_says_what_it_put_back(trained_library, roll, tmp_path, capsys):
    lib = ["--library", str(trained_library)]
    originals = roll_contents(roll)
    assert main([*lib, "sort", str(roll)]) == 0
    assert main([*lib, "sort", str(roll), "--move"]) == 0
    assert main([*lib, "undo", "1"]) == 0
    out = capsys.readouterr().out
    assert "Note: Put " in out and "back first: run 2's --move had removed it" in out
    assert roll_contents(roll) == originals


def test_watch_prints_each_sorted_photo_and_ctrl_c_stops_it_cleanly(trained_library, tmp_path, datasets_dir):
    dcim = tmp_path / "DCIM"
    dcim.mkdir()
    watch = photosort_process(trained_library, "watch", str(dcim))
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in watch.stdout], daemon=True).start()

    def wait_for(text: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if text in line:
                return line
        pytest.fail(f"the watcher never printed {text!r}")

    try:
        wait_for("Watching")
        shutil.copy2(scene_photo(datasets_dir, "forest", 21), dcim / "IMG_0001.jpg")
        line = wait_for("IMG_0001.jpg")
        assert "IMG_0001.jpg -> " in line or "no category" in line
        watch.send_signal(signal.SIGINT)
        assert watch.wait(timeout=60) == 0
        assert "Stopped. Sorted" in wait_for("Stopped.")
    finally:
        watch.kill()
        watch.wait()
