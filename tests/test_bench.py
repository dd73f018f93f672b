"""Smoke tests of the benchmark scripts (bench/): their command lines parse, and the camera-roll
generator writes real, correctly oriented phone photos and reuses them. No timing here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import ExifTags, Image

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import camera_roll  # noqa: E402
import catalog_query  # noqa: E402
import evaluate  # noqa: E402
import sort_speed  # noqa: E402
import startup  # noqa: E402
import train_speed  # noqa: E402

SCRIPTS = ["camera_roll", "sort_speed", "startup", "gui_first_window", "train_speed", "catalog_query", "evaluate"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_answers_help_without_heavy_imports(script):
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(BENCH / f"{script}.py"), "--help"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert not imported & {"tensorflow", "keras", "PySide6"}


def test_command_lines_parse(tmp_path):
    args = sort_speed.build_parser().parse_args(["--photos", "10", "--naive-photos", "3", "--json", str(tmp_path / "o.json")])
    assert (args.photos, args.naive_photos, args.json) == (10, 3, tmp_path / "o.json")
    args = camera_roll.build_parser().parse_args(["--photos", "3", "--out", str(tmp_path), "--size", "64x48"])
    assert (args.photos, args.out, args.size) == (3, tmp_path, (64, 48))
    with pytest.raises(SystemExit):
        camera_roll.build_parser().parse_args(["--size", "big"])
    assert evaluate.build_parser().parse_args(["--set", "miml"]).set == "miml"
    assert catalog_query.build_parser().parse_args([]).photos == 100_000
    assert startup.build_parser().parse_args(["--runs", "2"]).runs == 2
    assert train_speed.build_parser().parse_args(["--json", "x.json"]).json == Path("x.json")


def test_spread_picks_evenly():
    assert sort_speed.spread(list(range(10)), 5) == [0, 2, 4, 6, 8]
    assert sort_speed.spread([1, 2], 5) == [1, 2]


def test_camera_roll_of_three_tiny_photos(datasets_dir, tmp_path):
    logged = []
    roll = camera_roll.ensure_camera_roll(
        3, tmp_path / "roll", processes=1, size=(64, 48), heic_share=0.34, png_share=0.34, log=logged.append
    )
    assert logged  # it rendered
    manifest = json.loads((tmp_path / "roll" / "manifest.json").read_text())
    assert manifest == roll.manifest
    assert sorted(f["format"] for f in roll.files) == ["heic", "jpeg", "png"]
    camera_roll._register_heif()
    for entry, path in zip(roll.files, roll.paths()):
        assert path.is_relative_to(roll.photos_dir)
        assert (datasets_dir / entry["source"]).is_file()
        assert entry["category"].split("/")[0] in {"scenes", "pets", "people", "miml"}
        with Image.open(path) as img:
            assert img.format == {"jpeg": "JPEG", "heic": "HEIF", "png": "PNG"}[entry["format"]]
            exif = img.getexif()
            assert exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] == entry["taken_at"]
            if entry["format"] != "png":
                assert (exif[ExifTags.Base.Make], exif[ExifTags.Base.Model]) == (entry["make"], entry["model"])
        assert path.stat().st_size == entry["bytes"]

    again = []
    assert camera_roll.ensure_camera_roll(
        3, tmp_path / "roll", processes=1, size=(64, 48), heic_share=0.34, png_share=0.34, log=again.append
    ).manifest == manifest
    assert not again  # reused, nothing rendered
    with pytest.raises(SystemExit, match="other settings"):
        camera_roll.ensure_camera_roll(3, tmp_path / "roll", processes=1, size=(64, 48))


def test_a_large_roll_can_reuse_renders_as_variants(datasets_dir, tmp_path):
    import hashlib

    roll = camera_roll.ensure_camera_roll(
        6, tmp_path / "roll", processes=1, size=(64, 48), heic_share=0.34, png_share=0.34, distinct=3, log=print
    )
    assert [f["copy_of"] for f in roll.files] == [None, None, None, 0, 1, 2]
    assert len({hashlib.sha256(p.read_bytes()).hexdigest() for p in roll.paths()}) == 6
    camera_roll._register_heif()
    for entry, path in zip(roll.files[3:], roll.paths()[3:]):
        with Image.open(path) as img:
            img.load()  # still a valid file (PNG checksums redone)
            assert img.getexif().get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] == entry["taken_at"]


@pytest.mark.parametrize("fmt", ["jpeg", "heic"])
@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_turned_photos_are_upright_once_their_orientation_is_applied(datasets_dir, tmp_path, fmt, orientation):
    from photosort import images

    source = "scenes/street/1000.jpg"
    plan = camera_roll.Plan(
        index=0, file=f"DCIM/x.{fmt}", source=source, category="scenes/street", format=fmt,
        orientation=orientation, quality=90, taken_at="2023:03:04 08:00:00", make="Apple", model="iPhone 13",
    )
    camera_roll.render(plan, tmp_path, (96, 72))
    shown = np.asarray(images.open_oriented(tmp_path / plan.file), dtype=np.float32)
    assert shown.shape == ((96, 72, 3) if orientation in (6, 8) else (72, 96, 3))
    with Image.open(datasets_dir / source) as src:
        expected = camera_roll._crop_to(src.convert("RGB"), shown.shape[1] / shown.shape[0])
        expected = np.asarray(expected.resize(shown.shape[1::-1], Image.Resampling.LANCZOS), dtype=np.float32)
    error = np.abs(shown - expected).mean()
    assert error < 12  # grain and compression only
    assert error < np.abs(shown[::-1, ::-1] - expected).mean()  # and not upside down
