"""Metrics of a scored candidate set: ranking (ROC-AUC, average precision), operating points
(recall at precision 0.99, recall at FPR 0.1%), calibration (expected calibration error),
attribution (right banned account, right group), and the same per evasion family."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


@dataclass(frozen=True, slots=True)
class Scored:
    id: str
    family: str
    label_account: str | None  # the true source account, None for a negative
    label_group: str | None
    score: float
    top_account: str | None
    top_group: str | None
    band: str | None = None  # the band the service gave (with its corroboration rule), if known

    @property
    def positive(self) -> bool:
        return self.label_account is not None


def _arrays(items: Sequence[Scored]) -> tuple[np.ndarray, np.ndarray]:
    y = np.array([1 if s.positive else 0 for s in items])
    p = np.array([s.score for s in items], dtype=np.float64)
    return y, p


def threshold_at_precision(items: Sequence[Scored], precision: float) -> float:
    """The lowest threshold whose precision (score >= t) reaches ``precision``; 1.01 when none."""
    y, p = _arrays(items)
    order = np.argsort(-p, kind="stable")
    tp = np.cumsum(y[order])
    k = np.arange(1, len(order) + 1)
    prec = tp / k
    # thresholds can only sit between distinct scores
    ok = [
        i
        for i in range(len(order))
        if prec[i] >= precision and (i + 1 == len(order) or p[order[i]] > p[order[i + 1]])
    ]
    return float(p[order[max(ok)]]) if ok else 1.01


def threshold_at_fpr(items: Sequence[Scored], fpr: float) -> float:
    _, p = _arrays([s for s in items if not s.positive])
    if len(p) == 0:
        return 0.0
    allowed = int(np.floor(fpr * len(p)))
    ranked = np.sort(p)[::-1]
    # strictly above the (allowed+1)-th highest negative
    return float(np.nextafter(ranked[allowed], 2.0)) if allowed < len(ranked) else 0.0


def recall_at(items: Sequence[Scored], threshold: float) -> float:
    pos = [s for s in items if s.positive]
    return sum(s.score >= threshold for s in pos) / len(pos) if pos else float("nan")


def ece(items: Sequence[Scored], bins: int = 10) -> float:
    y, p = _arrays(items)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (p >= lo) & ((p < hi) if hi < 1.0 else (p <= hi))
        if mask.any():
            total += mask.sum() / len(p) * abs(float(y[mask].mean()) - float(p[mask].mean()))
    return total


def band_of(s: Scored, block: float, review: float) -> str:
    """The band the service gave, else the one the thresholds give."""
    if s.band is not None:
        return s.band
    return "block" if s.score >= block else "review" if s.score >= review else "allow"


def summary(items: Sequence[Scored], *, block: float, review: float) -> dict[str, Any]:
    """Operating figures first (what a platform lives with: legitimate accounts in ``block``,
    the share of legitimate accounts in ``review``, block precision and recall, calibration at
    this set's prevalence), then curve summaries (ROC-AUC, AP, recall at a precision chosen on
    this set itself)."""
    y, p = _arrays(items)
    pos = [s for s in items if s.positive]
    neg = [s for s in items if not s.positive]
    t99 = threshold_at_precision(items, 0.99)
    t_fpr = threshold_at_fpr(items, 0.001)
    out: dict[str, Any] = {
        "candidates": len(items),
        "positives": len(pos),
        "negatives": len(neg),
        "roc_auc": float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan"),
        "average_precision": float(average_precision_score(y, p)) if y.sum() else float("nan"),
        "recall_at_precision_0.99": recall_at(items, t99),
        "recall_at_fpr_0.001": recall_at(items, t_fpr),
        "ece": ece(items),
        "attribution_top1": _share(pos, lambda s: s.top_account == s.label_account),
        "group_top1": _share(pos, lambda s: s.top_group == s.label_group),
        "prevalence": len(pos) / len(items) if items else float("nan"),
        "block": _band(items, "block", block, review),
        "review": _band(items, "review", block, review),
        "legit_in_block": sum(1 for s in neg if band_of(s, block, review) == "block"),
        "legit_in_review_share": _share(neg, lambda s: band_of(s, block, review) == "review"),
        "recall_review_or_block": _share(pos, lambda s: band_of(s, block, review) != "allow"),
    }
    families: dict[str, list[Scored]] = defaultdict(list)
    for s in items:
        families[s.family].append(s)
    out["families"] = {
        fam: _family(members, neg, block=block, review=review, t99=t99)
        for fam, members in sorted(families.items())
    }
    return out


def _share(items: Sequence[Scored], pred: Any) -> float:
    return sum(1 for s in items if pred(s)) / len(items) if items else float("nan")


def _band(items: Sequence[Scored], band: str, block: float, review: float) -> dict[str, Any]:
    inside = [s for s in items if band_of(s, block, review) == band]
    tp = sum(1 for s in inside if s.positive)
    positives = sum(1 for s in items if s.positive)
    return {
        "threshold": block if band == "block" else review,
        "count": len(inside),
        "legit": len(inside) - tp,
        "precision": tp / len(inside) if inside else float("nan"),
        "recall": tp / positives if positives else float("nan"),
    }


def _family(
    members: Sequence[Scored],
    negatives: Sequence[Scored],
    *,
    block: float,
    review: float,
    t99: float,
) -> dict[str, Any]:
    if members and members[0].positive:
        y = np.array([1] * len(members) + [0] * len(negatives))
        p = np.array([s.score for s in members] + [s.score for s in negatives])
        return {
            "kind": "mirror",
            "count": len(members),
            "roc_auc": float(roc_auc_score(y, p)) if len(negatives) else float("nan"),
            "recall_at_precision_0.99": recall_at(members, t99),
            "recall_block": _share(members, lambda s: band_of(s, block, review) == "block"),
            "recall_review_or_block": _share(
                members, lambda s: band_of(s, block, review) != "allow"
            ),
            "group_top1": _share(members, lambda s: s.top_group == s.label_group),
        }
    return {
        "kind": "negative",
        "count": len(members),
        "in_block": sum(1 for s in members if band_of(s, block, review) == "block"),
        "in_review": sum(1 for s in members if band_of(s, block, review) == "review"),
        "max_score": max((s.score for s in members), default=float("nan")),
    }
