"""train(): examples → stratified folds → one head per fold → thresholds → a saved sorter.

The head is trained k times, each time holding out one fold; every photo is thus held out once,
and each category's threshold is chosen to maximise F1 on those held-out scores. The saved
model averages the k heads. Optionally the top of the backbone is then fine-tuned on pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from photosort import metrics
from photosort.backbones import DEFAULT_BACKBONE
from photosort.catalog import Catalog, ModelVersionRecord
from photosort.progress import Progress, ProgressFn, StopFn, check_stop
from photosort.people import face_features_wanted
from photosort.people.fusion import FUSION_KEY
from photosort.predictor import FACE_FEATURES_KEY, HEADLESS_KEY
from photosort.training import people
from photosort.training.examples import AUGMENTED_VIEWS, Examples, check_examples, embed_examples, fewest_positives
from photosort.training.fine_tune import FINE_TUNE_EPOCHS, fine_tune as fine_tune_model
from photosort.training.fitting import MAX_EPOCHS, fit
from photosort.training.folds import MAX_FOLDS, stratified_folds
from photosort.training.head import average_heads, build_head, class_weighted_bce
from photosort.training.held_out import HeldOut
from photosort.training.saving import save_model
from photosort.training.thresholds import thresholds_after_training


@dataclass
class TrainResult:
    version: ModelVersionRecord
    metrics: dict  # {"categories": {...}, "micro_f1", "macro_f1", "history", "examples", ...}
    history: dict[str, list[float]] = field(default_factory=dict)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # unreadable examples
    held_out: HeldOut | None = None  # the scores the thresholds were chosen on (also saved)
    kept_thresholds: dict[str, float] = field(default_factory=dict)  # set by hand, kept (by name)


def train(
    catalog: Catalog,
    backbone: str | None = None,
    epochs: int | None = None,
    fine_tune: bool = False,
    fine_tune_epochs: int | None = None,
    views: int = AUGMENTED_VIEWS,
    folds: int = MAX_FOLDS,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    seed: int = 0,
    face_features: bool | None = None,
) -> TrainResult:
    """Train a sorter on the catalog's labelled photos, save it and make it the current one.
    Categories keep a threshold a person set by hand (see ``thresholds``). Person categories
    are scored from faces, not by the head; ``face_features`` (default: when the library has
    face-aware categories) gives the head each photo's face count and largest face size."""
    progress = on_progress or (lambda p: None)
    backbone = backbone or DEFAULT_BACKBONE
    records, persons = people.split_categories(catalog)
    if not records and persons:
        return _persons_only(catalog, backbone, persons, progress)
    if face_features is None:
        face_features = face_features_wanted(catalog)
    categories = [c.name for c in records]  # the model's columns: these categories, by id
    category_ids = [c.id for c in records]
    labelled = people.head_photos(catalog.labelled_photos(), categories)
    check_examples(categories, labelled)
    examples, skipped = embed_examples(catalog, labelled, categories, backbone, views, progress, should_stop)
    check_examples(categories, examples.photos, skipped)
    if face_features and not fine_tune:
        progress(Progress("faces", 0, 1, "Finding faces in the examples"))
        examples.embeddings = people.add_face_features(catalog, examples.photos, examples.embeddings)
    else:
        face_features = False  # fine-tuning trains on pixels: the head sees the backbone alone

    fold_of = stratified_folds(examples.labels, min(folds, fewest_positives(examples.labels)), seed)
    heads, scores, history = _cross_validate(examples, fold_of, epochs or MAX_EPOCHS, progress, should_stop, seed)
    model = average_heads(heads, examples.embeddings.shape[-1])
    fusion_weights = None
    if face_features:  # late fusion: a face-features model's probability averaged in
        fusion_weights, scores = people.fuse_face_model(examples, scores, fold_of)
    held_rows = np.arange(len(examples.photos))
    if fine_tune:
        model, scores, held_rows = fine_tune_model(
            examples, model, backbone, fold_of, fine_tune_epochs or FINE_TUNE_EPOCHS, progress, should_stop, seed
        )
    labels = examples.labels[held_rows]
    thresholds = {name: metrics.best_threshold(labels[:, i], scores[:, i]) for i, name in enumerate(categories)}
    result = metrics.report(categories, labels, scores, thresholds)
    result["history"] = history
    result["examples"] = len(examples.photos)
    result["views"] = views
    result["folds"] = int(fold_of.max() + 1)
    result[FACE_FEATURES_KEY] = bool(face_features)
    if fusion_weights is not None:
        result[FUSION_KEY] = fusion_weights.tolist()
    person_thresholds, person_report = people.person_results(catalog, persons)  # by category id
    result["categories"].update(person_report)
    result[people.PERSON_THRESHOLDS_KEY] = {str(cid): t for cid, t in person_thresholds.items()}
    held_out = HeldOut(
        photo_ids=[examples.photos[i].photo.id for i in held_rows],
        labels=labels.astype(bool),
        scores=scores.astype(np.float32),
        categories=categories,
    )
    check_stop(should_stop)
    progress(Progress("saving", 0, 1, "Saving the sorter"))
    previous = catalog.current_model()
    version = save_model(catalog, model, backbone, categories, category_ids, thresholds, result, fine_tune, held_out)
    # by id: a category renamed since the previous training is still the same category
    current = catalog.categories()
    apply, kept = thresholds_after_training(
        {**version.chosen_thresholds(), **person_thresholds}, {c.id: c.threshold for c in current},
        people.chosen_thresholds(previous) if previous else None,
    )
    catalog.set_thresholds(apply)
    names = {c.id: c.name for c in current}
    kept = {names[cid]: value for cid, value in kept.items() if cid in names}
    progress(Progress("saving", 1, 1, f"Saved model version {version.id}"))
    return TrainResult(version=version, metrics=result, history=history, skipped=skipped,
                       held_out=held_out, kept_thresholds=kept)


