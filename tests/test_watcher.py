"""The folder watcher on real photos with a really trained sorter: slow writes, a burst of
hundreds, renames into the folder, deletions, a folder that disappears and comes back, and
catching up on start."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers.sorting import SCENES, UNSEEN_FROM, folder_files, scene_photo, temp_files

from photosort.catalog import Catalog
from photosort.sorting import Placement
from photosort.watcher import FolderWatcher

pytestmark = pytest.mark.slow

BURST = 300


@pytest.fixture
def catalog(trained_library):
    with Catalog(trained_library) as catalog:
        yield catalog


class Seen:
    """The watcher's callbacks, recorded (they arrive on the worker thread)."""

    def __init__(self):
        self.sorted: list[Placement] = []
        self.errors: list[tuple[Path, str]] = []

    def on_sorted(self, placement: Placement) -> None:
        self.sorted.append(placement)

    def on_error(self, path: Path, reason: str) -> None:
        self.errors.append((path, reason))

    def wait_for(self, paths: set[Path], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not paths <= {p.source for p in self.sorted}:
            assert time.monotonic() < deadline, f"not sorted in time: {sorted(paths - {p.source for p in self.sorted})[:5]}"
            time.sleep(0.1)


def write_slowly(path: Path, data: bytes, chunks: int = 4, pause: float = 0.3) -> None:
    """A phone sync or slow card reader: one open file, written a quarter at a time."""
    step = -(-len(data) // chunks)
    with open(path, "wb") as out:
        for start in range(0, len(data), step):
            out.write(data[start : start + step])
            out.flush()
            time.sleep(pause)


def test_slow_writes_and_a_burst_are_each_sorted_exactly_once_in_batches(catalog, tmp_path, datasets_dir):
    dcim = tmp_path / "DCIM"
    dcim.mkdir()
    photos = [scene_photo(datasets_dir, c, i) for c in SCENES for i in range(UNSEEN_FROM, UNSEEN_FROM + 2)]
    early = Path(shutil.copy2(photos[0], dcim / "before-start.jpg"))  # arrived while nobody watched
    seen = Seen()
    watcher = FolderWatcher(catalog, dcim, on_sorted=seen.on_sorted, on_error=seen.on_error,
                            settle_seconds=1.0, batch_size=32, poll_seconds=0.1)
    watcher.start()
    try:
        slow = dcim / "slow.jpg"
        writer = threading.Thread(target=write_slowly, args=(slow, photos[1].read_bytes()))
        writer.start()
        burst_dir = dcim / "100APPLE"
        burst_dir.mkdir()
        burst = []
        for n in range(BURST):  # distinct names and distinct bytes (a tag after the JPEG's end)
            path = burst_dir / f"IMG_{n:04d}.JPG"
            path.write_bytes(photos[n % len(photos)].read_bytes() + f"photosort-test-{n}".encode())
            burst.append(path)
        outside = Path(shutil.copy2(photos[2], tmp_path / "outside.jpg"))
        moved_in = dcim / "moved-in.jpg"
        os.replace(outside, moved_in)  # a rename into the folder is an arrival
        gone = Path(shutil.copy2(photos[3], dcim / "deleted-at-once.jpg"))
        gone.unlink()  # deletions are ignored
        corrupt = dcim / "corrupt.jpg"
        corrupt.write_bytes(photos[4].read_bytes()[:2000])
        writer.join()
        expected = {early, slow, moved_in, *burst}
        seen.wait_for(expected)
        deadline = time.monotonic() + 30
        while not seen.errors and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # time enough for any second sort of the same photo to show up
    finally:
        watcher.stop()
        assert watcher.join(timeout=60)

    assert Counter(p.source for p in seen.sorted) == Counter(expected)  # each one exactly once
    assert seen.errors == [(corrupt, "truncated or corrupt image data")]
    decided = Counter(op.src for op in catalog.file_ops(state="done") if op.op == "decide")
    assert decided == Counter(expected)
    copies = Counter(dest for p in seen.sorted for dest in p.dests.values())
    assert set(copies.values()) == {1}  # every copy its own file: distinct bytes, no duplicates
    on_disk = {p for folder in {d.parent for d in copies} for p in folder_files(folder)}
    assert on_disk == set(copies) and not temp_files(tmp_path)
    assert watcher.totals.batches <= len(expected) // 32 + 12, watcher.totals.batches  # batches, not one call per photo
    runs = [r for r in catalog.runs() if r.kind == "watch"]
    assert [r.status for r in runs] == ["done"] and runs[0].summary["copies"] == len(copies)


def test_catch_up_on_start_and_a_folder_that_disappears_and_comes_back(catalog, tmp_path, datasets_dir):
    card = tmp_path / "card"
    dcim = card / "DCIM"
    photos = [scene_photo(datasets_dir, "sea", i) for i in range(UNSEEN_FROM, UNSEEN_FROM + 3)]
    seen = Seen()
    watcher = FolderWatcher(catalog, dcim, on_sorted=seen.on_sorted, on_error=seen.on_error,
                            settle_seconds=0.3, poll_seconds=0.1)
    watcher.start()  # the card is not in yet: the watcher waits for the folder
    try:
        time.sleep(0.5)
        dcim.mkdir(parents=True)
        first = Path(shutil.copy2(photos[0], dcim / "first.jpg"))
        seen.wait_for({first})
        shutil.rmtree(card)  # card pulled out...
        time.sleep(0.5)
        dcim.mkdir(parents=True)  # ...and put back, with a new photo on it
        second = Path(shutil.copy2(photos[1], dcim / "second.jpg"))
        seen.wait_for({first, second})
    finally:
        watcher.stop()
        assert watcher.join(timeout=60)

    third = Path(shutil.copy2(photos[2], dcim / "third.jpg"))  # arrives while nobody watches
    watcher = FolderWatcher(catalog, dcim, on_sorted=seen.on_sorted, on_error=seen.on_error,
                            settle_seconds=0.3, poll_seconds=0.1)
    watcher.start()
    try:
        seen.wait_for({first, second, third})
        time.sleep(0.5)
    finally:
        watcher.stop()
        assert watcher.join(timeout=60)
    # second.jpg was caught up again on start but is already sorted: reported once only
    assert Counter(p.source for p in seen.sorted) == Counter([first, second, third])
    assert seen.errors == []


def test_a_watcher_that_dies_says_why_and_the_command_exits_with_one_line(catalog, trained_library, tmp_path,
                                                                         monkeypatch, capsys):
    """Whatever kills the worker (here: the folder scan failing for a reason it cannot handle),
    the front end hears it once through on_stopped, and ``photosort watch`` says it in one line."""
    dcim = tmp_path / "DCIM"
    dcim.mkdir()

    def failing_scan(self):
        raise OSError(5, "Input/output error", str(self.folder))

    monkeypatch.setattr(FolderWatcher, "_settled", failing_scan)
    stopped: list[str | None] = []
    watcher = FolderWatcher(catalog, dcim, on_stopped=stopped.append, poll_seconds=0.05)
    watcher.start()
    assert watcher.join(timeout=60)
    assert stopped == [watcher.stopped_because] and "Input/output error" in stopped[0]
    assert catalog.runs()[-1].status == "failed"

    from photosort.cli import main

    assert main(["--library", str(trained_library), "watch", str(dcim)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("photosort: error: the watcher stopped: unexpected error: OSError(5, ")
    assert not any("Traceback" in line for line in err)


def test_a_stopped_watcher_reports_no_reason(catalog, tmp_path):
    dcim = tmp_path / "DCIM"
    dcim.mkdir()
    stopped: list[str | None] = []
    watcher = FolderWatcher(catalog, dcim, on_stopped=stopped.append, poll_seconds=0.05)
    watcher.start()
    watcher.stop()
    assert watcher.join(timeout=60) and stopped == [None] and watcher.stopped_because is None
