"""atomic.write_atomically and its users (the settings file, the backbone cache): the old file
or the new one, never half of one, and no temporary file left behind whatever happens."""

from __future__ import annotations

import json
import logging

import pytest

from photosort import atomic
from photosort.backbones import cache_files
from photosort.config import Settings


def test_writes_through_a_temp_name_in_the_same_folder(tmp_path):
    target = tmp_path / "deep" / "model.keras"
    seen = []

    def write(tmp):
        seen.append(tmp)
        assert not target.exists()  # nothing under the real name until the write is complete
        tmp.write_bytes(b"weights")

    assert atomic.write_atomically(target, write, suffix=".keras") == target
    assert target.read_bytes() == b"weights"
    assert seen[0].parent == target.parent and seen[0].name.endswith(".keras") and seen[0] != target
    assert sorted(p.name for p in target.parent.iterdir()) == ["model.keras"]


def test_replaces_the_old_file_in_one_step(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text("old")
    atomic.write_atomically(target, lambda tmp: tmp.write_text("new"))
    assert target.read_text() == "new" and list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failing_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, error):
    target = tmp_path / "cache.bin"
    target.write_bytes(b"old")

    def half_then_fail(tmp):
        tmp.write_bytes(b"ne")
        raise error

    with pytest.raises(type(error)):
        atomic.write_atomically(target, half_then_fail)
    assert target.read_bytes() == b"old" and list(tmp_path.iterdir()) == [target]


def test_settings_file_is_readable_json_written_atomically(tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOSORT_CONFIG_DIR", str(tmp_path / "config"))
    settings = Settings(library=str(tmp_path / "lib"), camera_roll="/roll", backbone="mobilenet_v2")
    settings.save()
    assert json.loads(Settings.path().read_text(encoding="utf-8"))["camera_roll"] == "/roll"
    assert Settings.load() == settings
    assert [p.name for p in Settings.path().parent.iterdir()] == ["settings.json"]


def test_a_cache_that_cannot_be_written_only_costs_speed(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        assert cache_files.write_atomically(blocker / "weights.npz", lambda tmp: tmp.write_bytes(b"x")) is False
    assert "Could not write cache file" in caplog.text
    assert cache_files.write_atomically(tmp_path / "ok.npz", lambda tmp: tmp.write_bytes(b"x")) is True
    assert (tmp_path / "ok.npz").read_bytes() == b"x"
