"""The band policy: likelihood ratios at a configured prevalence, precision-target thresholds
from calibration data, and corroboration before an automatic block."""

from __future__ import annotations

import math

import numpy as np
import pytest

from service.domain import Band, Evidence
from service.scoring.model import LogisticScorer, logit, probability
from service.scoring.policy import BandPolicy, Curve


def scorer(curve: dict[str, list[float]] | None = None, prevalence: float = 0.5) -> LogisticScorer:
    calibration: dict[str, object] = {"a": 1.0, "b": 0.0, "prevalence": prevalence}
    if curve is not None:
        calibration["curve"] = curve
    return LogisticScorer.from_dict(
        {
            "kind": "logistic",
            "version": "t",
            "intercept": -4.0,
            "weights": {"name.visual_equal": 3.0, "avatar.match": 4.0, "links.shared_contact": 6.0},
            "calibration": calibration,
        }
    )


def ev(feature: str, contribution: float) -> Evidence:
    return Evidence(feature.split(".")[0], contribution, feature, feature)


def test_the_prior_of_the_calibration_is_taken_out() -> None:
    """The same features give the same likelihood ratio whatever prior the calibration had; the
    probability is that ratio applied to the prevalence asked for."""
    from service.domain import PairFeature

    feats = [PairFeature("name", "name.visual_equal", 1.0, "")]
    half = scorer(prevalence=0.5)
    sixth = LogisticScorer.from_dict(
        {
            "kind": "logistic",
            "version": "t",
            "intercept": -4.0,
            "weights": {"name.visual_equal": 3.0},
            "calibration": {"a": 1.0, "b": logit(1 / 6), "prevalence": 1 / 6},
        }
    )
    llr_half, _ = half.explain(feats)
    llr_sixth, _ = sixth.explain(feats)
    assert llr_half == pytest.approx(-1.0) and llr_sixth == pytest.approx(-1.0)
    p, _ = half.score(feats, prevalence=0.01)
    assert p == pytest.approx(1 / (1 + math.exp(-(-1.0 + logit(0.01)))))
    assert probability(0.0, 0.2) == pytest.approx(0.2)


def test_thresholds_are_precision_targets_at_the_prevalence() -> None:
    rng = np.random.default_rng(0)
    pos = np.sort(rng.normal(6.0, 3.0, 2000))
    neg = np.sort(rng.normal(-6.0, 3.0, 2000))
    curve = Curve(pos, neg)
    common = curve.threshold(0.995, 0.5)
    rare = curve.threshold(0.995, 0.01)
    assert rare > common  # rarer mirrors: a higher ratio is needed for the same precision
    assert curve.precision(rare, 0.01) >= 0.995
    assert curve.precision(common, 0.5) >= 0.995


def test_the_review_queue_keeps_its_own_precision_at_any_prevalence() -> None:
    """Review's target is the precision of the queue (between the thresholds), not of
    everything above review: at a prevalence as high as the target, the profiles above block
    alone would otherwise carry the whole set into review."""
    rng = np.random.default_rng(1)
    pos = np.sort(rng.normal(6.0, 2.0, 2000))
    neg = np.sort(rng.normal(-6.0, 2.0, 2000))
    curve = Curve(pos, neg)
    policy = BandPolicy.resolve(scorer({"positives": list(pos), "negatives": list(neg)}),
                                prevalence=0.5)  # fmt: skip
    block, review = policy.thresholds_llr["block"], policy.thresholds_llr["review"]
    assert curve.precision(review, 0.5, below=block) >= 0.5
    assert float((neg >= review).mean()) < 0.5  # not every unrelated account is queued
    assert curve.precision(review - 0.5, 0.5, below=block) < 0.5  # the lowest such threshold


def test_a_configured_block_bounds_the_review_band() -> None:
    """With only block configured, review is computed for the band under that block, not under
    the block the curve would have chosen."""
    rng = np.random.default_rng(2)
    pos = np.sort(rng.normal(6.0, 2.0, 2000))
    neg = np.sort(rng.normal(-6.0, 2.0, 2000))
    art = scorer({"positives": list(pos), "negatives": list(neg)})
    curve = Curve(pos, neg)
    for block_llr in (2.0, 9.0):
        block = probability(block_llr, 0.5)
        policy = BandPolicy.resolve(art, prevalence=0.5, block=block)
        review = policy.thresholds_llr["review"]
        assert policy.thresholds_llr["block"] == pytest.approx(block_llr)
        assert review == pytest.approx(curve.threshold(0.5, 0.5, below=block_llr))
        assert review < block_llr


