"""The experiment's report: ``results.json`` (every figure) and ``index.html`` (a page that
needs nothing but the PNGs beside it). Rewritten after each configuration, so an
interrupted run leaves a report of what finished."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from photosort.atomic import write_atomically
from photosort.training.saving import finite


def plot_name(spec: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", spec).strip("_") + ".png"


def best_rows(rows: list[dict]) -> tuple[str | None, str | None]:
    """The best configuration by test macro F1, and the best the library's sorter can run."""
    done = [r for r in rows if r.get("status") == "done"]
    best = max(done, key=lambda r: r["macro_f1"], default=None)
    installable = max((r for r in done if r["params"]["installable"]), key=lambda r: r["macro_f1"], default=None)
    return (best or {}).get("config"), (installable or {}).get("config")


def write_report(out: Path, summary: dict, rows: list[dict]) -> Path:
    """Write results.json and index.html into out; returns the page's path."""
    best, installable = best_rows(rows)
    document = finite({**summary, "best": best, "best_installable": installable, "configs": rows})
    write_atomically(out / "results.json", lambda p: p.write_text(json.dumps(document, indent=1), encoding="utf-8"))
    page = _page(document)
    return write_atomically(out / "index.html", lambda p: p.write_text(page, encoding="utf-8"))


def _f(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _page(doc: dict) -> str:
    esc = html.escape
    rows = doc["configs"]
    lines = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>photosort experiment: {esc(doc['dataset'])}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:1em auto;font-size:14px}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}.best{background:#e6f4e6}</style></head><body>",
        f"<h1>Experiment: {esc(doc['dataset'])}</h1>",
        f"<p>Seed {doc['seed']}; categories: {esc(', '.join(doc['categories']))}; "
        f"{'one category per photo' if doc['single_label'] else 'several categories per photo possible'}. "
        f"Photos: train {doc['split']['train']['photos']}, validation {doc['split']['val']['photos']}, "
        f"test {doc['split']['test']['photos']}. Thresholds are chosen on the validation photos; "
        "every figure below is measured on the test photos.</p>",
    ]
    if doc.get("partial"):
        lines.append("<p><b>Interrupted (or still running): only the configurations that finished are here.</b></p>")
    lines.append(f"<p>Best: <b>{esc(str(doc['best']))}</b>; best the library's sorter can run: "
                 f"<b>{esc(str(doc['best_installable']))}</b>.</p>")
    if any(r.get("status") == "done" for r in rows):
        lines.append("<img src='summary.png' alt='F1 per configuration'>")
    lines.append("<table><tr><th>configuration</th><th>macro F1</th><th>micro F1</th><th>top-1</th>"
                 "<th>top-5</th><th>train s</th><th>photos/s</th><th>balancing</th></tr>")
    for r in rows:
        if r.get("status") != "done":
            lines.append(f"<tr><td>{esc(r['config'])}</td><td colspan='7'>failed: {esc(r.get('error', ''))}</td></tr>")
            continue
        cls = " class='best'" if r["config"] == doc["best"] else ""
        lines.append(
            f"<tr{cls}><td><a href='#{esc(r['plot'])}'>{esc(r['config'])}</a></td><td>{_f(r['macro_f1'])}</td>"
            f"<td>{_f(r['micro_f1'])}</td><td>{_f(r.get('top1'))}</td><td>{_f(r.get('top5'))}</td>"
            f"<td>{_f(r['train_seconds'], 1)}</td><td>{_f(r['photos_per_s'], 1)}</td>"
            f"<td>{esc(_balancing(r['notes']))}</td></tr>"
        )
    lines.append("</table>")
    for r in rows:
        if r.get("status") != "done":
            continue
        lines.append(f"<h2 id='{esc(r['plot'])}'>{esc(r['config'])}</h2><table><tr><th>category</th>"
                     "<th>precision</th><th>recall</th><th>F1</th><th>support</th><th>threshold</th></tr>")
        for name, m in r["categories"].items():
            lines.append(f"<tr><td>{esc(name)}</td><td>{_f(m['precision'])}</td><td>{_f(m['recall'])}</td>"
                         f"<td>{_f(m['f1'])}</td><td>{m['support']}</td><td>{_f(m['threshold'])}</td></tr>")
        lines.append(f"</table><p><img src='{esc(r['plot'])}' alt='plots for {esc(r['config'])}'></p>")
    lines.append("</body></html>")
    return "\n".join(lines)


def _balancing(notes: dict) -> str:
    parts = []
    if notes.get("dropped"):
        parts.append("dropped " + ", ".join(notes["dropped"]))
    elif "dropped" in notes:
        parts.append("dropped none")
    if notes.get("oversampled"):
        parts.append("oversampled " + ", ".join(f"{k} +{v}" for k, v in notes["oversampled"].items()))
    elif "oversampled" in notes:
        parts.append("oversampled none")
    return "; ".join(parts)
