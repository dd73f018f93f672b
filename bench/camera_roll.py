"""Build a realistic 12-megapixel camera roll from the shared photos, once, and reuse it.

Each photo is a real photo from ../shared/datasets (scenes, pets, people, miml; the four sets
in turn) cropped to 4:3, upscaled with Lanczos to 4032×3024 and given a little sensor-like
grain, so that files weigh what a phone's do (2–4 MB) and cost what a phone's cost to decode.
Like a phone's camera roll:

- JPEGs at quality 88–92 with 4:2:0 chroma, EXIF DateTimeOriginal, Make/Model, Orientation;
  some taken sideways or upside down (Orientation 6, 8, 3) with the pixels stored turned
  accordingly, so the photo is upright only once the tag is applied;
- a share of HEICs (the iPhone default) with a 320-pixel thumbnail, as iPhones write, and the
  orientation as a HEIF transform (libheif applies it on decoding, as on a phone);
- a few large PNGs (edited exports).

The roll lands in ``DIR/DCIM/1xxPHOTO/`` with ``DIR/manifest.json`` listing every file, the
source photo it came from and that photo's category. A re-run reuses what is there: files
already written are skipped, so an interrupted build resumes and a complete one returns at once.

    python bench/camera_roll.py --photos 2000            # -> bench/cache/camera_roll_2000
    python bench/camera_roll.py --photos 50 --out /tmp/roll
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from common import CACHE, DATASETS

# Bump when the plan or the rendering changes, so that an old cache is not mistaken for a new one.
GENERATOR_VERSION = 1
SOURCE_SETS = ("scenes", "pets", "people", "miml/labels.csv")
PHONE_SIZE = (4032, 3024)  # a 12-megapixel phone sensor, landscape, as stored
HEIC_THUMBNAIL = 320  # iPhones embed a 320×240 thumbnail in each HEIC
PHOTOS_PER_FOLDER = 500
MANIFEST = "manifest.json"

# How phones hold the camera: mostly upright, often portrait (6), sometimes the other way (8)
# or upside down (3).
ORIENTATION_SHARES = {6: 0.20, 8: 0.04, 3: 0.03}
# Grain, in grey levels: luma noise shared by the three channels plus a little colour noise;
# calibrated so a JPEG at quality 90 weighs about 3 MB, like a phone's.
LUMA_GRAIN = 5.0
CHROMA_GRAIN = 2.0
GRAIN_MARGIN = 256  # each photo takes the grain field at its own offset


@dataclass(frozen=True)
class Plan:
    """What one file of the roll will be; the rendering is a pure function of it."""

    index: int
    file: str  # relative to the roll's folder
    source: str  # relative to DATASETS
    category: str  # "SET/LABEL[;LABEL...]" of the source photo
    format: str  # "jpeg", "heic" or "png"
    orientation: int  # EXIF orientation of the stored pixels (1: upright)
    quality: int
    taken_at: str  # EXIF "YYYY:MM:DD HH:MM:SS"
    make: str
    model: str
    copy_of: int | None = None  # a variant of this photo: same pixels, another timestamp


@dataclass(frozen=True)
class Roll:
    root: Path  # the folder holding manifest.json and DCIM/
    manifest: dict

    @property
    def photos_dir(self) -> Path:
        return self.root / "DCIM"

    @property
    def files(self) -> list[dict]:
        return self.manifest["files"]

    def paths(self) -> list[Path]:
        return [self.root / f["file"] for f in self.files]


def default_dir(photos: int, distinct: int | None = None) -> Path:
    return CACHE / (f"camera_roll_{photos}" + (f"_of_{distinct}" if distinct else ""))


def _link_renders(other: Path, settings: dict, plans: list[Plan], root: Path) -> None:
    """Hard-link the photos a smaller roll already rendered with the same settings (the first
    photos of a plan do not depend on its length) instead of rendering them again."""
    try:
        if json.loads((other / MANIFEST).read_text()).get("settings") != settings:
            return
    except (OSError, ValueError):
        return
    for plan in plans:
        source, target = other / plan.file, root / plan.file
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)


# -- the plan ------------------------------------------------------------------------------


def _sources() -> list[list[tuple[str, str]]]:
    """Per source set, its photos as (path relative to DATASETS, category)."""
    from photosort.datasets import read_dataset

    sets = []
    for name in SOURCE_SETS:
        data = read_dataset(DATASETS / name)
        set_name = name.split("/")[0]
        sets.append(sorted(
            (str(item.path.relative_to(DATASETS)), f"{set_name}/{';'.join(sorted(item.labels)) or 'none'}")
            for item in data.items
        ))
    return sets


def _shuffled(rng, values: list) -> list:
    return [values[i] for i in rng.permutation(len(values))]


def _file_name(index: int, fmt: str, make: str) -> str:
    folder = f"DCIM/{100 + index // PHOTOS_PER_FOLDER}PHOTO"
    if fmt == "png":
        return f"{folder}/IMG_{index + 1:05d}_edit.PNG"
    if make == "Apple":
        return f"{folder}/IMG_{index + 1:05d}.{'HEIC' if fmt == 'heic' else 'JPG'}"
    return f"{folder}/PXL_{index + 1:05d}.jpg"  # lower case, as Android writes it


def make_plan(photos: int, heic_share: float, png_share: float, seed: int, distinct: int | None = None) -> list[Plan]:
    """Deterministic for given arguments: exact format and orientation counts, shuffled. With
    distinct, photos from that index on are variants of the first ``distinct`` (copy_of)."""
    import numpy as np

    rendered = min(distinct or photos, photos)
    rng = np.random.default_rng(seed)
    sets = [_shuffled(rng, s) for s in _sources()]
    n_png = round(rendered * png_share)
    n_heic = round(rendered * heic_share)
    formats = _shuffled(rng, ["png"] * n_png + ["heic"] * n_heic + ["jpeg"] * (rendered - n_png - n_heic))
    orientations: list[int] = []
    for value, share in ORIENTATION_SHARES.items():
        orientations += [value] * round(rendered * share)
    orientations = _shuffled(rng, orientations + [1] * (rendered - len(orientations)))
    start = datetime(2023, 3, 4, 8, 0, 0)
    plans = []
    for i in range(photos):
        # a photo every few hours, as a year of a phone's life
        taken = (start + timedelta(hours=3.7 * i, minutes=float(rng.uniform(0, 120)))).strftime("%Y:%m:%d %H:%M:%S")
        if i >= rendered:
            base = plans[i % rendered]
            plans.append(replace(base, index=i, file=_file_name(i, base.format, base.make), taken_at=taken,
                                 copy_of=base.index))
            continue
        # the sets in turn, each going through its own shuffled photos
        source, category = sets[i % len(sets)][(i // len(sets)) % len(sets[i % len(sets)])]
        fmt = formats[i]
        if fmt == "heic" or (fmt == "jpeg" and i % 2 == 0):
            make, model = "Apple", "iPhone 13"
        elif fmt == "jpeg":
            make, model = "Google", "Pixel 7"
        else:
            make, model = "", ""
        plans.append(Plan(
            index=i, file=_file_name(i, fmt, make), source=source, category=category, format=fmt,
            orientation=1 if fmt == "png" else orientations[i], quality=int(rng.integers(88, 93)),
            taken_at=taken, make=make, model=model,
        ))
    return plans


# -- rendering (in worker processes) -------------------------------------------------------

_grain_cache: dict = {}


def _grain(width: int, height: int):
    """A luma and a chroma noise field, made once per process (making one takes seconds)."""
    import numpy as np

    key = (width, height)
    if key not in _grain_cache:
        rng = np.random.default_rng(os.getpid())
        shape = (height + GRAIN_MARGIN, width + GRAIN_MARGIN)
        luma = rng.standard_normal(shape, dtype=np.float32) * LUMA_GRAIN
        chroma = rng.standard_normal((*shape, 3), dtype=np.float32) * CHROMA_GRAIN
        _grain_cache.clear()
        _grain_cache[key] = (
            np.clip(np.rint(luma), -127, 127).astype(np.int8),
            np.clip(np.rint(chroma), -127, 127).astype(np.int8),
        )
    return _grain_cache[key]


# Pixels as displayed -> pixels as stored, for each EXIF orientation (the inverse of what a
# viewer applies: 6 is shown turned 90° clockwise, so it is stored turned 90° anticlockwise).
def _store_turned(image, orientation: int):
    from PIL import Image

    inverse = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
    return image.transpose(inverse[orientation]) if orientation in inverse else image


def _crop_to(image, aspect: float):
    """Centre crop to width/height = aspect."""
    width, height = image.size
    if width / height > aspect:
        new = round(height * aspect)
        return image.crop(((width - new) // 2, 0, (width - new) // 2 + new, height))
    new = round(width / aspect)
    return image.crop((0, (height - new) // 2, width, (height - new) // 2 + new))


def _exif(plan: Plan) -> bytes:
    from PIL import ExifTags, Image

    exif = Image.Exif()
    if plan.make:
        exif[ExifTags.Base.Make] = plan.make
        exif[ExifTags.Base.Model] = plan.model
    exif[ExifTags.Base.Orientation] = plan.orientation
    exif[ExifTags.Base.DateTime] = plan.taken_at
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = plan.taken_at
    return exif.tobytes()


def render(plan: Plan, root: Path, size: tuple[int, int]) -> int:
    """Write one photo (to a temporary name, then renamed: a killed build leaves no half file).
    Returns its size in bytes."""
    import numpy as np
    from PIL import Image

    target = root / plan.file
    if target.exists():
        return target.stat().st_size
    width, height = size  # as stored
    turned = plan.orientation in (6, 8)
    shown = (height, width) if turned else (width, height)
    with Image.open(DATASETS / plan.source) as source:
        picture = _crop_to(source.convert("RGB"), shown[0] / shown[1]).resize(shown, Image.Resampling.LANCZOS)
    stored = np.asarray(_store_turned(picture, plan.orientation), dtype=np.int16)
    luma, chroma = _grain(width, height)
    rng = np.random.default_rng(plan.index)
    dy, dx = (int(v) for v in rng.integers(0, GRAIN_MARGIN, size=2))
    stored += luma[dy : dy + height, dx : dx + width, None]
    stored += chroma[dy : dy + height, dx : dx + width]
    image = Image.fromarray(np.clip(stored, 0, 255).astype(np.uint8))

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    exif = _exif(plan)
    if plan.format == "jpeg":
        image.save(partial, "JPEG", quality=plan.quality, subsampling=2, exif=exif)  # 2: 4:2:0
    elif plan.format == "heic":
        _register_heif()
        image.info["thumbnails"] = [HEIC_THUMBNAIL]
        # x265's fastest preset: the default takes ~40 s per 12-MP photo; the file decodes the same
        image.save(partial, "HEIF", quality=50, exif=exif, enc_params={"preset": "ultrafast"})
    else:
        image.save(partial, "PNG", compress_level=3, exif=exif)
    taken = datetime.strptime(plan.taken_at, "%Y:%m:%d %H:%M:%S").timestamp()
    os.utime(partial, (taken, taken))  # as a camera leaves it: modified when taken
    os.replace(partial, target)
    return target.stat().st_size


def _register_heif() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()


def _render_task(task: tuple[Plan, str, tuple[int, int]]) -> tuple[int, int]:
    plan, root, size = task
    return plan.index, render(plan, Path(root), size)


def derive(plan: Plan, base: Plan, root: Path) -> int:
    """Write a variant of an already rendered photo: the same bytes but for its EXIF timestamps
    (same length, so nothing moves), so it has its own content hash and costs the same to read.
    Returns its size in bytes."""
    target = root / plan.file
    if target.exists():
        return target.stat().st_size
    data = (root / base.file).read_bytes()
    old, new = base.taken_at.encode(), plan.taken_at.encode()
    if old not in data:
        raise RuntimeError(f"{base.file} has no EXIF timestamp to change")
    data = data.replace(old, new)
    if plan.format == "png":
        data = _fix_png_crcs(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
    taken = datetime.strptime(plan.taken_at, "%Y:%m:%d %H:%M:%S").timestamp()
    os.utime(partial, (taken, taken))
    os.replace(partial, target)
    return len(data)


def _fix_png_crcs(data: bytes) -> bytes:
    """Recompute the CRC of PNG's metadata chunks (eXIf, tEXt, ...) after an in-place edit."""
    import zlib

    out, position = bytearray(data), 8
    while position + 8 <= len(out):
        length = int.from_bytes(out[position : position + 4], "big")
        kind = bytes(out[position + 4 : position + 8])
        end = position + 8 + length
        if kind != b"IDAT":
            out[end : end + 4] = zlib.crc32(out[position + 4 : end]).to_bytes(4, "big")
        position = end + 4
    return bytes(out)


