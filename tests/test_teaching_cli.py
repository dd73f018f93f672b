"""photosort teach on real photos: a simulated person answers from the true labels through
stdin; answers become labels, and a retrain on them improves F1 on held-out photos."""

from __future__ import annotations

import io
import re
import shutil
import sys

import numpy as np
import pytest

from helpers.photos import scene_photos
from photosort import metrics
from photosort.catalog import Catalog
from photosort.cli import main
from photosort.predictor import Sorter, predict_paths
from photosort.registration import register_photos
from photosort.training import train

CATS = ("glacier", "mountain", "sea")  # alike enough that 5 examples each leave room to learn


class Person(io.TextIOBase):
    """stdin that answers the last question printed, from the photo's true category (its file
    name starts with it), and says yes to retraining."""

    def __init__(self, screen: io.StringIO, limit: int):
        self.screen, self.limit, self.answers = screen, limit, []

    def readline(self, size=-1) -> str:
        last = self.screen.getvalue().rstrip("\n").splitlines()[-1]
        if "Retrain now?" in last:
            return "y\n"
        # stdin is not echoed, so a round's prompts share one line: answer the last one
        found = re.findall(r"/([a-z]+)-[^/]*\s+is it '([a-z]+)'\?", last)
        if not found or len(self.answers) >= self.limit:
            return "q\n"
        asked = found[-1]
        if len(self.answers) == 3:  # one skip, which must leave no label
            self.answers.append((asked[0], asked[1], None))
            return "s\n"
        yes = asked[0] == asked[1]
        self.answers.append((asked[0], asked[1], yes))
        return "y\n" if yes else "n\n"


def held_out_f1(library, paths, truth) -> float:
    with Catalog(library) as catalog:
        sorter = Sorter.load(catalog)
        scored = [s for b in predict_paths(catalog, sorter, paths, record=False) for s in b]
        by_id, ids = sorter.thresholds(catalog), dict(zip(sorter.categories, sorter.category_ids))
        cut = np.array([by_id[ids[c]] for c in CATS])
        cols = [sorter.categories.index(c) for c in CATS]
        pred = np.stack([s.scores[cols] for s in scored]) >= cut
    return float(np.mean([metrics.prf(truth[:, j], pred[:, j])[2] for j in range(len(CATS))]))


@pytest.mark.slow
def test_teach_cli_answers_become_labels_and_a_retrain_improves(datasets_dir, tmp_path, monkeypatch):
    lib, roll = tmp_path / "lib", tmp_path / "roll"
    roll.mkdir()
    with Catalog(lib) as catalog:
        for name in CATS:
            catalog.add_category(name, tmp_path / "sorted" / name)
            records, _ = register_photos(catalog, scene_photos(datasets_dir, name, 0, 5))
            catalog.label(name, [r.id for r in records])
        train(catalog, views=0, seed=0)
    for name in CATS:
        for p in scene_photos(datasets_dir, name, 5, 20):
            shutil.copy(p, roll / f"{name}-{p.name}")
    held = [p for name in CATS for p in scene_photos(datasets_dir, name, 20, 40)]
    truth = np.array([[p.parent.name == c for c in CATS] for p in held])
    before = held_out_f1(lib, held, truth)

    screen = io.StringIO()
    person = Person(screen, limit=20)
    monkeypatch.setattr(sys, "stdin", person)
    monkeypatch.setattr(sys, "stdout", screen)
    code = main(["--library", str(lib), "teach", str(roll), "--every", "10", "--views", "0"])
    monkeypatch.undo()
    out = screen.getvalue()
    assert code == 0, out
    assert len(person.answers) == 20
    assert out.count("Retrained: model version") == 2, out

    with Catalog(lib) as catalog:
        got = {}
        for item in catalog.labelled_photos():
            for name, positive in item.labels.items():
                if item.photo.path.parent == roll:
                    got[(item.photo.path.name.split("-")[0], name)] = got.get((item.photo.path.name.split("-")[0], name), []) + [positive]
    said = {}
    for true, asked, yes in person.answers:
        if yes is not None:
            said.setdefault((true, asked), []).append(yes)
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in said.items()}
    assert sum(len(v) for v in got.values()) == 19  # the skip left no label

    after = held_out_f1(lib, held, truth)
    assert after > before, (before, after)


def test_teach_rejects_a_bad_interval(tmp_path, capsys):
    assert main(["--library", str(tmp_path / "lib"), "teach", str(tmp_path), "--every", "3"]) == 1
    assert "--every takes a number from 10 to 20" in capsys.readouterr().err
