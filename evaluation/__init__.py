"""Evaluation data for mirrorscan that nothing is fit or tuned on."""