# -- building and reusing ------------------------------------------------------------------


def _settings(photos: int, size: tuple[int, int], heic_share: float, png_share: float, seed: int,
              distinct: int | None) -> dict:
    settings = {
        "generator": GENERATOR_VERSION, "photos": photos, "size": list(size),
        "heic_share": heic_share, "png_share": png_share, "seed": seed,
    }
    if distinct:
        settings["distinct"] = distinct
    return settings


def ensure_camera_roll(
    photos: int = 2000,
    out: str | Path | None = None,
    processes: int = 2,
    size: tuple[int, int] = PHONE_SIZE,
    heic_share: float = 0.10,
    png_share: float = 0.01,
    seed: int = 0,
    distinct: int | None = None,
    log=print,
) -> Roll:
    """The camera roll of ``photos`` photos in ``out`` (default bench/cache/camera_roll_N),
    built now if missing or incomplete. With distinct=M only M photos are rendered (taken from
    the roll of M photos when it exists) and the rest are variants of them."""
    distinct = distinct if distinct and distinct < photos else None
    root = Path(out) if out else default_dir(photos, distinct)
    manifest_path = root / MANIFEST
    settings = _settings(photos, size, heic_share, png_share, seed, distinct)
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("settings") != settings:
            raise SystemExit(
                f"{root} holds a camera roll built with other settings ({manifest.get('settings')}); "
                "delete it or choose another --out."
            )
        if all((root / f["file"]).is_file() for f in manifest["files"]):
            return Roll(root, manifest)

    plans = make_plan(photos, heic_share, png_share, seed, distinct)
    bases = [p for p in plans if p.copy_of is None]
    if distinct:
        _link_renders(default_dir(distinct), _settings(distinct, size, heic_share, png_share, seed, None), bases, root)
    todo = [p for p in bases if not (root / p.file).is_file()]
    sizes = {p.index: (root / p.file).stat().st_size for p in plans if (root / p.file).is_file()}
    if todo:
        log(f"camera roll: rendering {len(todo)} of {photos} photos into {root} "
            f"({processes} processes; later runs reuse them)")
        started = time.monotonic()
        tasks = [(p, str(root), tuple(size)) for p in todo]
        step = max(1, len(todo) // 50)
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for done, (index, nbytes) in enumerate(pool.imap_unordered(_render_task, tasks), 1):
                sizes[index] = nbytes
                if done % step == 0 or done == len(todo):
                    elapsed = time.monotonic() - started
                    eta = elapsed / done * (len(todo) - done)
                    log(f"  {done}/{len(todo)} photos  {done / elapsed:.2f}/s  eta {eta:.0f} s")
    variants = [p for p in plans if p.copy_of is not None and p.index not in sizes]
    if variants:
        log(f"camera roll: writing {len(variants)} variants of the {len(bases)} rendered photos")
        for plan in variants:
            sizes[plan.index] = derive(plan, plans[plan.copy_of], root)

    files = [{**asdict(p), "bytes": sizes[p.index]} for p in plans]
    for entry in files:
        del entry["index"]
    manifest = {
        "settings": settings,
        "total_bytes": sum(sizes.values()),
        "formats": {fmt: sum(1 for p in plans if p.format == fmt) for fmt in ("jpeg", "heic", "png")},
        "files": files,
    }
    partial = manifest_path.with_suffix(".json.partial")
    partial.write_text(json.dumps(manifest, indent=1))
    os.replace(partial, manifest_path)
    return Roll(root, manifest)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, not {text!r}") from None
    return width, height


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Build (once) a realistic camera roll of phone photos from the shared datasets.",
    )
    parser.add_argument("--photos", type=int, default=2000, metavar="N", help="number of photos (default 2000)")
    parser.add_argument("--out", type=Path, metavar="DIR", help="where (default bench/cache/camera_roll_N)")
    parser.add_argument("--processes", type=int, default=2, help="rendering processes (default 2)")
    parser.add_argument("--size", type=_size, default=PHONE_SIZE, metavar="WxH",
                        help="stored size of each photo (default 4032x3024)")
    parser.add_argument("--heic-share", type=float, default=0.10, help="share of HEIC files (default 0.10)")
    parser.add_argument("--png-share", type=float, default=0.01, help="share of PNG files (default 0.01)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--distinct", type=int, metavar="M",
                        help="render only M photos (reusing bench/cache/camera_roll_M when there) and make the "
                             "rest byte-level variants with other EXIF timestamps: own content hash, same "
                             "decoding cost; a 10,000-photo roll in minutes instead of hours")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    roll = ensure_camera_roll(args.photos, args.out, args.processes, args.size,
                              args.heic_share, args.png_share, args.seed, args.distinct)
    manifest = roll.manifest
    print(f"camera roll: {len(manifest['files'])} photos in {roll.photos_dir} "
          f"({manifest['total_bytes'] / 1e9:.2f} GB; {manifest['formats']}), "
          f"ready in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
