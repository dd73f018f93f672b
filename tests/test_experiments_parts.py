"""The experiment's parts on their own: spec strings, the split, balancing, scoring."""

from __future__ import annotations

import numpy as np
import pytest

from photosort.errors import PhotosortError
from photosort.experiments.configs import DEFAULT_CONFIGS, parse_config


def test_specs_parse_with_aliases_and_settings():
    config = parse_config("frozen:lite0+lite2+mobilenet_v2,aug=full,width=512,dropout=0.5,balance=weights+drop")
    assert config.backbones == ("efficientnet_lite0", "efficientnet_lite2", "mobilenet_v2")
    assert (config.aug, config.width, config.dropout) == ("full", 512, 0.5)
    assert config.balance == {"weights", "drop"} and not config.installable
    assert parse_config("frozen:lite1").installable
    assert not parse_config("frozen:lite0,size=192").installable  # the sorter runs native sizes only
    assert parse_config("frozen:lite0,aug=none").train_views == 0
    assert parse_config("frozen:lite0,balance=none").balance == frozenset()
    cnn = parse_config("cnn")
    assert (cnn.size, cnn.width, cnn.dropout) == (128, 512, 0.5)
    assert all(parse_config(spec).spec == spec for spec in DEFAULT_CONFIGS)


@pytest.mark.parametrize("spec, words", [
    ("resnet", "family"), ("frozen:lite0,aug=much", "aug=much"), ("frozen:lite0,width=wide", "number"),
    ("bovw:sift", "orb or kaze"), ("finetune:lite0+lite2", "one backbone"), ("cnn,size", "key=value"),
])
def test_bad_specs_say_what_is_wrong(spec, words):
    with pytest.raises(PhotosortError, match=words):
        parse_config(spec)


def test_split_is_stratified_seeded_and_follows_a_split_column(datasets_dir, tmp_path):
    from photosort.experiments.data import load_data

    data = load_data(datasets_dir / "pets", seed=0)
    counts = data.counts()
    assert (counts["train"]["photos"], counts["val"]["photos"], counts["test"]["photos"]) == (72, 24, 24)
    assert counts["test"]["cats"] == counts["test"]["dogs"] == 12
    assert np.array_equal(load_data(datasets_dir / "pets", seed=0).split, data.split)
    assert not np.array_equal(load_data(datasets_dir / "pets", seed=1).split, data.split)
    assert data.single_label

    miml = datasets_dir / "miml"
    rows = ["file,labels,split"] + [
        f"images/{n}.jpg,{'desert' if n < 20 else 'sea'},{('train', 'val', 'test')[n % 3]}" for n in range(1, 41)
    ]
    csv = tmp_path / "labels.csv"
    csv.write_text("\n".join(rows).replace("images/", str(miml / "images") + "/"), encoding="utf-8")
    given = load_data(csv)
    assert len(given.paths) > 10  # the rows whose files exist
    assert all(s == ("train", "val", "test")[int(p.stem) % 3] for p, s in zip(given.paths, given.split))


def test_dropping_and_oversampling_small_categories(datasets_dir):
    from photosort.experiments.balance import training_set
    from photosort.experiments.data import load_data

    data = load_data(datasets_dir / "pets", seed=0)
    keep_few = np.r_[np.flatnonzero(data.labels[:, 0] > 0)[:10], np.flatnonzero(data.labels[:, 1] > 0)]
    few = type(data)(data.source, data.categories, [data.paths[i] for i in keep_few],
                     [data.hashes[i] for i in keep_few], data.labels[keep_few], data.split[keep_few], [])
    dropped = training_set(few, parse_config("frozen:lite0,balance=drop"))
    assert dropped.notes["dropped"] == ["cats"] and dropped.data.categories == ["dogs"]
    assert len(dropped.data.paths) == 60
    grown = training_set(data, parse_config("frozen:lite0,views=2,balance=oversample"))
    assert grown.notes["oversampled"] == {}  # 36 training photos each: nothing to grow
    small = training_set(few, parse_config("frozen:lite0,views=2,balance=oversample"))
    cats_train = int(few.labels[few.rows("train"), 0].sum())
    assert small.notes["oversampled"] == {"cats": 35 - cats_train}
    assert small.labels[:, 0].sum() == 35 * 3  # every copy with its two views, as a photo has
    assert len({view for _, view in small.pairs}) > 3  # copies are new views, not repeats


def test_thresholds_come_from_validation_and_figures_from_test():
    from photosort.experiments.scoring import Outcome, judge, pr_curve

    val_labels = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], np.float32)
    val_scores = np.array([[0.9, 0.1], [0.7, 0.3], [0.2, 0.8], [0.4, 0.6]], np.float32)
    test_labels = np.array([[1, 0], [0, 1], [0, 1]], np.float32)
    test_scores = np.array([[0.5, 0.5], [0.6, 0.4], [0.1, 0.9]], np.float32)
    result = judge(Outcome(["a", "b"], val_labels, val_scores, test_labels, test_scores))
    assert 0.4 < result["categories"]["a"]["threshold"] < 0.7  # between the validation scores
    assert result["top1"] == pytest.approx(2 / 3) and result["top5"] == 1.0
    assert result["confusion"] == [[1, 0], [1, 1]]
    precision, recall, cuts = pr_curve(test_labels[:, 1], test_scores[:, 1])
    assert list(cuts) == [pytest.approx(0.9), pytest.approx(0.5), pytest.approx(0.4)]
    assert list(recall) == [0.5, 0.5, 1.0] and list(precision) == [1.0, 0.5, pytest.approx(2 / 3)]
