"""Labels → cached backbone embeddings → a small sigmoid head → per-category thresholds.

The published transfer-learning recipe, made fast: the frozen backbone embeds each photo and a
few augmented views of it once (cached in the catalog by content hash), and only the small head
(Dense 256 → Dropout 0.4 → one sigmoid per category) trains, on those embeddings.

The head is trained k times on stratified folds, each with early stopping and best weights by
validation loss; every photo is thus held out once, and each category's threshold is chosen to
maximise F1 on those held-out predictions. The saved model averages the k heads. An optional
second stage fine-tunes the top of the backbone at a low learning rate, with the same loop.

    pipeline      train(): the whole run, and TrainResult
    examples      checking the examples, embedding them and their augmented views
    augmentation  the augmented views themselves
    folds         stratified folds
    head          the head, its class-weighted loss, the average of the fold heads
    fitting       the one training loop (head and fine-tuning)
    fine_tune     the optional second stage on pixels
    thresholds    which threshold each category uses after training
    held_out      the held-out scores file beside each model
    saving        writing the model and registering it in the catalog
"""

from photosort.training.examples import AUGMENTED_VIEWS, MIN_EXAMPLES
from photosort.training.fitting import fit
from photosort.training.folds import MAX_FOLDS, stratified_folds
from photosort.training.head import build_head, class_weighted_bce
from photosort.training.held_out import HeldOut, load_held_out
from photosort.training.pipeline import TrainResult, train

__all__ = [
    "AUGMENTED_VIEWS",
    "HeldOut",
    "MAX_FOLDS",
    "MIN_EXAMPLES",
    "TrainResult",
    "build_head",
    "class_weighted_bce",
    "fit",
    "load_held_out",
    "stratified_folds",
    "train",
]