def _persons_only(catalog: Catalog, backbone: str, persons, progress) -> TrainResult:
    """A library of person categories only: nothing for a head to learn; a version without
    a head file records the persons' thresholds (by id) and leave-one-out figures."""
    progress(Progress("faces", 0, 1, "Finding faces in the examples"))
    thresholds, report = people.person_results(catalog, persons)
    f1s = [m["f1"] for m in report.values()]
    macro = float(np.mean(f1s)) if f1s else 0.0
    examples = sum(len(catalog.person_examples(c.name)) for c in persons)
    result = {"categories": report, "macro_f1": macro, "micro_f1": macro, "examples": examples, HEADLESS_KEY: True,
              people.PERSON_THRESHOLDS_KEY: {str(cid): t for cid, t in thresholds.items()}}
    previous = catalog.current_model()
    version = catalog.add_model_version(backbone, [], {}, result, catalog.models_dir / "persons", category_ids=[])
    current = catalog.categories()
    apply, kept = thresholds_after_training(
        thresholds, {c.id: c.threshold for c in current}, people.chosen_thresholds(previous) if previous else None
    )
    catalog.set_thresholds(apply)
    names = {c.id: c.name for c in current}
    kept = {names[cid]: value for cid, value in kept.items() if cid in names}
    progress(Progress("saving", 1, 1, f"Saved model version {version.id}"))
    return TrainResult(version=version, metrics=result, kept_thresholds=kept)


def _cross_validate(examples: Examples, fold_of, epochs, progress, should_stop, seed):
    """Train one head per fold; returns the heads, every photo's held-out scores, and the
    mean training/validation loss per epoch (for the loss plot)."""
    import keras

    views, n, dim = examples.embeddings.shape
    folds = int(fold_of.max() + 1)
    held_out = np.zeros(examples.labels.shape, dtype=np.float32)
    heads, histories = [], []
    for fold in range(folds):
        check_stop(should_stop)
        keras.utils.set_random_seed(seed + fold)
        train_rows, val_rows = np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold)
        head = build_head(dim, examples.labels.shape[1], name=f"head_{fold}")
        history = fit(
            head,
            examples.embeddings[:, train_rows].reshape(-1, dim),  # every view of every training photo
            np.tile(examples.labels[train_rows], (views, 1)),
            examples.embeddings[0, val_rows],
            examples.labels[val_rows],
            class_weighted_bce(examples.labels[train_rows]),
            max_epochs=epochs,
            on_epoch=lambda epoch, logs: progress(Progress(
                "training", fold * epochs + epoch, folds * epochs,
                f"round {fold + 1}/{folds}, epoch {epoch}", {**logs, "fold": fold, "epoch": epoch},
            )),
            should_stop=should_stop,
            seed=seed + fold,
        )
        held_out[val_rows] = np.asarray(head(examples.embeddings[0, val_rows], training=False))
        heads.append(head)
        histories.append(history)
    return heads, held_out, _mean_history(histories)


def _mean_history(histories: list[dict]) -> dict[str, list[float]]:
    mean: dict[str, list[float]] = {}
    for key in ("loss", "val_loss"):
        longest = max(len(h.get(key, [])) for h in histories)
        mean[key] = [
            float(np.mean([h[key][e] for h in histories if e < len(h.get(key, []))])) for e in range(longest)
        ]
    return mean
