"""People on real shared photos: faces kept by content hash, person categories through the
sorter, blurred derived copies (and their undo), forgetting a person (catalog and backups)."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photosort import faces, people
from photosort.catalog import Catalog
from photosort.catalog.migrate import backup
from photosort.images import open_oriented
from photosort.predictor import Sorter, predict_paths
from photosort.registration import register_photos
from photosort.sorting import sort_folder, undo_run
from photosort.training import train


def _photos(datasets_dir: Path, folder: str) -> list[Path]:
    return sorted((datasets_dir / folder).glob("*.jpg"))


@pytest.fixture
def me_library(tmp_path, datasets_dir):
    """A person category 'me' from 12 photos of one person and 12 of others (negatives)."""
    me, others = _photos(datasets_dir, "faces/me"), _photos(datasets_dir, "faces/others")
    with Catalog(tmp_path / "library") as catalog:
        catalog.add_category("me", tmp_path / "out" / "me")
        assert catalog.set_person("me").person
        catalog.label("me", [r.id for r in register_photos(catalog, me[:12])[0]])
        catalog.label("me", [r.id for r in register_photos(catalog, others[:12])[0]], positive=False)
        yield catalog, me[12:], others[12:]


def test_a_person_category_ranks_their_photos_first(me_library):
    catalog, me, others = me_library
    result = train(catalog)
    assert result.metrics["categories"]["me"]["f1"] >= 0.9  # leave-one-out on the examples
    sorter = Sorter.load(catalog)
    assert sorter.needs_faces and sorter.categories == ["me"]
    scored = [s for batch in predict_paths(catalog, sorter, me + others, record=False) for s in batch]
    scores = np.array([s.scores[0] for s in scored])
    is_me = np.array([True] * len(me) + [False] * len(others))
    assert scores[is_me].min() > scores[~is_me].max()  # every photo of them first
    threshold = sorter.thresholds(catalog)[catalog.category("me").id]
    assert (scores[is_me] >= threshold).mean() >= 0.9 and (scores[~is_me] < threshold).all()


def test_faces_are_stored_once_per_content(me_library):
    catalog, me, _ = me_library
    stored = catalog.face_count()
    found = people.faces_for(catalog, [(p, r.content_hash) for p, r in zip(me[:3], register_photos(catalog, me[:3])[0])])
    assert len(found) == 3 and catalog.face_count() == stored + 3
    again = people.faces_for(catalog, [(me[0], next(iter(found)))])
    assert catalog.face_count() == stored + 3 and all(len(f.faces) >= 1 for f in again.values())


def test_no_face_model_without_face_aware_categories(tmp_path, datasets_dir):
    with Catalog(tmp_path / "library") as catalog:
        for name in ("sea", "forest"):
            catalog.add_category(name, tmp_path / name)
            catalog.label(name, [r.id for r in register_photos(catalog, _photos(datasets_dir, f"scenes/{name}")[:6])[0]])
        assert not people.needs_faces(catalog)
        train(catalog, epochs=2, views=0)
        sorter = Sorter.load(catalog)
        assert not sorter.needs_faces and not sorter.face_features
        list(predict_paths(catalog, sorter, _photos(datasets_dir, "scenes/sea")[6:9], record=False))
        assert catalog.face_count() == 0  # nothing was looked for


def test_blurred_copies_differ_inside_face_boxes_only_and_undo_removes_them(me_library, datasets_dir, tmp_path):
    catalog, _, _ = me_library
    train(catalog)
    catalog.set_faces_mode("me", "blur")
    catalog.set_threshold("me", 0.0)  # every photo goes there: the portraits below too
    source = tmp_path / "roll"
    source.mkdir()
    portraits = [p for p in _photos(datasets_dir, "people/portrait")
                 if faces.detect_for_blurring(np.asarray(open_oriented(p))).faces][:3]
    for p in portraits:
        (source / p.name).write_bytes(p.read_bytes())
    summary = sort_folder(catalog, source)
    copies = sorted((tmp_path / "out" / "me").glob("*.jpg"))
    assert summary.copies == len(copies) == 3
    for copy in copies:
        original = source / copy.name
        assert original.read_bytes() == (datasets_dir / "people/portrait" / copy.name).read_bytes()  # untouched
        rgb = np.asarray(open_oriented(original))
        buf = io.BytesIO()  # the original through the same JPEG encoder, nothing obscured
        Image.fromarray(rgb).save(buf, "JPEG", quality=92)
        a = np.asarray(Image.open(buf).convert("RGB")).astype(int)
        b = np.asarray(open_oriented(copy)).astype(int)
        inside, near = np.zeros(a.shape[:2], bool), np.zeros(a.shape[:2], bool)
        for x0, y0, x1, y1 in faces.cover_boxes(faces.detect_for_blurring(rgb).faces, a.shape[1], a.shape[0]):
            inside[y0:y1, x0:x1] = True
            near[max(0, y0 - 16):y1 + 16, max(0, x0 - 16):x1 + 16] = True  # JPEG blocks touching a box
        diff = np.abs(a - b).max(axis=2)
        assert not diff[~near].any()  # outside the face boxes: the very same pixels
        assert diff[inside].mean() > 5  # inside: obscured
    ops = [op for op in catalog.file_ops(summary.run_id) if op.op == "derive"]
    assert len(ops) == 3 and all(op.state == "done" for op in ops)
    undone = undo_run(catalog, summary.run_id)
    assert undone.removed == 3 and not list((tmp_path / "out" / "me").glob("*.jpg"))
    assert all((source / p.name).is_file() for p in portraits)


def test_forgetting_a_person_leaves_no_face_row_here_or_in_backups(me_library):
    catalog, _, _ = me_library
    examples = catalog.person_examples("me")
    found = people.faces_for(catalog, [(e.photo.path, e.photo.content_hash) for e in examples])
    hashes = sorted(found)
    copy = backup(catalog.db_path, catalog.library_dir, "test")
    blob = next(iter(found.values())).faces[0].embedding.astype("<f4").tobytes()[:64]
    assert catalog.forget_person("me") == len(examples)
    assert catalog.get_faces(hashes, people.DETECTOR_KEY) == {}
    assert catalog.person_examples("me") == [] and not catalog.category("me").person
    conn = sqlite3.connect(copy)
    try:
        marks = ",".join("?" * len(hashes))
        assert conn.execute(f"SELECT count(*) FROM faces WHERE content_hash IN ({marks})", hashes).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM labels").fetchone()[0] == 0
    finally:
        conn.close()
    for path in (catalog.db_path, copy):  # gone from the files' free pages too
        assert blob not in path.read_bytes()
