"""The pairwise scorer: a logistic model over named comparison features, calibrated, whose every
feature's contribution in log-odds is the explanation. Loaded from a JSON artifact in ``models/``
(no pickle): weights, intercept, calibration, and the metadata of how it was made."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.domain import Band, Evidence, PairFeature

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "models" / "scorer.json"


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@dataclass(frozen=True)
class LogisticScorer:
    """``p = sigmoid(a * (intercept + sum(w_f * (x_f - c_f))) + b)``: a logistic model with Platt
    scaling folded in. Each present feature contributes ``a * w_f * (x_f - c_f)`` calibrated
    log-odds, where ``c_f`` is the feature's typical value on unrelated pairs: a name as unlike
    as an unrelated account's contributes nothing, a more alike one adds, a less alike one
    subtracts; an absent feature (no avatar) contributes nothing."""

    version: str
    intercept: float
    weights: dict[str, float]
    centers: dict[str, float] = field(default_factory=dict)
    platt_a: float = 1.0
    platt_b: float = 0.0
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> LogisticScorer:
        data = json.loads((path or DEFAULT_PATH).read_text())
        if data.get("kind") != "logistic":
            raise ValueError(f"{path}: not a logistic scorer artifact")
        calibration = data.get("calibration", {})
        return cls(
            version=str(data["version"]),
            intercept=float(data["intercept"]),
            weights={str(k): float(v) for k, v in data["weights"].items()},
            centers={str(k): float(v) for k, v in data.get("centers", {}).items()},
            platt_a=float(calibration.get("a", 1.0)),
            platt_b=float(calibration.get("b", 0.0)),
            metadata={
                k: v for k, v in data.items() if k not in {"weights", "intercept", "centers"}
            },
        )

    @property
    def baseline(self) -> float:
        """Log-odds of a pair with no evidence at all."""
        return self.platt_a * self.intercept + self.platt_b

    def score(self, features: Sequence[PairFeature]) -> tuple[float, tuple[Evidence, ...]]:
        evidence = []
        logit = self.baseline
        for f in features:
            w = self.weights.get(f.name)
            if w is None:
                continue
            contribution = self.platt_a * w * (f.value - self.centers.get(f.name, 0.0))
            logit += contribution
            evidence.append(Evidence(f.signal, round(contribution, 4), f.detail))
        evidence.sort(key=lambda e: -abs(e.contribution))
        return sigmoid(logit), tuple(evidence)


@dataclass(frozen=True, slots=True)
class Bands:
    block: float
    review: float

    def of(self, score: float) -> Band:
        return band_for(score, block=self.block, review=self.review)

    @classmethod
    def resolve(cls, block: float | None, review: float | None, scorer: LogisticScorer) -> Bands:
        """Configured thresholds where set, else the model's (chosen on held-out data when it
        was trained), else 0.95 / 0.5."""
        trained = scorer.metadata.get("bands") or {}
        b = block if block is not None else float(trained.get("block", 0.95))
        r = review if review is not None else float(trained.get("review", 0.5))
        if r > b:
            raise ValueError(f"the review threshold {r} exceeds the block threshold {b}")
        return cls(b, r)


def band_for(score: float, *, block: float, review: float) -> Band:
    if score >= block:
        return Band.BLOCK
    if score >= review:
        return Band.REVIEW
    return Band.ALLOW
