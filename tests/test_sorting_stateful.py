"""No photo is ever lost, whatever a person does in whatever order: a hypothesis state machine
on real photos and a really trained sorter interleaves sort, sort --move, undo of any earlier
run, review corrections, category renames and removals, new photos arriving and SIGKILLs part
way (a child process killed at a crash point; the next step recovers). After every step, every
photo's bytes that were ever in the roll are still in the roll or in a category folder; at the
end, undoing every run newest first restores the roll byte for byte and leaves no file
photosort made.

Bounded for CI; PHOTOSORT_STATEFUL=long (and PHOTOSORT_STATEFUL_EXAMPLES / _STEPS) for a long run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from helpers.sorting import SCENES, UNSEEN_FROM, scene_photo

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, settings, strategies as st  # noqa: E402
from hypothesis.stateful import (  # noqa: E402
    RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test,
)

from photosort.catalog import Catalog  # noqa: E402
from photosort.errors import PhotosortError  # noqa: E402
from photosort.sorting import correct, files, history, received, sort_folder, undo_run  # noqa: E402

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
LONG = os.environ.get("PHOTOSORT_STATEFUL") == "long"
EXAMPLES = int(os.environ.get("PHOTOSORT_STATEFUL_EXAMPLES", 300 if LONG else 8))
STEPS = int(os.environ.get("PHOTOSORT_STATEFUL_STEPS", 30 if LONG else 15))
# A killed sort is a fresh process loading TensorFlow (10-30 s): only this many tenths of the
# examples may kill one sort (CI: none; test_sort_cli kills real sorts). Drawn, not counted, so
# that hypothesis replays an example exactly when it shrinks it.
SORT_CRASH_TENTHS = int(os.environ.get("PHOTOSORT_STATEFUL_SORT_CRASH_TENTHS", 1 if LONG else 0))
POOL = [(scene, index) for index in range(UNSEEN_FROM, UNSEEN_FROM + 6) for scene in SCENES]
CRASH_POINTS = ["temp-written", "published", "copied", "remove-journaled", "removed", "undo-removed"]
STATS = {"examples": 0, "steps": 0, "crashes": 0, "undo_kills": 0}

_CHILD = """
import sys
from pathlib import Path
from photosort.catalog import Catalog
from photosort.sorting import sort_folder, undo_run
library, action, arg = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
with Catalog(library) as catalog:
    if action == "undo":
        undo_run(catalog, int(arg))
    else:
        sort_folder(catalog, Path(arg), move=action == "move")
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under root (photosort's temporary files included): relative path -> (sha256, mtime_ns)."""
    return {str(p.relative_to(root)): (sha(p), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()} if root.exists() else {}


class NeverLoseAPhoto(RuleBasedStateMachine):
    template: Path  # a trained library whose embeddings already hold every photo of POOL
    datasets: Path

    @initialize(first=st.lists(st.sampled_from(POOL), min_size=2, max_size=4, unique=True),
                crashy=st.integers(0, 9))
    def start(self, first, crashy):
        STATS["examples"] += 1
        if LONG and STATS["examples"] % 5 == 0:
            print(f"stateful: {STATS}", file=sys.stderr, flush=True)
        self.root = Path(tempfile.mkdtemp(prefix="photosort-stateful-"))
        self.library, self.roll, self.sorted = self.root / "library", self.root / "DCIM", self.root / "sorted"
        shutil.copytree(self.template, self.library)
        self.catalog = Catalog(self.library)
        for category in self.catalog.categories():
            self.catalog.set_folder(category.name, self.sorted / category.name)
        self.roll.mkdir()
        self.used: set[tuple[str, int]] = set()
        self.ever: set[str] = set()  # every content that was ever in the roll
        self.expected: dict[str, tuple[str, int]] = {}  # the roll as the person left it
        self.renames = 0
        self.sort_kills_left = int(crashy < SORT_CRASH_TENTHS)
        for photo in first:
            self._arrive(photo)

    def teardown(self):
        if hasattr(self, "catalog"):
            self.catalog.close()
            shutil.rmtree(self.root, ignore_errors=True)

    def _arrive(self, photo: tuple[str, int], sub: bool = False) -> None:
        scene, index = photo
        source = scene_photo(self.datasets, scene, index)
        folder = self.roll / ("sub" if sub else "")
        folder.mkdir(exist_ok=True)
        dest = Path(shutil.copy2(source, folder / f"{scene}_{source.name}"))
        self.used.add(photo)
        self.ever.add(sha(dest))
        self.expected[str(dest.relative_to(self.roll))] = (sha(dest), dest.stat().st_mtime_ns)

    def _undoable(self) -> list[int]:
        return [r.id for r in history(self.catalog) if r.status not in ("undone", "dry-run")]

    def _step(self) -> None:
        STATS["steps"] += 1

    # -- what a person does ------------------------------------------------------------------

    @rule(move=st.booleans())
    def sort(self, move):
        self._step()
        sort_folder(self.catalog, self.roll, move=move)

    @rule(data=st.data())
    def undo(self, data):
        self._step()
        runs = self._undoable()
        if runs:
            undo_run(self.catalog, data.draw(st.sampled_from(runs), label="run"))

    @rule(data=st.data())
    def review(self, data):
        self._step()
        names = [c.name for c in self.catalog.categories()]
        copies = [(name, copy) for name in names for copy in received(self.catalog, name)]
        if not copies:
            return
        wrong, copy = data.draw(st.sampled_from(copies), label="copy")
        right = data.draw(st.sampled_from([None, *[n for n in names if n != wrong]]), label="right")
        try:
            correct(self.catalog, copy, wrong, right)
        except PhotosortError:  # e.g. the only copy and its roll folder is gone: said, nothing lost
            pass

    @rule(data=st.data())
    def rename_category(self, data):
        self._step()
        old = data.draw(st.sampled_from([c.name for c in self.catalog.categories()]), label="category")
        self.renames += 1
        self.catalog.rename_category(old, f"{old.split('-')[0]}-{self.renames}")

    @precondition(lambda self: len(self.catalog.categories()) > 1)
    @rule(data=st.data())
    def remove_category(self, data):
        self._step()
        self.catalog.remove_category(data.draw(st.sampled_from([c.name for c in self.catalog.categories()])))

    @rule(data=st.data(), sub=st.booleans())
    def new_photo(self, data, sub):
        self._step()
        free = [p for p in POOL if p not in self.used]
        if free:
            self._arrive(data.draw(st.sampled_from(free), label="photo"), sub)

    @rule(point=st.sampled_from(CRASH_POINTS), nth=st.integers(1, 3), data=st.data())
    def killed_undo(self, point, nth, data):
        self._step()
        runs = self._undoable()
        if runs:
            STATS["undo_kills"] += 1
            self._killed("undo", str(data.draw(st.sampled_from(runs), label="run")), point, nth)

    @precondition(lambda self: self.sort_kills_left > 0)
    @rule(move=st.booleans(), point=st.sampled_from(CRASH_POINTS[:5]), nth=st.integers(1, 3))
    def killed_sort(self, move, point, nth):
        self._step()
        self.sort_kills_left -= 1
        STATS["crashes"] += 1
        self._killed("move" if move else "sort", str(self.roll), point, nth)

    def _killed(self, action: str, arg: str, point: str, nth: int) -> None:
        """The step in a child process, SIGKILLed at the nth crash point (if it gets there)."""
        self.catalog.close()  # the child has the library to itself, as another program would
        env = {**os.environ, files.CRASH_ENV: f"{point}:{nth}",
               "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        child = subprocess.run([sys.executable, "-c", _CHILD, str(self.library), action, arg], cwd=REPO, env=env,
                               capture_output=True, text=True, timeout=600)
        assert child.returncode in (0, -signal.SIGKILL), child.stderr[-3000:]
        self.catalog = Catalog(self.library)

    # -- what must hold ------------------------------------------------------------------------

    @invariant()
    def no_photo_is_lost(self):
        if not hasattr(self, "catalog"):
            return
        present = {sha(p) for root in (self.roll, self.sorted) if root.exists() for p in root.rglob("*")
                   if p.is_file() and not p.name.startswith(files.TEMP_PREFIX)}
        assert self.ever <= present, f"lost {len(self.ever - present)} photos"

    def check_undo_everything(self):
        for run_id in reversed(self._undoable()):
            undo_run(self.catalog, run_id)
        assert tree(self.roll) == self.expected  # byte for byte, same names and times, no temp file
        assert tree(self.sorted) == {}  # no file photosort made is left


def _check_at_end(machine_class):
    class Checked(machine_class):
        def teardown(self):
            try:
                if hasattr(self, "catalog"):
                    self.check_undo_everything()
            finally:
                super().teardown()
    return Checked


@pytest.fixture(scope="module")
def stateful_template(trained_library_template, datasets_dir, tmp_path_factory) -> Path:
    """The trained library with every POOL photo's embedding cached (one dry run), so the
    state machine's sorts only read files and run the small head."""
    root = tmp_path_factory.mktemp("stateful")
    library = root / "library"
    shutil.copytree(trained_library_template, library)
    roll = root / "pool"
    roll.mkdir()
    for scene, index in POOL:
        shutil.copy2(scene_photo(datasets_dir, scene, index), roll)
    with Catalog(library) as catalog:
        for category in catalog.categories():
            catalog.set_folder(category.name, root / "sorted" / category.name)
        sort_folder(catalog, roll, dry_run=True)
    return library


def test_no_photo_is_ever_lost_whatever_the_order(stateful_template, datasets_dir):
    NeverLoseAPhoto.template = stateful_template
    NeverLoseAPhoto.datasets = datasets_dir
    started = time.monotonic()
    run_state_machine_as_test(_check_at_end(NeverLoseAPhoto), settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=not LONG,
        suppress_health_check=list(HealthCheck), print_blob=True,
    ))
    print(f"stateful: {STATS['examples']} examples, {STATS['steps']} steps, {STATS['crashes']} killed sorts, "
          f"{STATS['undo_kills']} killed undos, {time.monotonic() - started:.0f} s")
