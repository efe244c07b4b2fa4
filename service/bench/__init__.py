"""The scale benchmark: synthetic banks and per-channel measurements."""
