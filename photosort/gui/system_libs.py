"""The system libraries Qt's X11 (xcb) platform plugin needs, checked before Qt starts.

Why: on a fresh Debian/Ubuntu desktop pip installs PySide6 but not the xcb helper libraries
its X11 plugin links against (libxcb-icccm4, libxcb-keysyms1, ...). Qt then aborts with a
message that blames the plugin or another library. ``photosort gui`` checks first and says
which library is missing and the one command that installs it.

Runs without Qt (stdlib only): ``python -m photosort.gui.system_libs`` prints the apt-get
command for what is missing (``.ci/run`` uses ``--packages``), or nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# soname the xcb plugin links (outside the PySide6 wheel) -> (Debian/Ubuntu, Fedora, Arch) package
LIBRARIES: dict[str, tuple[str, str, str]] = {
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb", "libxcb"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11"),
    "libGL.so.1": ("libgl1", "mesa-libGL", "libglvnd"),
    "libEGL.so.1": ("libegl1", "mesa-libEGL", "libglvnd"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig", "fontconfig"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs", "dbus"),
}
APT, DNF, PACMAN = 0, 1, 2


def uses_xcb(environ: dict[str, str] | None = None, qt_args: list[str] | None = None) -> bool:
    """Whether Qt would start its X11 plugin: asked for, or unasked on an X (not Wayland) desktop."""
    env = os.environ if environ is None else environ
    args = qt_args or []
    platform = args[args.index("-platform") + 1] if "-platform" in args[:-1] else env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0] == "xcb"
    return sys.platform.startswith("linux") and bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def installed_sonames() -> set[str] | None:
    """Sonames the dynamic loader can find (its cache and LD_LIBRARY_PATH); None if unknown."""
    try:
        listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=10,
                                 env={**os.environ, "LC_ALL": "C"}).stdout
    except (OSError, subprocess.SubprocessError):
        listing = ""
    for sbin in ("/sbin/ldconfig", "/usr/sbin/ldconfig"):  # not on PATH for some users
        if not listing and Path(sbin).exists():
            listing = subprocess.run([sbin, "-p"], capture_output=True, text=True, timeout=10).stdout
    if not listing:
        return None
    names = {line.split()[0] for line in listing.splitlines()[1:] if line.strip()}
    for folder in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep):
        if folder and Path(folder).is_dir():
            names.update(p.name for p in Path(folder).iterdir())
    return names


def missing_libraries(installed: set[str] | None = None) -> list[str]:
    """The xcb plugin's libraries that are not installed; [] when all are (or when unknown)."""
    names = installed_sonames() if installed is None else installed
    if names is None:
        return []  # no ldconfig (not glibc): let Qt speak for itself
    return [soname for soname in LIBRARIES if soname not in names]


def packages(missing: list[str], column: int = APT) -> list[str]:
    return sorted({LIBRARIES[soname][column] for soname in missing})


def install_hint(missing: list[str]) -> str:
    """What to tell the person: the libraries and the commands that install them."""
    return (
        f"photosort: the window cannot open: Qt's X11 support needs {', '.join(missing)}, "
        f"which {'is' if len(missing) == 1 else 'are'} not installed.\n"
        f"Install with:\n    sudo apt-get install -y {' '.join(packages(missing))}\n"
        f"(Fedora: sudo dnf install {' '.join(packages(missing, DNF))};"
        f" Arch: sudo pacman -S --needed {' '.join(packages(missing, PACMAN))})"
    )


def main(argv: list[str]) -> int:
    missing = missing_libraries()
    if "--packages" in argv:  # for scripts: the Debian packages to install, one line
        print(" ".join(packages(missing)))
    elif missing:
        print(install_hint(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
