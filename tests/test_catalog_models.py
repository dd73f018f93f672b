"""The catalog's model versions, predictions and category listing, on real photos."""

from __future__ import annotations

import numpy as np
import pytest

from photosort.registration import register_photos


def test_model_versions_predictions_and_category_query(catalog, sea_photos, tmp_path):
    assert catalog.current_model() is None
    catalog.add_category("sea", tmp_path / "sea")
    catalog.add_category("boat", tmp_path / "boat")
    model_file = catalog.models_dir / "m.keras"
    model_file.write_bytes(b"x")
    version = catalog.add_model_version(
        "efficientnet_lite0", ["sea", "boat"], {"sea": 0.4, "boat": 0.6},
        {"macro_f1": np.float32(0.9)}, model_file,
    )
    assert catalog.current_model() == version
    assert version.file == model_file and version.metrics["macro_f1"] == pytest.approx(0.9)
    photos = register_photos(catalog, sea_photos)[0]
    scores = {p.id: [0.1 * i, 1 - 0.1 * i] for i, p in enumerate(photos)}
    catalog.record_predictions(version.id, ["sea", "boat"], scores)
    assert catalog.predictions(photos[2].id) == pytest.approx({"sea": 0.2, "boat": 0.8})
    assert set(catalog.scores(version.id)) == {p.id for p in photos}
    catalog.set_threshold("sea", 0.25)
    best_first = catalog.photos_in_category("sea")
    assert [p.id for p, _ in best_first] == [photos[i].id for i in (5, 4, 3)]
    assert [round(s, 2) for _, s in catalog.photos_in_category("sea", min_score=0.45)] == [0.5]
    # re-recording replaces, never duplicates
    catalog.record_predictions(version.id, ["sea", "boat"], {photos[0].id: [0.9, 0.9]})
    assert catalog.predictions(photos[0].id)["sea"] == pytest.approx(0.9)
    # forgetting a photo takes its predictions and labels with it (foreign keys cascade)
    catalog.remove_photos([photos[0].id])
    assert photos[0].id not in catalog.scores(version.id)