def test_the_tail_is_bounded_through_the_ratio_where_negatives_run_out() -> None:
    """Three negatives cannot show a false-positive rate of 1e-4; the ratio identity bounds it,
    so a rare prevalence still gets a finite, conservative threshold."""
    curve = Curve(np.linspace(0.0, 20.0, 500), np.array([-3.0, -2.0, -1.0]))
    t = curve.threshold(0.995, 1e-3)
    assert curve.precision(t, 1e-3) >= 0.995
    assert curve.precision(t - 0.5, 1e-3) < 0.995  # the lowest such threshold
    assert curve.precision(t, 1e-3) < 1.0  # bounded by the ratio, not by the three negatives


def test_policy_from_the_artifact_and_its_overrides() -> None:
    curve = {
        "positives": list(np.linspace(0, 15, 300)),
        "negatives": list(np.linspace(-12, 1, 300)),
    }
    policy = BandPolicy.resolve(scorer(curve), prevalence=0.05)
    assert policy.source == "the model's calibration data"
    assert 0 < policy.review <= policy.block < 1
    fixed = BandPolicy.resolve(scorer(curve), prevalence=0.05, block=0.9, review=0.3)
    assert (fixed.block, fixed.review, fixed.source) == (0.9, 0.3, "settings")
    with pytest.raises(ValueError, match="exceeds"):
        BandPolicy.resolve(scorer(curve), prevalence=0.05, block=0.5, review=0.9)
    bare = BandPolicy.resolve(scorer(), prevalence=0.05)
    assert bare.block == pytest.approx(0.995) and bare.review == pytest.approx(0.5)


POLICY = BandPolicy(prevalence=0.05, block=0.99, review=0.3, family_min_llr=1.5)


def test_one_family_alone_is_never_blocked() -> None:
    namesake = [ev("name.visual_equal", 6.0), ev("handle.exact", 3.0), ev("bio.embedding", 0.2)]
    d = POLICY.decide(0.999, namesake)
    assert d.band is Band.REVIEW
    assert "one kind of signal" in d.reason and "name and handle" in d.reason
    flag = [ev("avatar.match", 9.0), ev("avatar.pdq", 3.0)]
    assert POLICY.decide(0.9999, flag).band is Band.REVIEW


def test_two_agreeing_families_block() -> None:
    mirror = [ev("name.visual_equal", 4.0), ev("avatar.match", 3.0), ev("bio.copied", 0.5)]
    d = POLICY.decide(0.999, mirror)
    assert d.band is Band.BLOCK
    assert d.families == ("names", "avatar")
    assert "independent signals agree: name and handle and avatar" in d.reason


def test_decisive_identity_evidence_blocks_alone() -> None:
    d = POLICY.decide(0.995, [ev("links.shared_contact", 8.0)])
    assert d.band is Band.BLOCK and d.reason.startswith("decisive identity evidence")
    d = POLICY.decide(0.995, [ev("identity.same_account", 8.0)])
    assert d.band is Band.BLOCK and "same platform and handle" in d.reason


def test_below_the_thresholds_the_probability_decides() -> None:
    strong = [ev("links.shared_contact", 8.0), ev("name.visual_equal", 4.0)]
    assert POLICY.decide(0.5, strong).band is Band.REVIEW
    d = POLICY.decide(0.01, strong)
    assert (
        d.band is Band.ALLOW and "below the review threshold" in d.reason and "1 in 20" in d.reason
    )


def test_an_allow_listed_account_is_never_blocked() -> None:
    from service.scoring.policy import Decision

    policy = BandPolicy.resolve(scorer(), prevalence=0.05)
    block = Decision(Band.BLOCK, "decisive identity evidence", ("names",))
    review = Decision(Band.REVIEW, "above the review threshold")
    same = [ev("identity.same_account", 2.0)]
    # the profile is the allow-listed account itself: allowed, whatever the banned match says
    itself = policy.allow_listed(block, 9.0, 1.0, same, "bbc-urdu")
    assert itself.band is Band.ALLOW and "allow-listed account bbc-urdu" in itself.reason
    # a closer (or as close) allow-listed match turns a block into review, and says why
    closer = policy.allow_listed(block, 5.0, 5.0, [ev("name.visual_equal", 3.0)], "bbc-urdu")
    assert closer.band is Band.REVIEW and "resembles the allow-listed account" in closer.reason
    # a weaker one changes nothing; nor does anything change below block
    assert policy.allow_listed(block, 6.0, 2.0, [], "bbc-urdu") is block
    assert policy.allow_listed(review, 1.0, 4.0, [], "bbc-urdu") is review
