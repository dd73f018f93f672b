#!/usr/bin/env bash
# Run the built bundle as a new user would, on a fresh directory and without a network:
#   1. `photosort --help` (timed);
#   2. a library trained BY THE BUNDLE on real shared photos (import a folder-per-category
#      subset, train), then a CLI sort of other shared photos with it: the copies must appear;
#   3. the window under Xvfb (timed until it is mapped), with a screenshot.
#
# Usage: packaging/check_bundle.sh [BUNDLE_DIR] [WORK_DIR]
#   BUNDLE_DIR  default dist/photosort (from packaging/build.sh)
#   WORK_DIR    default a new temporary folder; it is kept, with the screenshot and the logs
# Environment: DATASET (default ../shared/datasets/scenes next to the checkout), CATEGORIES
#   (default "forest sea street"), TRAIN_PER_CATEGORY (12), SORT_PER_CATEGORY (4), EPOCHS (3).
# Needs: Xvfb, xdotool, ImageMagick's `import` and the xcb libraries Qt loads (README.md);
#   `unshare` (root, or user namespaces) to cut the network; without it the run is online.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
BUNDLE=$(realpath "${1:-dist/photosort}")
WORK=$(realpath -m "${2:-$(mktemp -d /tmp/photosort-bundle-check.XXXXXX)}")
DATASET=$(realpath "${DATASET:-$REPO/../shared/datasets/scenes}")
CATEGORIES=${CATEGORIES:-"forest sea street"}
TRAIN_PER_CATEGORY=${TRAIN_PER_CATEGORY:-12}
SORT_PER_CATEGORY=${SORT_PER_CATEGORY:-4}
EPOCHS=${EPOCHS:-3}

EXE=$BUNDLE/photosort
[[ -x $EXE ]] || { echo "check_bundle: no bundle at $BUNDLE: run packaging/build.sh first" >&2; exit 1; }
for tool in Xvfb xdotool import; do
    command -v "$tool" >/dev/null || { echo "check_bundle: $tool is missing (apt-get install -y xvfb xdotool imagemagick)" >&2; exit 1; }
done

fail() { echo "check_bundle: FAILED: $*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# A fresh user: nothing from this shell's environment (no venv, PYTHONPATH or caches) reaches
# the bundle; every folder photosort or Qt writes to lies under WORK.
mkdir -p "$WORK"/{home,config,data,cache,runtime}
chmod 700 "$WORK/runtime"
ENVIRONMENT=(env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME="$WORK/home"
    XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data" XDG_CACHE_HOME="$WORK/cache"
    XDG_RUNTIME_DIR="$WORK/runtime"
    PHOTOSORT_CONFIG_DIR="$WORK/config/photosort" PHOTOSORT_DATA_DIR="$WORK/data/photosort"
    PHOTOSORT_CACHE_DIR="$WORK/cache/photosort")
OFFLINE=()
if unshare -n true 2>/dev/null; then
    OFFLINE=(unshare -n)  # a network namespace with no interfaces: nothing can be downloaded
    echo "check_bundle: running offline (unshare -n)"
else
    echo "check_bundle: WARNING: cannot cut the network (unshare -n); running online"
fi
bundle() { "${OFFLINE[@]}" "${ENVIRONMENT[@]}" "$@"; }

echo "check_bundle: bundle $BUNDLE ($(du -sh "$BUNDLE" | cut -f1)), work folder $WORK"

# 1. --help, twice: the first run pays for reading the bundle from disk, the second is warm.
# CPU time is printed too: on a busy machine it says more than the wall clock.
TIMEFORMAT='%R s (CPU %U s user + %S s sys)'
for run in cold warm; do
    took=$( { time bundle "$EXE" --help >"$WORK/help.txt"; } 2>&1 ) || fail "--help exited with an error"
    echo "check_bundle: --help ($run) took $took"
done
grep -q "sort" "$WORK/help.txt" || fail "--help did not list the commands"

# 2. The photos: a folder-per-category training set and a flat camera roll of other photos.
mkdir -p "$WORK/examples" "$WORK/roll"
for category in $CATEGORIES; do
    [[ -d $DATASET/$category ]] || fail "no folder $DATASET/$category"
    mapfile -t photos < <(find "$DATASET/$category" -maxdepth 1 -type f -iname '*.jp*g' | sort)
    mkdir -p "$WORK/examples/$category"
    cp "${photos[@]:0:TRAIN_PER_CATEGORY}" "$WORK/examples/$category/"
    for photo in "${photos[@]:TRAIN_PER_CATEGORY:SORT_PER_CATEGORY}"; do
        cp "$photo" "$WORK/roll/${category}_$(basename "$photo")"
    done
done
roll_count=$(find "$WORK/roll" -type f | wc -l)

LIBRARY=$WORK/library
cli() { bundle "$EXE" --library "$LIBRARY" "$@"; }
cli import "$WORK/examples" --dest "$WORK/sorted" | tee "$WORK/import.txt" || fail "import"
start=$(now)
cli train --epochs "$EPOCHS" | tee "$WORK/train.txt" || fail "train"
echo "check_bundle: training (first run: converts the backbone) took $(elapsed "$start" "$(now)") s"
ls "$WORK/cache/photosort" >/dev/null 2>&1 || fail "training left no backbone cache under $WORK/cache"
cli sort "$WORK/roll" | tee "$WORK/sort.txt" || fail "sort"

copies=$(find "$WORK/sorted" -type f -iname '*.jp*g' | wc -l)
right=0
for category in $CATEGORIES; do
    right=$(( right + $(find "$WORK/sorted/$category" -type f -name "${category}_*" 2>/dev/null | wc -l) ))
done
echo "check_bundle: sort made $copies copies of $roll_count photos; $right in their own category's folder"
(( copies > 0 )) || fail "the sort made no copies"
(( right * 2 >= roll_count )) || fail "fewer than half the photos reached their own category's folder"
[[ $(find "$WORK/roll" -type f | wc -l) == "$roll_count" ]] || fail "the camera roll lost photos"

# 3. The window under Xvfb, on the library trained above.
display=:$(( 90 + RANDOM % 100 ))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
xvfb=$!
gui=""
cleanup() {
    [[ -n $gui ]] && kill "$gui" 2>/dev/null || true
    kill "$xvfb" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 50); do xdotool getdisplaygeometry --display "$display" >/dev/null 2>&1 && break; sleep 0.1; done

ENVIRONMENT+=(DISPLAY="$display" QT_QPA_PLATFORM=xcb)
start=$(now)
bundle "$EXE" --library "$LIBRARY" gui >"$WORK/gui.log" 2>&1 &
gui=$!
window=""
for _ in $(seq 600); do  # up to 60 s
    window=$(DISPLAY=$display xdotool search --onlyvisible --name '^photosort' 2>/dev/null | head -1) && [[ -n $window ]] && break
    kill -0 "$gui" 2>/dev/null || { cat "$WORK/gui.log" >&2; fail "the window process exited"; }
    sleep 0.1
done
[[ -n $window ]] || { cat "$WORK/gui.log" >&2; fail "no window within 60 s"; }
echo "check_bundle: first window after $(elapsed "$start" "$(now)") s"
sleep 5  # the library opens in a worker after the window is up
kill -0 "$gui" 2>/dev/null || { cat "$WORK/gui.log" >&2; fail "the window closed by itself"; }
DISPLAY=$display xdotool getwindowname "$window" | sed 's/^/check_bundle: window title: /'
DISPLAY=$display import -window root "$WORK/window.png"
echo "check_bundle: screenshot $WORK/window.png"
echo "check_bundle: OK"
