"""The photosort command line: library commands, train/evaluate, errors as one clear line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys


from helpers.photos import scene_photos
from photosort.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_help_does_not_load_tensorflow():
    code = (
        "import sys\n"
        "from photosort.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'PySide6', 'sqlalchemy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "sort" in done.stdout and "train" in done.stdout


def test_python_dash_m_entry_point():
    done = subprocess.run([sys.executable, "-m", "photosort", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("photosort ")


def test_categories_and_labels(capsys, tmp_path, datasets_dir):
    lib = tmp_path / "lib"
    assert run(capsys, "--library", lib, "category", "add", "sea", "--folder", tmp_path / "out" / "sea")[0] == 0
    code, out, err = run(capsys, "--library", lib, "category", "add", "sea", "--folder", tmp_path)
    assert code == 1 and err.strip() == "photosort: error: A category named 'sea' already exists."
    examples = tmp_path / "examples"
    examples.mkdir()
    for p in scene_photos(datasets_dir, "sea", 0, 5):
        shutil.copy(p, examples / p.name)
    (examples / "broken.jpg").write_bytes(b"not a photo")
    code, out, err = run(capsys, "--library", lib, "label", "sea", examples)
    assert code == 0 and "5 photos" in out and "broken.jpg" in err
    code, out, _ = run(capsys, "--library", lib, "category", "list")
    assert "sea" in out and "5 examples" in out
    assert run(capsys, "--library", lib, "category", "rename", "sea", "ocean")[0] == 0
    code, out, err = run(capsys, "--library", lib, "label", "lake", examples)
    assert code == 1 and "No category named 'lake'" in err and "Traceback" not in err
    code, out, err = run(capsys, "--library", lib, "train")
    assert code == 1 and "'ocean' needs at least 5 photos that are not in it" in err
    assert len(err.strip().splitlines()) == 1


def test_train_with_too_few_examples_is_one_line(capsys, tmp_path, datasets_dir):
    lib = tmp_path / "lib"
    run(capsys, "--library", lib, "category", "add", "forest", "--folder", tmp_path / "forest")
    run(capsys, "--library", lib, "label", "forest", *scene_photos(datasets_dir, "forest", 0, 2))
    code, out, err = run(capsys, "--library", lib, "train")
    assert code == 1
    assert err.strip().splitlines() == ["photosort: error: Each category needs at least 5 example photos: 'forest' has 2."]


def test_evaluate_without_a_model(capsys, tmp_path, datasets_dir):
    code, _, err = run(capsys, "--library", tmp_path / "lib", "evaluate", datasets_dir / "scenes")
    assert code == 1 and "No trained sorter yet" in err


def test_import_train_evaluate_json(capsys, tmp_path, datasets_dir):
    """A CSV import with multi-labels and no-label rows, a real training, evaluation JSON."""
    lib = tmp_path / "lib"
    train_dir, test_dir = tmp_path / "train", tmp_path / "test"
    for split, (start, stop) in ((train_dir, (0, 10)), (test_dir, (40, 46))):
        split.mkdir()
        rows = ["file,labels"]
        for name in ("sea", "forest"):
            for p in scene_photos(datasets_dir, name, start, stop):
                shutil.copy(p, split / f"{name}-{p.name}")
                rows.append(f"{name}-{p.name},{name}")
        for p in scene_photos(datasets_dir, "street", start, start + 4):
            shutil.copy(p, split / f"street-{p.name}")
            rows.append(f"street-{p.name},")  # none of the categories
        (split / "labels.csv").write_text("\n".join(rows) + "\n")
    code, out, _ = run(capsys, "--library", lib, "import", train_dir / "labels.csv", "--dest", tmp_path / "sorted")
    assert code == 0 and "Imported 24 photos into 2 categories (4 with no category)" in out
    code, out, _ = run(capsys, "--library", lib, "train", "--epochs", "60")
    assert code == 0 and "macro F1" in out
    code, out, _ = run(capsys, "--library", lib, "evaluate", test_dir / "labels.csv", "--json", tmp_path / "e.json")
    assert code == 0 and "precision" in out
    figures = json.loads((tmp_path / "e.json").read_text())
    assert set(figures["categories"]) == {"sea", "forest"}
    for m in figures["categories"].values():
        assert set(m) >= {"precision", "recall", "f1", "support", "threshold"}
        assert m["support"] == 6
    assert figures["macro_f1"] >= 0.75 and figures["micro_f1"] >= 0.75
    code, out, _ = run(capsys, "--library", lib, "models")
    assert code == 0 and "efficientnet_lite0" in out and "sea" in out
