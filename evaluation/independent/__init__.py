"""An evaluation-set generator written independently of `service/training/`.

Run it as ``python -m evaluation.independent.generate --out DIR``; see ``evaluation/README.md``.
"""

GENERATOR_VERSION = "independent-v1.0"
