"""A fresh desktop: ``photosort gui`` names a missing xcb library and the command that
installs it (exit code 1) instead of letting Qt abort with a misleading message."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from photosort.gui import system_libs

REPO = Path(__file__).resolve().parents[2]


def test_this_machine_has_what_the_xcb_plugin_needs_or_says_what_is_missing():
    if system_libs.installed_sonames() is None:
        pytest.skip("no ldconfig here")
    missing = system_libs.missing_libraries()
    if os.environ.get("QT_QPA_PLATFORM") == "xcb":  # the window opens on X here, so nothing can be missing
        assert missing == []
    assert set(missing) <= set(system_libs.LIBRARIES)


def test_platform_choice():
    assert system_libs.uses_xcb({"QT_QPA_PLATFORM": "xcb"})
    assert not system_libs.uses_xcb({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"})
    assert system_libs.uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, ["-platform", "xcb"])
    assert not system_libs.uses_xcb({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"})
    assert system_libs.uses_xcb({"DISPLAY": ":0"}) == sys.platform.startswith("linux")


def test_readme_installs_every_library_the_check_knows():
    readme = (REPO / "README.md").read_text()
    line = next(line for line in readme.splitlines() if "apt-get install" in line and "libxcb" in line)
    assert set(system_libs.packages(list(system_libs.LIBRARIES))) <= set(line.split())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_gui_names_the_missing_library_and_exits_1(tmp_path):
    """A desktop whose loader lacks libxcb-icccm4 and libxcb-keysyms1 (issue 13): the real
    ``ldconfig -p`` listing with those two lines taken out, found first on PATH."""
    real = shutil.which("ldconfig") or next((p for p in ("/sbin/ldconfig", "/usr/sbin/ldconfig")
                                             if Path(p).exists()), None)
    if real is None:
        pytest.skip("no ldconfig here")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "ldconfig"
    fake.write_text(f"#!/bin/sh\n{real} \"$@\" | grep -v -e libxcb-icccm.so.4 -e libxcb-keysyms.so.1\n")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "QT_QPA_PLATFORM": "xcb",
           "DISPLAY": os.environ.get("DISPLAY", ":0"), "PYTHONPATH": str(REPO), "LD_LIBRARY_PATH": ""}
    done = subprocess.run([sys.executable, "-m", "photosort", "--library", str(tmp_path / "library"), "gui"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "libxcb-icccm.so.4" in done.stderr and "libxcb-keysyms.so.1" in done.stderr
    assert re.search(r"sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1\b", done.stderr)
    assert "Traceback" not in done.stderr
