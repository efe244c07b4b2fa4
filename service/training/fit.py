"""Fit the pairwise scorer: run the real pipeline over generated (or moderator-labelled) data to
get every candidate pair's comparison features, fit a logistic model with sign constraints (a
similarity may only add evidence), calibrate it on held-out groups, choose the bands, and write
the JSON artifact the service loads."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from service.domain import Profile
from service.errors import MirrorscanError
from service.ingest.files import LineError, read_jsonl
from service.pipeline import Pipeline
from service.scoring.avatar import cosine as avatar_cosine
from service.training.metrics import Scored

# features whose weight must be <= 0 (evidence against); every other feature's weight is >= 0
NEGATIVE_FEATURES = frozenset({"links.no_shared_contact", "name.missing_bits", "avatar.shared"})
# a feature present in fewer unrelated pairs than this is an event (a shared contact, an
# acronym): its absence is the baseline and its center is 0; a more common one (a similarity
# present whenever both sides have the channel) is centered on its median over unrelated pairs
EVENT_RATE = 0.3
# features whose sign is learned freely (modifiers rather than evidence)
FREE_FEATURES: frozenset[str] = frozenset()
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Pair:
    candidate: str
    account: str
    group: str
    values: dict[str, float]


@dataclass(frozen=True, slots=True)
class Labelled:
    id: str
    family: str
    account: str | None
    group: str | None


def read_labels(path: Path) -> dict[str, Labelled]:
    out = {}
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out[row["id"]] = Labelled(row["id"], row.get("family") or "unlabelled",
                                          row.get("account_id"), row.get("group"))  # fmt: skip
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a label line ({exc})") from exc
    return out


def load_profiles(path: Path, limit_bytes: int) -> list[Profile]:
    profiles = []
    for item in read_jsonl(path, max_avatar_bytes=limit_bytes):
        if isinstance(item, LineError):
            raise ValueError(f"{path}: {item}")
        profiles.append(item.profile)
    return profiles


def collect_pairs(
    pipeline: Pipeline,
    candidates: Sequence[Profile],
    progress: Progress | None = None,
    best_cosines: dict[str, float] | None = None,
) -> list[Pair]:
    """Every (candidate, retrieved banned account) pair with its comparison features; with
    ``best_cosines``, each candidate's best avatar cosine over its retrieved accounts too (what
    ``scoring.likeness`` counts)."""
    out: list[Pair] = []
    for start in range(0, len(candidates), 32):
        chunk = candidates[start : start + 32]
        derived = pipeline.derive(chunk)
        for profile, features in zip(chunk, derived, strict=True):
            if isinstance(features, MirrorscanError):
                continue
            for account, feats in pipeline.pairs(profile, features):
                values = {f.name: f.value for f in feats}
                out.append(
                    Pair(profile.id, account.profile.id, account.profile.group or "", values)
                )
                theirs = account.features.avatar
                if best_cosines is not None and features.avatar and theirs:
                    cos = avatar_cosine(features.avatar, theirs)
                    if cos is not None:
                        best_cosines[profile.id] = max(cos, best_cosines.get(profile.id, -1.0))
        if progress:
            progress(len(chunk))
    return out


def pair_label(pair: Pair, labels: dict[str, Labelled]) -> int | None:
    """1: the candidate re-creates this account; 0: unrelated; None: another account of the
    same group (a mirror of the group, not of this account: left out of fitting)."""
    lab = labels.get(pair.candidate)
    if lab is None or lab.account is None:
        return 0
    if lab.account == pair.account:
        return 1
    return None if lab.group == pair.group else 0


@dataclass
class Fitted:
    names: list[str]
    weights: np.ndarray
    intercept: float
    centers: dict[str, float]
    platt_a: float = 1.0
    platt_b: float = 0.0
    # the calibration's prior (share of mirrors among its candidates) and its candidates'
    # log-likelihood ratios, from which bands are computed at any prevalence
    prevalence: float = 0.5
    curve_pos: list[float] | None = None
    curve_neg: list[float] | None = None

    def logits(self, pairs: Sequence[Pair]) -> np.ndarray:
        z: np.ndarray = design(pairs, self.names, self.centers) @ self.weights + self.intercept
        return z

    def probs(self, pairs: Sequence[Pair]) -> np.ndarray:
        z = self.platt_a * self.logits(pairs) + self.platt_b
        return 1.0 / (1.0 + np.exp(-z))


def design(pairs: Sequence[Pair], names: list[str], centers: dict[str, float]) -> np.ndarray:
    x = np.zeros((len(pairs), len(names)))
    col = {n: i for i, n in enumerate(names)}
    for r, pair in enumerate(pairs):
        for name, value in pair.values.items():
            j = col.get(name)
            if j is not None:
                x[r, j] = value - centers[name]
    return x


def _bounds(names: list[str]) -> list[tuple[float | None, float | None]]:
    out: list[tuple[float | None, float | None]] = []
    for n in names:
        if n in FREE_FEATURES:
            out.append((None, None))
        elif n in NEGATIVE_FEATURES:
            out.append((None, 0.0))
        else:
            out.append((0.0, None))
    return out


def fit_logistic(
    pairs: Sequence[Pair], y: np.ndarray, l2: float, sample_weight: np.ndarray | None = None
) -> Fitted:
    names = sorted({n for p in pairs for n in p.values})
    negatives = [p for p, t in zip(pairs, y, strict=True) if t == 0]
    centers = {}
    for n in names:
        neg = [p.values[n] for p in negatives if n in p.values]
        common = len(neg) >= EVENT_RATE * max(len(negatives), 1)
        centers[n] = float(np.median(neg)) if neg and common else 0.0
    x = design(pairs, names, centers)
    w_s = np.ones(len(y)) if sample_weight is None else sample_weight
    # balance the classes: positives are a few percent of the pairs
    pos_w = (len(y) - y.sum()) / max(y.sum(), 1)
    w_s = w_s * np.where(y == 1, pos_w, 1.0)
    w_s = w_s / w_s.mean()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        ll = np.logaddexp(0.0, z) - y * z
        value = float((w_s * ll).mean() + l2 * (w @ w) / 2)
        g = w_s * (p - y) / len(y)
        return value, np.concatenate([x.T @ g + l2 * w, [g.sum()]])

    theta0 = np.zeros(len(names) + 1)
    res = minimize(
        loss, theta0, jac=True, method="L-BFGS-B", bounds=[*_bounds(names), (None, None)]
    )
    return Fitted(names, res.x[:-1], float(res.x[-1]), centers)


def platt(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Calibration ``p = sigmoid(a * logit + b)`` fitted by maximum likelihood."""

    def loss(ab: np.ndarray) -> tuple[float, np.ndarray]:
        z = ab[0] * logits + ab[1]
        p = 1.0 / (1.0 + np.exp(-z))
        value = float((np.logaddexp(0.0, z) - y * z).mean())
        g = (p - y) / len(y)
        return value, np.array([float(g @ logits), float(g.sum())])

    res = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    return float(res.x[0]), float(res.x[1])


