"""Avatars drawn or rendered for the evaluation set, and the evaders' edits on them."""
