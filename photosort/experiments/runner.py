"""run_experiment(): one split, every configuration asked for, one report.

Progress goes through a plain on_progress callable (stage "experiment", done/total over the
configurations); Cancel or Ctrl-C stops within the running configuration, and the report of
everything that finished stays written (it is rewritten after every configuration).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from photosort.errors import Cancelled, PhotosortError
from photosort.experiments.configs import DEFAULT_CONFIGS, Config, parse_config
from photosort.experiments.data import ExperimentData, load_data
from photosort.experiments.features import EmbeddingCache
from photosort.experiments.frozen import Context, run_frozen
from photosort.experiments.keypoints import run_bovw
from photosort.experiments.pixels import PixelStore
from photosort.experiments.report import plot_name, write_report
from photosort.experiments.scoring import Outcome, judge
from photosort.experiments.scratch import run_cnn
from photosort.progress import Progress, ProgressFn, StopFn

log = logging.getLogger(__name__)

FAMILY_RUNNERS = {"frozen": run_frozen, "finetune": run_frozen, "cnn": run_cnn, "bovw": run_bovw}


@dataclass
class ExperimentResult:
    out: Path
    page: Path | None
    rows: list[dict]  # one per configuration tried, as in results.json
    data: ExperimentData
    partial: bool = False
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # by spec, models in memory
    configs: dict[str, Config] = field(default_factory=dict)


def run_experiment(
    dataset: str | Path,
    out: str | Path,
    configs: list[str] | None = None,
    seed: int = 0,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> ExperimentResult:
    """Split the dataset, run every configuration (DEFAULT_CONFIGS unless given), write the
    report into out. A configuration that fails is reported as failed and the rest still run;
    Cancelled / KeyboardInterrupt stop the run with the report of what finished."""
    progress = on_progress or (lambda p: None)
    parsed = [parse_config(spec) for spec in (configs or DEFAULT_CONFIGS)]  # bad specs fail first
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    progress(Progress("experiment", 0, len(parsed), "reading the dataset"))
    data = load_data(dataset, seed)
    store = PixelStore(data.paths, data.hashes)
    cache = EmbeddingCache(out / "cache", store)
    summary = {"dataset": str(dataset), "seed": seed, "categories": data.categories,
               "single_label": data.single_label, "split": data.counts(),
               "partial": True,  # until the last configuration: a killed run's report says so
               "problems": [[str(p), why] for p, why in data.problems]}
    result = ExperimentResult(out, None, [], data)
    for index, config in enumerate(parsed):
        def report(message: str, index=index, config=config) -> None:
            progress(Progress("experiment", index, len(parsed), f"{config.spec}: {message}"))

        report("starting")
        ctx = Context(data, store, cache, report, should_stop, seed)
        began = time.perf_counter()
        try:
            outcome = FAMILY_RUNNERS[config.family](ctx, config)
        except (Cancelled, KeyboardInterrupt):
            result.partial = True
            break
        except (PhotosortError, ValueError, MemoryError) as exc:  # one bad configuration, not the run
            log.warning("configuration %s failed: %s", config.spec, exc)
            result.rows.append({"config": config.spec, "params": config.describe(), "status": "failed",
                                "error": str(exc)})
            continue
        row = _row(config, outcome, time.perf_counter() - began)
        _plot(out, config, outcome, row)
        result.rows.append(row)
        result.outcomes[config.spec], result.configs[config.spec] = outcome, config
        result.page = write_report(out, summary, result.rows)
        progress(Progress("experiment", index + 1, len(parsed),
                          f"{config.spec}: macro F1 {row['macro_f1']:.3f}", {"macro_f1": row["macro_f1"]}))
    summary["partial"] = result.partial
    _summary_plot(out, result.rows)
    result.page = write_report(out, summary, result.rows)
    return result


def _row(config: Config, outcome: Outcome, wall: float) -> dict:
    judged = judge(outcome)
    return {"config": config.spec, "params": config.describe(), "status": "done", **judged,
            "train_seconds": outcome.train_seconds, "photos_per_s": outcome.photos_per_s,
            "wall_seconds": wall, "history": outcome.history, "notes": outcome.notes,
            "plot": plot_name(config.spec)}


def _plot(out: Path, config: Config, outcome: Outcome, row: dict) -> None:
    from photosort.experiments.plots import config_figure

    config_figure(out / row["plot"], config.spec, outcome, row)


def _summary_plot(out: Path, rows: list[dict]) -> None:
    from photosort.experiments.plots import summary_figure

    done = [r for r in rows if r.get("status") == "done"]
    if done:
        summary_figure(out / "summary.png", done)
