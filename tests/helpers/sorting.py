"""Shared helpers of the sorting, watcher and sort-command tests: real photos, tree snapshots,
and thresholds picked from a real model's real scores."""

from __future__ import annotations

import hashlib
import os
import shutil
from itertools import combinations
from pathlib import Path

SCENES = ("forest", "sea", "street", "mountain", "glacier", "buildings")
UNSEEN_FROM = 20  # the shared trained library learned from photos 0-14 of each category


def scene_photo(datasets_dir: Path, category: str, index: int) -> Path:
    return sorted((datasets_dir / "scenes" / category).glob("*.jpg"))[index]


def make_camera_roll(datasets_dir: Path, folder: Path, per_scene: int = 2, start: int = UNSEEN_FROM) -> list[Path]:
    """Real photos the model never saw, from every scenes category, copied (with their
    timestamps) into folder, half of them in a subfolder."""
    photos = []
    for n, category in enumerate(SCENES):
        target = folder / ("2024" if n % 2 else "")
        target.mkdir(parents=True, exist_ok=True)
        for index in range(start, start + per_scene):
            source = scene_photo(datasets_dir, category, index)
            photos.append(Path(shutil.copy2(source, target / f"{category}_{source.name}")))
    return sorted(photos)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(*roots: Path) -> dict[str, object]:
    """Every folder and file under roots: path -> "dir", or (sha256, size, mtime_ns)."""
    tree: dict[str, object] = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames:
                tree[os.path.join(dirpath, name)] = "dir"
            for name in filenames:
                path = Path(dirpath, name)
                st = path.lstat()
                tree[str(path)] = (digest(path), st.st_size, st.st_mtime_ns) if path.is_file() else "special"
    return tree


def temp_files(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob(".photosort-*")]


def folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def thresholds_for_two_and_none(scores: dict[int, dict[str, float]]) -> tuple[int, int, dict[str, float]]:
    """From real scores {photo id: {category: score}}, thresholds under which photo ``two``
    reaches exactly two categories and photo ``none`` reaches none: midpoints between the two
    photos' scores (the pair of photos and categories chosen to keep those gaps widest), the
    other categories set above both. The sort re-scores cached embeddings to the same floats,
    so any gap, however small, decides the same way every time."""
    categories = sorted(next(iter(scores.values())))
    margin, two, none, pair = max(
        (min(scores[two][a] - scores[none][a], scores[two][b] - scores[none][b]), two, none, (a, b))
        for two in scores
        for none in scores
        for a, b in combinations(categories, 2)
    )
    assert margin > 1e-6, f"no photo scores above another in two categories: {scores}"
    thresholds = {}
    for name in categories:
        low = max(scores[two][name], scores[none][name])
        high = max(s[name] for s in scores.values())
        if name in pair:
            thresholds[name] = (scores[two][name] + scores[none][name]) / 2
        else:  # above both photos, below the best one when another photo is better
            thresholds[name] = (low + high) / 2 if high > low else (low + 1) / 2
    return two, none, thresholds


def expected_categories(scores: dict[int, dict[str, float]], thresholds: dict[str, float]) -> dict[int, set[str]]:
    return {pid: {c for c, s in by_cat.items() if s >= thresholds[c]} for pid, by_cat in scores.items()}


def mount_small_tmpfs(where: Path, size: str = "2m") -> str | None:
    """Mount a small tmpfs at where (a destination that fills up); None if mounted, else why
    not (not root, a container without CAP_SYS_ADMIN): the caller skips with that reason."""
    import subprocess

    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    return None if done.returncode == 0 else (done.stderr.strip() or "mount failed")


def unmount(where: Path) -> None:
    import subprocess

    subprocess.run(["umount", "-l", str(where)], capture_output=True)
