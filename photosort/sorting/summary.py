"""What a sort reports: where each photo went (Placement) and the run's counts (SortSummary),
as the CLI prints them, the window shows them and history records them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Placement:
    """Where one photo went (in a dry run: would go). No dests: it stays where it is."""

    source: Path
    dests: dict[str, Path]  # category -> its file there (a new copy, or the same bytes already there)
    copied: tuple[str, ...] = ()  # the categories that got (would get) a new copy
    moved: bool = False  # --move removed the original


@dataclass
class SortSummary:
    run_id: int | None = None
    dry_run: bool = False
    scanned: int = 0
    sorted: int = 0  # photos now in at least one category folder
    copies: int = 0  # new files written (a dry run: that would be written)
    unsorted: int = 0  # photos that reached no threshold: left where they are
    already_sorted: int = 0  # sorted before under the same model, thresholds and folders
    moved: int = 0
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # unreadable input, with why
    errors: list[tuple[Path, str]] = field(default_factory=list)  # copies that failed, with why
    per_category: dict[str, int] = field(default_factory=dict)
    placements: list[Placement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    batches: int = 0  # model calls
    seconds: float = 0.0

    @property
    def photos_per_s(self) -> float:
        return self.scanned / self.seconds if self.seconds > 0 else 0.0

    def merge(self, other: "SortSummary") -> None:
        """Add another summary's counts to this one (the watcher's running totals)."""
        for name in ("scanned", "sorted", "copies", "unsorted", "already_sorted", "moved", "batches", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("skipped", "errors", "placements", "notes"):
            getattr(self, name).extend(getattr(other, name))
        for category, count in other.per_category.items():
            self.per_category[category] = self.per_category.get(category, 0) + count

    def to_json(self, plan: bool = True) -> dict:
        """The summary as JSON; ``plan`` adds a dry run's list of copies it would make."""
        data = {
            "scanned": self.scanned,
            "sorted": self.sorted,
            "copies": self.copies,
            "unsorted": self.unsorted,
            "skipped": [{"path": str(p), "reason": r} for p, r in self.skipped],
            "errors": [{"path": str(p), "reason": r} for p, r in self.errors],
            "per_category": dict(sorted(self.per_category.items())),
            "already_sorted": self.already_sorted,
            "moved": self.moved,
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "photos_per_s": round(self.photos_per_s, 2),
            "notes": list(self.notes),
        }
        if plan and self.dry_run:
            data["would_copy"] = [
                {"source": str(p.source), "category": name, "dest": str(p.dests[name])}
                for p in self.placements
                for name in p.copied
            ]
        return data
