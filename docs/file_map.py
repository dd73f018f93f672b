"""Print docs/architecture.md's file map: one line per module of photosort/, from its docstring.

    python docs/file_map.py > /tmp/map.md   # then paste it over the section in architecture.md
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "photosort"


def summary(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line, cut to fit."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "(package marker)"
    line = " ".join(doc.strip().split("\n\n")[0].split())
    return line if len(line) <= 170 else line[:167].rsplit(" ", 1)[0] + "…"


def main() -> None:
    print("## Where each concern lives: one line per file\n")
    print("Each line is the module's own docstring (`python docs/file_map.py` prints this map again).")
    package = None
    for path in sorted(p for p in ROOT.rglob("*.py") if "versions" not in p.parts):
        if path.parent != package:
            package = path.parent
            print(f"\n**`{package.relative_to(ROOT.parent)}/`**\n")
        print(f"- `{path.relative_to(ROOT)}` — {summary(path)}")


if __name__ == "__main__":
    main()
