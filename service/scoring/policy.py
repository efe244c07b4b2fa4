"""Bands are policy on top of the probability.

The scorer gives each (profile, banned account) pair a log-likelihood ratio; the probability is
that ratio applied to the deployment's prevalence. Bands then follow two rules:

- **Thresholds are precision targets at the configured prevalence.** ``block`` is the lowest
  ratio whose precision reaches ``block_precision`` (0.995) among candidates of which
  ``prevalence`` are mirrors; ``review`` the lowest from which the band between the two
  thresholds keeps a precision of ``review_precision`` (the review queue but for the profiles
  above block that one kind of signal alone sends there, which the calibration data cannot
  tell apart).
  Precision at a prevalence follows from the calibration data kept in the model artifact (the
  held-out candidates' ratios): ``π·TPR / (π·TPR + (1-π)·FPR)``, where the
  false-positive rate far in the tail, which a few thousand negatives cannot measure, is bounded
  through the ratio itself (for a calibrated ratio, ``P(L >= t | unrelated) = E[e^-L; L >= t |
  mirror]``) and never taken below what the negatives show.
- **An automatic block needs corroboration**: decisive identity evidence (the same platform and
  handle; a shared contact such as a Telegram link, WhatsApp group, phone or e-mail; a link or
  mention pointing at the banned account) or at least two independent signal families
  (names and handles count as one; avatar; bio; links) each adding ``family_min_llr``. One
  family alone is ``review`` at most, whatever its probability: a namesake, or an account with
  the same flag as a banned one, is never blocked on that alone.

- **An allow-listed account is never blocked**: a profile that is one (the same platform and
  handle as an account of an ``allow`` bank) is ``allow``; one that resembles an allow-listed
  account at least as closely as any banned one is ``review`` at most (``allow_listed``).

Each decision says which rule set it (``band_reason``), in words a moderator reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from service.domain import Band, Evidence
from service.scoring.model import LogisticScorer, logit, probability

FAMILY_OF_SIGNAL = {
    "name": "names",
    "handle": "names",
    "avatar": "avatar",
    "bio": "bio",
    "links": "links",
    "identity": "identity",
}
FAMILY_WORDS = {
    "names": "name and handle",
    "avatar": "avatar",
    "bio": "bio",
    "links": "links and contacts",
}
# features that identify the banned account by themselves
DECISIVE = {
    "identity.same_account": "the same platform and handle as the banned account",
    "links.shared_contact": "a contact of the banned account (link, group, phone or e-mail)",
    "links.mentions_account": "a link or mention pointing at the banned account",
}


@dataclass(frozen=True, slots=True)
class Decision:
    band: Band
    reason: str
    families: tuple[str, ...] = ()  # the families that agreed (each adding family_min_llr)


@dataclass(frozen=True, slots=True)
class Curve:
    """Candidate-level log-likelihood ratios of held-out mirrors and unrelated accounts (the
    calibration data), from which precision at any prevalence is computed."""

    positives: np.ndarray
    negatives: np.ndarray

    @classmethod
    def of(cls, scorer: LogisticScorer) -> Curve | None:
        raw = (scorer.metadata.get("calibration") or {}).get("curve")
        if not raw or not raw.get("positives") or not raw.get("negatives"):
            return None
        return cls(
            np.sort(np.asarray(raw["positives"], np.float64)),
            np.sort(np.asarray(raw["negatives"], np.float64)),
        )

    def precision(self, threshold: float, prevalence: float, below: float = float("inf")) -> float:
        """Precision at ``prevalence`` of the profiles whose ratio is at least ``threshold``
        and under ``below`` (a band between two thresholds)."""
        pos, neg = self.positives, self.negatives
        inside = (pos >= threshold) & (pos < below)
        tpr = float(inside.mean())
        if tpr == 0.0:
            return 0.0
        fpr_seen = float(((neg >= threshold) & (neg < below)).mean())
        fpr_ratio = float((np.exp(-np.clip(pos, -50, 50)) * inside).mean())
        fpr = max(fpr_seen, fpr_ratio)
        return prevalence * tpr / (prevalence * tpr + (1.0 - prevalence) * fpr)

    def threshold(self, target: float, prevalence: float, below: float = float("inf")) -> float:
        """The lowest ratio from which precision up to ``below`` stays at or over ``target``;
        when none does, the ratio at which the probability itself reaches ``target``.

        Without ``below`` (the block threshold) the scan runs from the top down and stops at the
        first ratio that falls short: the tail is where a wrong block costs most. With it (the
        review queue), the lowest ratio whose band keeps the target: just under ``below`` the
        band holds a handful of profiles, whose precision says nothing yet."""
        fallback = min(logit(target) - logit(prevalence), below)
        candidates = np.unique(np.concatenate([self.positives, self.negatives]))
        best: float | None = None
        for t in candidates[::-1]:
            if t >= below:
                continue
            if self.precision(float(t), prevalence, below) >= target:
                best = float(t)
            elif below == float("inf"):
                break
        if best is None:
            return fallback
        return best


@dataclass(frozen=True)
class BandPolicy:
    prevalence: float
    block: float  # probability thresholds at ``prevalence``
    review: float
    family_min_llr: float = 1.5
    source: str = ""
    thresholds_llr: dict[str, float] = field(default_factory=dict)

    @classmethod
    def resolve(
        cls,
        scorer: LogisticScorer,
        *,
        prevalence: float,
        block_precision: float = 0.995,
        review_precision: float = 0.5,
        family_min_llr: float = 1.5,
        block: float | None = None,
        review: float | None = None,
    ) -> BandPolicy:
        """Thresholds for ``prevalence``: configured probabilities where set, else computed
        from the model's calibration data for the precision targets, else the probabilities
        equal to the targets."""
        curve = Curve.of(scorer)
        fixed_block = None if block is None else logit(block) - logit(prevalence)
        if curve is not None:
            b_llr = curve.threshold(block_precision, prevalence)
            # the precision of the band between the two thresholds (the configured block when
            # set): those above block are not queued by the probability (counting them would
            # let a prevalence near the target put every profile in review)
            below = b_llr if fixed_block is None else fixed_block
            r_llr = curve.threshold(review_precision, prevalence, below=below)
            source = "the model's calibration data"
        else:
            b_llr = logit(block_precision) - logit(prevalence)
            r_llr = logit(review_precision) - logit(prevalence)
            source = "the precision targets (the model carries no calibration data)"
        if fixed_block is not None:
            b_llr = fixed_block
        b = block if block is not None else probability(b_llr, prevalence)
        r = review if review is not None else probability(min(r_llr, b_llr), prevalence)
        if block is not None or review is not None:
            source = "settings" if block is not None and review is not None else source
        if r > b:
            raise ValueError(f"the review threshold {r} exceeds the block threshold {b}")
        return cls(
            prevalence,
            b,
            r,
            family_min_llr,
            source,
            {"block": logit(b) - logit(prevalence), "review": logit(r) - logit(prevalence)},
        )

    def of(self, score: float) -> Band:
        """The band by probability alone (no corroboration rule): for display of a threshold."""
        if score >= self.block:
            return Band.BLOCK
        if score >= self.review:
            return Band.REVIEW
        return Band.ALLOW

    def decide(self, score: float, evidence: Sequence[Evidence]) -> Decision:
        by_prob = self.of(score)
        pct = _pct(score)
        if by_prob is Band.ALLOW:
            return Decision(
                Band.ALLOW,
                f"{pct} is below the review threshold ({_pct(self.review)} at a prevalence of "
                f"{_share(self.prevalence)})",
            )
        families = self.agreeing(evidence)
        if by_prob is Band.REVIEW:
            return Decision(
                Band.REVIEW,
                f"{pct} is above the review threshold ({_pct(self.review)}) but below the "
                f"block threshold ({_pct(self.block)})",
                families,
            )
        decisive = [DECISIVE[e.feature] for e in evidence if e.feature in DECISIVE
                    and e.contribution > 0]  # fmt: skip
        if decisive:
            return Decision(Band.BLOCK, f"decisive identity evidence: {decisive[0]}", families)
        if len(families) >= 2:
            words = " and ".join(FAMILY_WORDS[f] for f in families)
            return Decision(Band.BLOCK, f"independent signals agree: {words}", families)
        alone = FAMILY_WORDS[families[0]] if families else "no single signal family"
        return Decision(
            Band.REVIEW,
            f"{pct} is above the block threshold, but only one kind of signal ({alone}) points "
            "to this account: one kind of signal alone is never blocked automatically",
            families,
        )

    def allow_listed(
        self,
        decision: Decision,
        banned_llr: float | None,
        allowed_llr: float,
        allowed_evidence: Sequence[Evidence],
        allowed_id: str,
    ) -> Decision:
        """The decision after the best-matching allow-listed account (its ratio and evidence)
        is weighed against the banned accounts (``banned_llr``: the best banned pair's ratio,
        None when none matched)."""
        if any(e.feature == "identity.same_account" and e.contribution > 0
               for e in allowed_evidence):  # fmt: skip
            return Decision(
                Band.ALLOW,
                f"this is the allow-listed account {allowed_id} (the same platform and handle): "
                "an allow-listed account is never blocked",
                decision.families,
            )
        if decision.band is Band.BLOCK and (banned_llr is None or allowed_llr >= banned_llr):
            return Decision(
                Band.REVIEW,
                f"it resembles the allow-listed account {allowed_id} at least as closely as any "
                f"banned account, so it is not blocked automatically ({decision.reason})",
                decision.families,
            )
        return decision

    def agreeing(self, evidence: Sequence[Evidence]) -> tuple[str, ...]:
        """Signal families whose evidence together adds at least ``family_min_llr``."""
        totals: dict[str, float] = {}
        for e in evidence:
            family = FAMILY_OF_SIGNAL.get(e.signal, e.signal)
            if family == "identity":  # the same handle elsewhere is name-and-handle evidence
                family = "names"
            totals[family] = totals.get(family, 0.0) + e.contribution
        return tuple(
            sorted(
                (f for f, v in totals.items() if v >= self.family_min_llr),
                key=lambda f: -totals[f],
            )
        )

    def describe(self) -> dict[str, object]:
        return {
            "prevalence": self.prevalence,
            "block": round(self.block, 6),
            "review": round(self.review, 6),
            "block_llr": round(self.thresholds_llr["block"], 4),
            "review_llr": round(self.thresholds_llr["review"], 4),
            "family_min_llr": self.family_min_llr,
            "source": self.source,
        }


def _pct(p: float) -> str:
    if p >= 0.999:
        return "> 99.9 %"
    if p < 0.001:
        return "< 0.1 %"
    return f"{100 * p:.1f} %"


def _share(p: float) -> str:
    return f"1 in {round(1 / p):,}" if 0 < p < 0.5 else f"{100 * p:.0f} %"
