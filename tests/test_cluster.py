"""photosort.cluster on a real local Ray cluster (127.0.0.1, two worker CPUs, started and
stopped by this file): a sort scored by Ray Data equals a local sort of the same real photos,
catalog scores and folders byte for byte, also when a worker dies mid-job; and the one-line
answers without Ray or without a cluster."""

from __future__ import annotations

import os
import sys
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from helpers.sorting import make_camera_roll, snapshot

ray = pytest.importorskip("ray", reason="the cluster extra is not installed (pip install 'photosort[cluster]')")

from photosort.catalog import Catalog  # noqa: E402
from photosort.cluster import INSTALL_MESSAGE, cluster_scorer  # noqa: E402
from photosort.cluster.worker import CRASH_MARKER_ENV  # noqa: E402
from photosort.sorting import sort_folder, undo_run  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BATCH = 4  # 12 photos: three batches, so a worker can die with work still to come

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_cluster():
    """A local Ray cluster on the loopback address for this module: 2 CPUs, its own temp
    folder, photosort importable on its workers and the crash hook's marker path set there.
    ray.shutdown() stops exactly the processes ray.init started."""
    temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))  # short: Ray's socket paths have a length limit
    marker = temp / "crash-worker"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        env.setenv(CRASH_MARKER_ENV, str(marker))
        env.setenv("RAY_USAGE_STATS_ENABLED", "0")
        ray.init(address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
                 _temp_dir=str(temp), object_store_memory=200 << 20, log_to_driver=False)
        try:
            yield marker
        finally:
            ray.shutdown()
            shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="module")
def roll(datasets_dir, tmp_path_factory) -> Path:
    """12 real scene photos the model never saw, shared by every sort here (sorts copy: the
    roll is never changed)."""
    folder = tmp_path_factory.mktemp("roll")
    make_camera_roll(datasets_dir, folder, per_scene=2)
    return folder


def _library(template: Path, root: Path) -> Path:
    """A private copy of the trained library whose category folders lie under root/sorted."""
    library = root / "library"
    shutil.copytree(template, library)
    with Catalog(library) as catalog:
        for record in catalog.categories():
            catalog.set_folder(record.name, root / "sorted" / record.name)
    return library


def _sort(template: Path, root: Path, roll: Path, **options):
    """Sort roll into a fresh copy of the library under root: the summary, the recorded scores
    by photo path and the sorted folders' tree (relative paths: (sha256, size))."""
    library = _library(template, root)
    with Catalog(library) as catalog:
        summary = sort_folder(catalog, roll, batch_size=BATCH, **options)
        version = catalog.current_model().id
        photos = {p.id: p.path for p in catalog.photos_by_paths(sorted(roll.rglob("*.jpg"))).values()}
        scores = {photos[pid]: by_cat for pid, by_cat in catalog.scores(version, list(photos)).items()}
    tree = {str(Path(k).relative_to(root)): (v[:2] if isinstance(v, tuple) else v)
            for k, v in snapshot(root / "sorted").items()}
    return summary, scores, tree, library


@pytest.fixture(scope="module")
def local_sort(trained_library_template, roll, tmp_path_factory):
    return _sort(trained_library_template, tmp_path_factory.mktemp("local"), roll)


def _assert_same_sort(local, cluster) -> None:
    (ls, lscores, ltree, _), (cs, cscores, ctree, _) = local, cluster
    assert cs.scanned == ls.scanned == 12 and not cs.skipped and not cs.errors
    assert (cs.sorted, cs.copies, cs.unsorted, cs.per_category) == (ls.sorted, ls.copies, ls.unsorted, ls.per_category)
    assert ls.copies > 0  # the comparison means something: files were written
    assert set(cscores) == set(lscores) and len(lscores) == 12
    for path, by_cat in lscores.items():
        assert by_cat.keys() == cscores[path].keys()
        # the same network on the same pixels: the same scores
        np.testing.assert_allclose([cscores[path][c] for c in by_cat], list(by_cat.values()), rtol=0, atol=1e-6)
    assert ctree == ltree  # the same folders, the same names, the same bytes


def test_cluster_sort_equals_local_sort_and_undoes(ray_cluster, trained_library_template, roll, local_sort, tmp_path):
    before = snapshot(roll)
    cluster = _sort(trained_library_template, tmp_path, roll, scorer=cluster_scorer(workers=2))
    _assert_same_sort(local_sort, cluster)
    assert snapshot(roll) == before  # the photos on "shared storage" untouched
    summary, library = cluster[0], cluster[3]
    with Catalog(library) as catalog:
        # resume: a second cluster sort finds everything decided, reads nothing, copies nothing
        again = sort_folder(catalog, roll, batch_size=BATCH, scorer=cluster_scorer(workers=2))
        assert (again.already_sorted, again.copies) == (12, 0)
        undone = undo_run(catalog, summary.run_id)  # the same journal: undo as after a local sort
    assert undone.removed == summary.copies and not undone.errors
    assert not [p for p in (tmp_path / "sorted").rglob("*") if p.is_file()]


def test_worker_killed_mid_job_is_retried_and_the_sort_is_exact(ray_cluster, trained_library_template, roll,
                                                                  local_sort, tmp_path):
    ray_cluster.write_text("the first worker to see this file removes it and dies")
    cluster = _sort(trained_library_template, tmp_path, roll, scorer=cluster_scorer(workers=2))
    assert not ray_cluster.exists()  # a worker did die (os._exit) on a batch, which Ray ran again
    _assert_same_sort(local_sort, cluster)


def test_worker_that_cannot_read_the_model_says_which_path(ray_cluster, trained_library_template, roll, tmp_path):
    from photosort.errors import PhotosortError
    from photosort.predictor import Sorter

    with Catalog(_library(trained_library_template, tmp_path)) as catalog:
        sorter = Sorter.load(catalog)
        sorter.version.file.rename(sorter.version.file.with_suffix(".moved"))  # as if not on shared storage
        scorer = cluster_scorer(workers=1)
        with pytest.raises(PhotosortError, match=r"cannot read .*\.keras.*shared storage"):
            list(scorer(catalog, sorter, sorted(roll.rglob("*.jpg")), batch_size=BATCH))


def test_cluster_option_without_ray_says_how_to_install(monkeypatch, roll, capsys):
    from photosort.cli import main

    for name in [m for m in list(sys.modules) if m == "ray" or m.startswith("ray.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    assert main(["sort", str(roll), "--cluster", "auto"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"photosort: error: {INSTALL_MESSAGE}"


def test_cluster_option_with_no_cluster_there_says_so_in_one_line(roll, tmp_path):
    """Never a cluster started by surprise, never minutes of waiting: an address nobody answers
    on is one line and exit 1 (in a fresh process: this one may be connected to the test cluster)."""
    import socket
    import subprocess

    with socket.socket() as probe:  # a loopback port that was free a moment ago: refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "photosort", "--library", str(tmp_path / "library"), "sort", str(roll),
                           "--cluster", f"127.0.0.1:{port}"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == [lines[-1]] and lines[0].startswith(f"photosort: error: No Ray cluster reachable at 127.0.0.1:{port}")
    assert not (tmp_path / "library").exists()  # checked before the library is opened
