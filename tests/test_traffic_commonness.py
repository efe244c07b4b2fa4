"""Commonness learnt from scored traffic: a banned avatar seen on many scored profiles with
nothing else in common is discounted, in every replica (through the store), and a mirror that
shares more than the avatar is still found."""

from __future__ import annotations

from pathlib import Path

from service.config import ScoringSettings
from service.domain import Profile
from service.pipeline import Pipeline
from service.scoring.traffic import AvatarTraffic, profile_hash
from tests.helpers.images import png_bytes
from tests.helpers.settings import fake_settings

LOGO = png_bytes(11)
BANNED = Profile(id="b1", platform="x", handle="sada_e_haq_media", display_name="Sada-e-Haq Media",
                 bio="Official releases.", avatar=LOGO, group="G")  # fmt: skip


def avatar_contribution(pipeline: Pipeline, profile: Profile) -> tuple[float, str]:
    verdict = pipeline.score(profile)
    match = next(m for m in verdict.matches if m.account_id == "b1")
    total = sum(e.contribution for e in match.evidence if e.signal == "avatar")
    shared = " ".join(f.detail for f in match.features if f.name == "avatar.shared")
    return total, shared


def open_pipeline(tmp_path: Path) -> Pipeline:
    settings = fake_settings(tmp_path, scoring=ScoringSettings(traffic_min_sightings=5))
    return Pipeline.open(settings)


def test_an_avatar_seen_on_unrelated_profiles_weighs_less(tmp_path: Path) -> None:
    pipeline = open_pipeline(tmp_path)
    try:
        pipeline.context.traffic = AvatarTraffic(min_sightings=5, flush_after=1)
        pipeline.upsert([BANNED])
        before, note = avatar_contribution(
            pipeline,
            Profile(
                id="q0", platform="x", handle="ayesha_k", display_name="Ayesha K", avatar=LOGO
            ),  # fmt: skip
        )
        assert before > 1.0 and not note
        for i in range(6):  # six people with nothing else in common show the same picture
            pipeline.score(Profile(id=f"p{i}", platform="instagram", handle=f"person_{i}x",
                                   display_name=f"Person {i} Qureshi", avatar=LOGO))  # fmt: skip
        assert pipeline.store.sightings.count_of(1) >= 6
        after, note = avatar_contribution(
            pipeline,
            Profile(
                id="q1", platform="x", handle="bilal_r", display_name="Bilal R", avatar=LOGO
            ),  # fmt: skip
        )
        assert after < before / 2
        assert "recently checked profiles" in note
        # a re-creation that shares the name and handle is still the banned account's best match
        mirror = pipeline.score(Profile(id="m", platform="x", handle="sada_e_haq_media2",
                                        display_name="Sada-e-Haq Media", avatar=LOGO))  # fmt: skip
        assert mirror.matches[0].account_id == "b1" and mirror.band.value != "allow"
    finally:
        pipeline.close()


def test_the_same_profile_counts_once_and_another_replica_reads_the_counts(
    tmp_path: Path,
) -> None:
    first = open_pipeline(tmp_path)
    try:
        first.context.traffic = AvatarTraffic(min_sightings=5, flush_after=1)
        first.upsert([BANNED])
        same = Profile(id="p", platform="x", handle="one_person", display_name="One Person",
                       avatar=LOGO)  # fmt: skip
        for _ in range(4):
            first.score(same)
        assert first.store.sightings.count_of(1) == 1
        for i in range(5):
            first.score(Profile(id=f"o{i}", platform="x", handle=f"other_{i}q",
                                display_name=f"Other {i} Shah", avatar=LOGO))  # fmt: skip
    finally:
        first.close()
    second = open_pipeline(tmp_path)  # a replica starting on the same store
    try:
        shared = second.context.traffic.shared(1)
        assert shared is not None and shared.unrelated == 6 and shared.kind == "traffic"
    finally:
        second.close()


def test_profile_hash_is_per_platform_and_handle() -> None:
    a = Profile(id="1", platform="X", handle="@Some_One")
    b = Profile(id="2", platform="x", handle="some_one")
    c = Profile(id="3", platform="instagram", handle="some_one")
    assert profile_hash(a) == profile_hash(b) != profile_hash(c)
    assert len(profile_hash(a)) == 16
