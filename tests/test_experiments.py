"""photosort experiment end to end on a few real photos: every configuration family trains and
is scored on the same test photos, the report files parse, and --install makes a working sorter.
Tiny on purpose (2 scenes categories × 8 photos, 1–3 epochs): it checks the plumbing, not the
figures (docs/experiments/ holds those)."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

from helpers.photos import scene_photos

pytest.importorskip("matplotlib")  # the `experiment` extra

CONFIGS = [
    "frozen:lite0,epochs=3",
    "frozen:lite0+mobilenet_v2,aug=full,views=1,epochs=2,balance=weights+oversample",
    "finetune:lite0,views=0,aug=none,epochs=1",
    "cnn,size=64,epochs=2",
    "bovw:orb,clf=nb,words=16",
    "bovw:kaze,clf=logreg,words=16,epochs=5",
]


@pytest.fixture(scope="module")
def tiny_dataset(datasets_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    for category in ("forest", "street"):
        (root / category).mkdir()
        for path in scene_photos(datasets_dir, category, 0, 8):
            shutil.copy2(path, root / category / path.name)
    return root


@pytest.fixture(scope="module")
def experiment(tiny_dataset, tmp_path_factory):
    from photosort.experiments import run_experiment

    seen = []
    out = tmp_path_factory.mktemp("report")
    result = run_experiment(tiny_dataset, out, CONFIGS, seed=0, on_progress=seen.append)
    return result, seen


@pytest.mark.slow
def test_every_family_runs_and_is_scored_on_the_same_test_photos(experiment):
    result, seen = experiment
    assert [r["config"] for r in result.rows] == CONFIGS
    assert all(r["status"] == "done" for r in result.rows), [r.get("error") for r in result.rows]
    test_count = len(result.data.rows("test"))
    assert test_count >= 2
    for row in result.rows:
        assert row["test_photos"] == test_count
        assert 0.0 <= row["macro_f1"] <= 1.0 and 0.0 <= row["micro_f1"] <= 1.0
        assert set(row["categories"]) == {"forest", "street"}
        assert row["top5"] == 1.0 and row["top_k"] == 2  # two categories: the best two hold the truth
        assert np.sum(row["confusion"]) == test_count
        assert row["photos_per_s"] > 0 and row["train_seconds"] > 0
    # the frozen Lite0 head tells forests from streets on unseen photos
    assert result.rows[0]["macro_f1"] >= 0.6
    train = result.data.counts()["train"]
    assert result.rows[1]["notes"]["oversampled"] == {c: 35 - train[c] for c in ("forest", "street")}
    # a progress bar over the configurations: done climbs to the total
    assert seen[-1].stage == "experiment" and seen[-1].done == seen[-1].total == len(CONFIGS)


@pytest.mark.slow
def test_report_files_parse_and_reference_existing_plots(experiment):
    result, _ = experiment
    doc = json.loads((result.out / "results.json").read_text(encoding="utf-8"))
    assert doc["partial"] is False and doc["single_label"] is True
    assert doc["best"] in CONFIGS
    assert doc["best_installable"] == "frozen:lite0,epochs=3"  # the only single frozen backbone
    assert [c["config"] for c in doc["configs"]] == CONFIGS
    assert sum(doc["split"][s]["photos"] for s in ("train", "val", "test")) == 16
    page = (result.out / "index.html").read_text(encoding="utf-8")
    pictures = re.findall(r"<img src='([^']+)'", page)
    assert "summary.png" in pictures and len(pictures) == len(CONFIGS) + 1
    for name in pictures:
        assert (result.out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_install_makes_the_best_frozen_configuration_the_sorter(experiment, tmp_path):
    from photosort.catalog import Catalog
    from photosort.experiments.install import install_best
    from photosort.predictor import Sorter

    result, _ = experiment
    with Catalog(tmp_path / "library") as catalog:
        version, spec = install_best(catalog, result, tmp_path / "sorted")
        assert spec == "frozen:lite0,epochs=3"
        sorter = Sorter.load(catalog)
        assert sorter.version.id == version.id and sorter.categories == ["forest", "street"]
        assert {c.name for c in catalog.categories()} == {"forest", "street"}
        test = result.data.rows("test")
        from photosort import images

        pix = np.stack([images.load_rgb(result.data.paths[r], sorter.input_size) for r in test])
        scores = sorter.scores_from_embeddings(sorter.embed(pix))
        expected = result.outcomes[spec].test_scores
        assert np.allclose(scores, expected, atol=1e-4)  # the sorter scores as the experiment did


@pytest.mark.slow
def test_interrupted_run_keeps_the_finished_configurations(tiny_dataset, tmp_path):
    from photosort.experiments import run_experiment

    calls = {"n": 0}

    def stop_in_second_config(progress):
        if progress.done == 1 and "epoch" in progress.message:
            calls["n"] += 1

    result = run_experiment(tiny_dataset, tmp_path, ["bovw:orb,clf=nb,words=8", "frozen:lite0,epochs=50"],
                            on_progress=stop_in_second_config, should_stop=lambda: calls["n"] > 0)
    assert result.partial
    doc = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert doc["partial"] is True and [c["config"] for c in doc["configs"]] == ["bovw:orb,clf=nb,words=8"]
    assert "Interrupted" in (tmp_path / "index.html").read_text(encoding="utf-8")
