"""Avatar likeness weighed against ordinary traffic (``scoring.likeness``, issue 12): where the
profiles scored are as alike to the bank as drawn emblems are to each other, an ordinary
likeness stops reading as an edited copy; a copy stays a copy; it only ever takes weight off;
training data and evaluation sets learn nothing from the profiles they score."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.domain import Avatar, Features, Profile, StoredAccount
from service.pipeline import Pipeline
from service.scoring.avatar import compare_avatars
from service.scoring.compare import BankContext
from service.scoring.likeness import MAX_ANCHOR, AvatarLikeness, anchored
from service.scoring.model import LogisticScorer
from service.training.run import Encoders, temp_pipeline
from tests.helpers.bank import BANK
from tests.helpers.settings import fake_settings


def test_ordinary_likeness_here_counts_as_ordinary_likeness_there() -> None:
    assert anchored(0.65, 0.65, 0.43) == pytest.approx(0.43)
    assert anchored(1.0, 0.65, 0.43) == pytest.approx(1.0)  # a copy stays a copy
    assert anchored(0.3, 0.6, 0.3) == pytest.approx(0.15)
    cosines = np.linspace(-0.2, 1.0, 121)
    mapped = [anchored(c, 0.65, 0.43) for c in cosines]
    assert all(a <= b + 1e-12 for a, b in zip(mapped, mapped[1:], strict=False))  # monotone
    assert all(m <= c + 1e-12 for m, c in zip(mapped, cosines, strict=True))  # never adds


def test_without_an_anchor_or_with_less_alike_traffic_a_cosine_is_read_as_it_is() -> None:
    assert anchored(0.7, None, 0.43) == 0.7
    assert anchored(0.7, 0.6, None) == 0.7
    assert anchored(0.7, 0.3, 0.43) == 0.7  # this traffic is less alike: nothing is added


def test_the_anchor_waits_for_enough_profiles_and_is_capped() -> None:
    likeness = AvatarLikeness(window=100, min_profiles=10)
    for c in np.linspace(0.5, 0.9, 9):
        likeness.record(float(c))
    assert likeness.anchor() is None
    likeness.record(0.9)
    assert likeness.anchor() == pytest.approx(float(np.quantile(np.r_[np.linspace(0.5, 0.9, 9),
                                                                      0.9], 0.25)))  # fmt: skip
    flood = AvatarLikeness(window=50, min_profiles=10)
    for _ in range(60):
        flood.record(0.99)  # look-alikes sent to discount a real copy
    assert flood.anchor() == MAX_ANCHOR and len(flood) == 50
    off = AvatarLikeness(min_profiles=0)
    off.record(0.9)
    assert off.anchor() is None


def _avatar(vec: np.ndarray) -> Avatar:
    return Avatar((), 0, vec.astype(np.float32), b"")


def test_an_ordinary_likeness_no_longer_reads_as_an_edited_copy() -> None:
    banned = _avatar(np.array([1.0, 0.0, 0.0]))
    query = _avatar(np.array([0.65, np.sqrt(1 - 0.65**2), 0.0]))

    def feats(anchor: float | None) -> dict[str, tuple[float, str]]:
        out = compare_avatars(query, banned, likeness=lambda c: anchored(c, anchor, 0.43))
        return {f.name: (f.value, f.detail) for f in out}

    raw, weighed = feats(None), feats(0.65)
    assert raw["avatar.match"][0] > 0.5 > weighed["avatar.match"][0]
    assert "edited copy" in raw["avatar.embedding"][1]
    detail = weighed["avatar.embedding"][1]
    assert "ordinary here, counted as 0.43: profiles scored here often have avatars" in detail
    low = compare_avatars(_avatar(np.array([0.2, np.sqrt(1 - 0.04), 0.0])), banned,
                          likeness=lambda c: anchored(c, 0.65, 0.43))  # fmt: skip
    assert not any("ordinary here" in f.detail for f in low)  # no news where nothing was read


def _account(row_id: int, vec: np.ndarray) -> StoredAccount:
    profile = Profile(id=f"b{row_id}", display_name=f"Banned {row_id}", group=f"g{row_id}")
    return StoredAccount(row_id, profile, Features(None, None, _avatar(vec)))


def test_the_context_learns_from_scored_profiles_and_uses_the_scorers_reference() -> None:
    ctx = BankContext()
    ctx.likeness.min_profiles = 5
    accounts = [_account(1, np.array([1.0, 0.0, 0.0]))]
    alike = Features(None, None, _avatar(np.array([0.7, np.sqrt(1 - 0.49), 0.0])))
    for _ in range(4):
        assert ctx.for_query(alike, accounts, 0.4, record=True).anchors == (None, 0.4)
    ctx.for_query(alike, accounts, 0.4)  # a look at one pair (assess) is not traffic
    assert len(ctx.likeness) == 4
    ctx.for_query(alike, accounts, 0.4, record=True)
    anchor, reference = ctx.for_query(alike, accounts, 0.4).anchors
    assert anchor == pytest.approx(0.7, abs=1e-4) and reference == 0.4


def test_a_scorer_carries_its_reference_and_older_ones_have_none() -> None:
    base = {"kind": "logistic", "version": "t", "intercept": 0.0, "weights": {}}
    assert LogisticScorer.from_dict(base).avatar_likeness is None
    stored = base | {"avatar_likeness": {"quantile": 0.25, "cosine": 0.43, "profiles": 900}}
    assert LogisticScorer.from_dict(stored).avatar_likeness == 0.43
    with pytest.raises(ValueError):
        LogisticScorer.from_dict(base | {"avatar_likeness": {"cosine": 7}})


def test_the_service_learns_and_training_does_not(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path / "serve")
    served = Pipeline.open(settings)
    try:
        served.upsert(BANK)
        served.score_many([BANK[0], BANK[2]])
        assert len(served.context.likeness) == 2  # profiles with an avatar, scored
        assert served.context.likeness.min_profiles == settings.scoring.likeness_min_profiles
    finally:
        served.close()
    reopened = Pipeline.open(settings)  # warms up against a bank with avatars
    try:
        assert len(reopened.context.likeness) == 0  # the warm-up's probe is not traffic
    finally:
        reopened.close()
    enc = Encoders(settings)
    trained = temp_pipeline(settings, enc, tmp_path / "train")
    learning = temp_pipeline(settings, enc, tmp_path / "eval", learn=True)
    try:
        assert trained.context.likeness.min_profiles == 0  # the data keeps its own scale
        assert trained.settings.scoring.traffic_min_sightings == 0
        assert learning.context.likeness.min_profiles == settings.scoring.likeness_min_profiles
    finally:
        trained.close()
        learning.close()
