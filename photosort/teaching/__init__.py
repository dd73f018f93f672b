"""Teaching from the camera roll.

- questions: which photos to ask about (margin, the teach loop's choice; closest to the
  threshold; likeliest for the category with fewest examples; random, the baseline)
- retrain: the training recipe on cached embeddings, for the teach benchmark
- loop: TeachLoop, questions -> labels -> retraining, for the CLI and a GUI view
- unsorted: the photos a sort sent to no folder, with their closest category
"""

from photosort.teaching.questions import choose_questions, likely_positive_questions, margin_questions, random_questions

__all__ = ["choose_questions", "likely_positive_questions", "margin_questions", "random_questions"]
