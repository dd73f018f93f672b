#!/usr/bin/env bash
# Install the built photosort bundle for one user (or system-wide with --prefix /usr/local):
#   PREFIX/lib/photosort/                    the bundle
#   PREFIX/bin/photosort, photosort-gui      links to its executable (photosort-gui opens the window)
#   PREFIX/share/applications/photosort.desktop
#   PREFIX/share/icons/hicolor/*/apps/photosort.{png,svg}
#
# Usage: install.sh [--prefix DIR] [--uninstall] [BUNDLE_DIR]
#   --prefix   default ~/.local (PREFIX/bin should be on the PATH for the command line)
#   BUNDLE_DIR default: the folder this script is in when it ships inside a bundle
#              (dist/photosort/install.sh, or an unpacked tar.gz), else dist/photosort
# Photos, libraries and settings are never touched, by install or uninstall.
set -euo pipefail

PREFIX="$HOME/.local"
UNINSTALL=0
BUNDLE=""
while (( $# )); do
    case $1 in
        --prefix) PREFIX=${2:?--prefix needs a folder}; shift 2 ;;
        --prefix=*) PREFIX=${1#--prefix=}; shift ;;
        --uninstall) UNINSTALL=1; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) BUNDLE=$1; shift ;;
    esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
if [[ -z $BUNDLE ]]; then
    if [[ -x $HERE/photosort && -d $HERE/_internal ]]; then BUNDLE=$HERE; else BUNDLE=$HERE/../dist/photosort; fi
fi
PREFIX=$(realpath -m "$PREFIX")
APP=$PREFIX/lib/photosort
DESKTOP=$PREFIX/share/applications/photosort.desktop
ICONS=$PREFIX/share/icons/hicolor

refresh_caches() {  # launchers pick the entry and icon up sooner; harmless where absent
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$PREFIX/share/applications" 2>/dev/null || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
}

if (( UNINSTALL )); then
    rm -f "$PREFIX/bin/photosort" "$PREFIX/bin/photosort-gui" "$DESKTOP"
    find "$ICONS" -path '*/apps/photosort.*' -delete 2>/dev/null || true
    rm -rf "$APP"
    refresh_caches
    echo "install.sh: removed photosort from $PREFIX"
    exit 0
fi

BUNDLE=$(realpath "$BUNDLE" 2>/dev/null) || BUNDLE=""
if [[ -z $BUNDLE || ! -x $BUNDLE/photosort || ! -d $BUNDLE/share ]]; then
    echo "install.sh: no built bundle found: run packaging/build.sh first, or give its folder" >&2
    exit 1
fi
[[ $BUNDLE == "$APP" ]] && { echo "install.sh: $BUNDLE is already the installed copy" >&2; exit 1; }

# The bundle: copied beside the old one, then swapped in, so a failed copy leaves the old install.
mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$PREFIX/share/applications"
rm -rf "$APP.new" "$APP.old"
cp -a "$BUNDLE" "$APP.new"
[[ -e $APP ]] && mv "$APP" "$APP.old"
mv "$APP.new" "$APP"
rm -rf "$APP.old"
ln -sfn "$APP/photosort" "$PREFIX/bin/photosort"
ln -sfn "$APP/photosort" "$PREFIX/bin/photosort-gui"  # the name alone opens the window

# Icons: every hicolor size the build rendered, and the SVG.
(cd "$BUNDLE/share/icons/hicolor" && find . -type f -path '*/apps/photosort.*') | while read -r icon; do
    install -Dm644 "$BUNDLE/share/icons/hicolor/$icon" "$ICONS/$icon"
done

# The launcher entry, pointing at this install whether or not PREFIX/bin is on the PATH.
exec_path="$PREFIX/bin/photosort-gui"
[[ $exec_path =~ ^[A-Za-z0-9/._+-]+$ ]] || exec_path="\"$(printf '%s' "$exec_path" | sed 's/[\\"`$]/\\\\&/g')\""
sed -e "s|^Exec=.*|Exec=$exec_path|" -e "s|^TryExec=.*||" "$BUNDLE/share/applications/photosort.desktop" >"$DESKTOP.tmp"
chmod 644 "$DESKTOP.tmp"
mv "$DESKTOP.tmp" "$DESKTOP"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$DESKTOP" || { echo "install.sh: $DESKTOP does not validate" >&2; exit 1; }
fi
refresh_caches

echo "install.sh: installed photosort in $APP"
echo "  window:       $PREFIX/bin/photosort-gui (or the launcher entry 'photosort')"
echo "  command line: $PREFIX/bin/photosort --help"
case ":$PATH:" in *":$PREFIX/bin:"*) ;; *) echo "  note: $PREFIX/bin is not on your PATH" ;; esac
