"""The catalog's runs, file-operation journal and review query, on real photos."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from photosort.catalog import ReceivedCopy
from photosort.errors import CategoryError
from photosort.registration import register_photos


def test_runs_and_journal(catalog, tmp_path):
    run = catalog.start_run("sort", tmp_path, options={"dry_run": False})
    op = catalog.journal(run.id, "copy", tmp_path / "a.jpg", tmp_path / "out" / "a.jpg", content_hash="h", size=3)
    assert catalog.file_ops(run.id, state="pending") == [op]
    catalog.update_file_op(op.id, state="done", tmp="")
    assert catalog.file_ops(run.id)[0].state == "done"
    with pytest.raises(ValueError):
        catalog.update_file_op(op.id, src="elsewhere")
    finished = catalog.finish_run(run.id, "done", {"copies": 1})
    assert finished.summary == {"copies": 1} and finished.finished_at is not None
    assert [r.id for r in catalog.runs("sort")] == [run.id]


def _copy(catalog, run_id, photo, category, dest, state="done", op="copy"):
    """A journaled copy of a registered photo, left in ``state``."""
    entry = catalog.journal(run_id, op, photo.path, dest, photo_id=photo.id, category_id=category.id,
                            content_hash=photo.content_hash, size=photo.size)
    catalog.update_file_op(entry.id, state=state)
    return entry


def test_received_lists_the_newest_done_copy_per_dest_least_confident_first(catalog, sea_photos, tmp_path):
    sea = catalog.add_category("sea", tmp_path / "sea")
    boat = catalog.add_category("boat", tmp_path / "boat")
    catalog.add_category("sky", tmp_path / "sky")
    photos = register_photos(catalog, sea_photos)[0]
    model_file = catalog.models_dir / "m.keras"
    model_file.write_bytes(b"x")
    old = catalog.add_model_version("efficientnet_lite0", ["sea", "boat"], {"sea": 0.5, "boat": 0.5}, {}, model_file)
    new = catalog.add_model_version("efficientnet_lite0", ["sea", "boat"], {"sea": 0.5, "boat": 0.5}, {}, model_file)
    catalog.record_predictions(old.id, ["sea", "boat"], {p.id: [0.6 + 0.05 * i, 0.1] for i, p in enumerate(photos)})
    catalog.record_predictions(new.id, ["sea", "boat"], {photos[0].id: [0.99, 0.1], photos[1].id: [0.55, 0.2]})

    first = catalog.start_run("sort", tmp_path, model_version_id=old.id)
    _copy(catalog, first.id, photos[0], sea, sea.folder / "a.jpg")  # replaced below by a newer copy
    b = _copy(catalog, first.id, photos[2], sea, sea.folder / "b.jpg")  # 0.70 under the old model
    _copy(catalog, first.id, photos[3], sea, sea.folder / "c.jpg", state="pending")  # never finished
    _copy(catalog, first.id, photos[4], sea, sea.folder / "d.jpg", state="undone")  # undone since
    _copy(catalog, first.id, photos[4], boat, boat.folder / "e.jpg")  # another category
    _copy(catalog, first.id, photos[5], sea, sea.folder / "f.jpg", op="move")  # not a copy
    second = catalog.start_run("sort", tmp_path, model_version_id=new.id)
    a = _copy(catalog, second.id, photos[0], sea, sea.folder / "a.jpg")  # 0.99 under the new model
    g = _copy(catalog, second.id, photos[1], sea, sea.folder / "g.jpg")  # 0.55 under the new model
    unscored = catalog.start_run("sort", tmp_path)  # a run with no model: no score to show
    h = _copy(catalog, unscored.id, photos[5], sea, sea.folder / "h.jpg")

    statements = []
    event.listen(catalog.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    received = catalog.received("sea")
    assert len(statements) == 1  # one query, no scan of the journal in Python

    assert [(r.file_op_id, r.score) for r in received] == [
        (g.id, pytest.approx(0.55)), (b.id, pytest.approx(0.70)), (a.id, pytest.approx(0.99)), (h.id, None)
    ]
    assert received[0] == ReceivedCopy(
        g.id, second.id, sea.folder / "g.jpg", photos[1].path, photos[1].id,
        photos[1].content_hash, photos[1].size, received[0].score,
    )
    assert [r.run_id for r in received] == [second.id, first.id, second.id, unscored.id]
    assert [r.dest.name for r in catalog.received("boat")] == ["e.jpg"]
    assert catalog.received("sky") == []
    with pytest.raises(CategoryError, match="No category named 'lake'"):
        catalog.received("lake")


def test_received_keeps_copies_of_forgotten_photos_without_a_score(catalog, sea_photos, tmp_path):
    sea = catalog.add_category("sea", tmp_path / "sea")
    photo = register_photos(catalog, sea_photos[:1])[0][0]
    model_file = catalog.models_dir / "m.keras"
    model_file.write_bytes(b"x")
    version = catalog.add_model_version("efficientnet_lite0", ["sea"], {"sea": 0.5}, {}, model_file)
    catalog.record_predictions(version.id, ["sea"], {photo.id: [0.8]})
    run = catalog.start_run("sort", tmp_path, model_version_id=version.id)
    entry = _copy(catalog, run.id, photo, sea, sea.folder / "a.jpg")
    catalog.remove_photos([photo.id])
    [copy] = catalog.received("sea")
    assert (copy.file_op_id, copy.photo_id, copy.score) == (entry.id, None, None)
    assert (copy.content_hash, copy.src) == (photo.content_hash, photo.path)
