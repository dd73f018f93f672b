"""Choosing the questions to ask and the teach loop."""
