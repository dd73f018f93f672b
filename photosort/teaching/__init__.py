"""Teaching from the camera roll: which photos to ask about, and a quick head on the answers."""

from photosort.teaching.questions import choose_questions, random_questions
from photosort.teaching.quick_head import fit_quick_head, quick_scores

__all__ = ["choose_questions", "fit_quick_head", "quick_scores", "random_questions"]
