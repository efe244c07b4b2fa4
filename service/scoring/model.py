"""The pairwise scorer: a logistic model over named comparison features, calibrated, whose every
feature's contribution in log-odds is the explanation. Loaded from a JSON artifact in ``models/``
(no pickle): weights, intercept, calibration, and the metadata of how it was made.

What the model estimates is a **log-likelihood ratio**: how much more likely a pair's features are
for a mirror than for an unrelated account. The calibration was fitted on candidates of which a
known share were mirrors (``calibration.prevalence``, 0.5 for the generated splits); that prior
is taken out, so the ratio does not depend on the data the model was fitted to, and a
probability is the ratio applied to the prevalence a deployment configures."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from service.domain import Evidence, PairFeature

# the shipped scorer and its card, package data of ``service`` (installed with it, wheel or not)
DEFAULT_PATH = Path(str(resources.files("service").joinpath("data", "scorer.json")))


def logit(p: float) -> float:
    p = min(max(p, 1e-12), 1.0 - 1e-12)
    return math.log(p / (1.0 - p))


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
    # share of mirrors among the candidates the calibration was fitted on (its prior)
    training_prevalence: float = 0.5
    # the best avatar cosine of the training data's unrelated profiles at the likeness anchor's
    # quantile (``scoring.likeness``); None for a scorer stored without it
    avatar_likeness: float | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> LogisticScorer:
        data = json.loads((path or DEFAULT_PATH).read_text())
        if data.get("kind") != "logistic":
            raise ValueError(f"{path}: not a logistic scorer artifact")
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogisticScorer:
        calibration = data.get("calibration", {})
        return cls(
            version=str(data["version"]),
            intercept=float(data["intercept"]),
            weights={str(k): float(v) for k, v in data["weights"].items()},
            centers={str(k): float(v) for k, v in data.get("centers", {}).items()},
            platt_a=float(calibration.get("a", 1.0)),
            platt_b=float(calibration.get("b", 0.0)),
            training_prevalence=float(calibration.get("prevalence", 0.5)),
            avatar_likeness=_likeness(data.get("avatar_likeness")),
            metadata={
                k: v for k, v in data.items() if k not in {"weights", "intercept", "centers"}
            },
        )

    @property
    def baseline(self) -> float:
        """Log-likelihood ratio of a pair with no evidence at all (the calibration's prior taken
        out: only the features' evidence remains)."""
        return self.platt_a * self.intercept + self.platt_b - logit(self.training_prevalence)

    def explain(self, features: Sequence[PairFeature]) -> tuple[float, tuple[Evidence, ...]]:
        """The pair's log-likelihood ratio and each feature's contribution to it (largest
        first); the contributions and the baseline add up to the ratio exactly."""
        evidence = []
        llr = self.baseline
        for f in features:
            w = self.weights.get(f.name)
            if w is None:
                continue
            contribution = self.platt_a * w * (f.value - self.centers.get(f.name, 0.0))
            llr += contribution
            evidence.append(Evidence(f.signal, round(contribution, 4), f.detail, f.name))
        evidence.sort(key=lambda e: -abs(e.contribution))
        return llr, tuple(evidence)

    def score(
        self, features: Sequence[PairFeature], prevalence: float | None = None
    ) -> tuple[float, tuple[Evidence, ...]]:
        """The probability that the pair is a mirror, among candidates of which ``prevalence``
        are mirrors (default: the calibration's own), with the evidence."""
        llr, evidence = self.explain(features)
        return probability(llr, prevalence or self.training_prevalence), evidence


def _likeness(raw: Any) -> float | None:
    if not isinstance(raw, dict) or "cosine" not in raw:
        return None
    value = float(raw["cosine"])
    if not -1.0 <= value <= 1.0:
        raise ValueError(f"avatar_likeness.cosine must be a cosine, not {value}")
    return value


def probability(llr: float, prevalence: float) -> float:
    """A log-likelihood ratio applied to a prior: ``sigmoid(llr + logit(prevalence))``."""
    return sigmoid(llr + logit(prevalence))
