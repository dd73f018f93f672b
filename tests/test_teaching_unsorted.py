"""photosort unsorted: the photos a real sort sent to no folder, with their closest category."""

from __future__ import annotations

import json
import shutil

import pytest

from photosort.catalog import Catalog
from photosort.cli import main
from photosort.teaching.unsorted import unsorted_photos


@pytest.mark.slow
def test_unsorted_lists_what_went_to_no_folder(datasets_dir, tmp_path, capsys):
    roll = tmp_path / "roll"
    roll.mkdir()
    pets = sorted((datasets_dir / "pets" / "cats").iterdir())[:3] + sorted((datasets_dir / "pets" / "dogs").iterdir())[:3]
    scenes = sorted((datasets_dir / "scenes" / "forest").iterdir())[:2] + sorted((datasets_dir / "scenes" / "street").iterdir())[:2]
    for p in pets + scenes:
        shutil.copy(p, roll / f"{p.parent.name}-{p.name}")
    lib, dest = tmp_path / "lib", tmp_path / "sorted"
    assert main(["--library", str(lib), "unsorted"]) == 1
    assert "No sort has run" in capsys.readouterr().err
    assert main(["--library", str(lib), "starter", "add", "cats", "dogs", "--dest", str(dest)]) == 0
    assert main(["--library", str(lib), "sort", str(roll)]) == 0
    capsys.readouterr()

    copied = {p.name for folder in dest.iterdir() for p in folder.iterdir()}
    with Catalog(lib) as catalog:
        run, items = unsorted_photos(catalog)
        names = {u.photo.path.name for u in items}
        assert names == {p.name for p in roll.iterdir()} - copied  # exactly those with no copy
        assert len(names) >= 2 and not names & copied
        for u in items:
            assert u.best in ("cats", "dogs") and u.score < u.threshold
        margins = [u.threshold - u.score for u in items]
        assert margins == sorted(margins)  # closest to a category first

    assert main(["--library", str(lib), "unsorted", str(run.id), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["run"] == run.id and {p["path"].rsplit("/", 1)[-1] for p in listed["photos"]} == names
    assert main(["--library", str(lib), "unsorted"]) == 0
    assert f"{len(names)} photos of run {run.id} went to no folder" in capsys.readouterr().out
    assert main(["--library", str(lib), "unsorted", "99"]) == 1
    assert "There is no run 99" in capsys.readouterr().err