Best = dict[str, tuple[float, str | None, str | None]]


def best_per_candidate(pairs: Sequence[Pair], scores: np.ndarray) -> Best:
    best: Best = {}
    for pair, s in zip(pairs, scores, strict=True):
        cur = best.get(pair.candidate)
        if cur is None or s > cur[0]:
            best[pair.candidate] = (float(s), pair.account, pair.group)
    return best


def scored(labels: dict[str, Labelled], best: Best, floor: float) -> list[Scored]:
    """Candidate-level results; a candidate with no retrieved pair scores ``floor``."""
    out = []
    for lab in labels.values():
        score, account, group = best.get(lab.id, (floor, None, None))
        out.append(Scored(lab.id, lab.family, lab.account, lab.group, score, account, group))
    return out


def candidate_logits(pairs: Sequence[Pair], fitted: Fitted) -> Best:
    return best_per_candidate(pairs, fitted.logits(pairs))


def calibrate(
    fitted: Fitted,
    pairs: Sequence[Pair],
    labels: dict[str, Labelled],
    extra: tuple[Sequence[Pair], np.ndarray] | None = None,
) -> None:
    """Platt scaling on the candidate level (the best pair's logit against "is a mirror"): the
    probability the service reports is the account-level one. ``extra``: moderator decisions,
    each a labelled candidate of its own. Keeps the calibration set's prevalence (the prior the
    fitted calibration carries, which the service takes out to get a likelihood ratio) and its
    candidates' ratios (the curve bands are computed from)."""
    best = candidate_logits(pairs, fitted)
    floor = min((v[0] for v in best.values()), default=-10.0) - 1.0
    z = [best.get(k, (floor, None, None))[0] for k in labels]
    y = [1.0 if labels[k].account else 0.0 for k in labels]
    if extra is not None and len(extra[0]):
        z += list(fitted.logits(extra[0]))
        y += list(extra[1])
    zs, ys = np.array(z), np.array(y)
    fitted.platt_a, fitted.platt_b = platt(zs, ys)
    fitted.prevalence = float(ys.mean())
    prior = math.log(fitted.prevalence / (1.0 - fitted.prevalence))
    llr = fitted.platt_a * zs + fitted.platt_b - prior
    fitted.curve_pos = [round(float(v), 3) for v in np.sort(llr[ys == 1])]
    fitted.curve_neg = [round(float(v), 3) for v in np.sort(llr[ys == 0])]


def artifact(fitted: Fitted, version: str, metadata: dict[str, Any]) -> dict[str, Any]:
    keep = [i for i, w in enumerate(fitted.weights) if abs(w) > 1e-9]
    return {
        "kind": "logistic",
        "version": version,
        "intercept": round(fitted.intercept, 6),
        "weights": {fitted.names[i]: round(float(fitted.weights[i]), 6) for i in keep},
        "centers": {fitted.names[i]: round(fitted.centers[fitted.names[i]], 6) for i in keep},
        "calibration": {
            "a": round(fitted.platt_a, 6),
            "b": round(fitted.platt_b, 6),
            "prevalence": round(fitted.prevalence, 6),
            "curve": {"positives": fitted.curve_pos or [], "negatives": fitted.curve_neg or []},
        },
        **metadata,
    }


def finite(value: Any) -> Any:
    """JSON-safe: NaN becomes None, recursively."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value
