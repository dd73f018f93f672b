"""Which threshold each category uses after a training: the new model's, unless a person set one.

A category whose threshold differs from the one the previous model chose for it was moved by
hand (the slider, or ``photosort category threshold``); retraining keeps it. Every other category, and
every new one, takes the new model's best-F1 threshold. The model version records its own choice
either way, so "Best F1" can still take it.
"""

from __future__ import annotations

# The GUI's slider stores thresholds rounded to 0.001, so "Best F1" on the slider leaves a value
# up to half a step from the model's choice: that still counts as the model's choice.
HAND_SET_TOLERANCE = 0.0005


def thresholds_after_training(
    chosen: dict[str, float],
    current: dict[str, float],
    previous_choice: dict[str, float] | None,
) -> tuple[dict[str, float], dict[str, float]]:
    """(thresholds to set, thresholds kept because a person set them), from the new model's
    ``chosen`` thresholds, the categories' ``current`` ones and the previous model's choice."""
    previous_choice = previous_choice or {}
    apply, kept = {}, {}
    for name, value in chosen.items():
        before, now = previous_choice.get(name), current.get(name)
        if before is not None and now is not None and abs(now - before) > HAND_SET_TOLERANCE:
            kept[name] = now
        else:
            apply[name] = value
    return apply, kept
