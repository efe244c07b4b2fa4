"""Training and evaluation data for the scorer: real sources, evasions, fitting, metrics."""
