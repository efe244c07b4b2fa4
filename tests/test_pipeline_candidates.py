"""Candidate search: PDQ neighbours beyond the match threshold are other images and are not
candidates (a request searches 8 dihedral hashes; their far neighbours would all be compared)."""

from __future__ import annotations

from service.domain import Profile
from service.features.pdq import MATCH_BITS
from service.pipeline import Pipeline
from tests.helpers.images import png_bytes


def test_only_pdq_matches_within_the_threshold_become_candidates(pipeline: Pipeline) -> None:
    bank = [
        Profile(id=f"acc-{i}", display_name=f"Account {i}", avatar=png_bytes(100 + i))
        for i in range(30)
    ]
    pipeline.upsert(bank)
    assert pipeline.indexes.channels["pdq"].ntotal == 30

    def pdq_candidates(avatar: bytes) -> dict[int, float]:
        profile = Profile(id="q", avatar=avatar)
        [features] = pipeline.derive([profile])
        assert not isinstance(features, Exception)
        return {c.row_id: c.channels["pdq"] for c in pipeline.candidates(profile, features)
                if "pdq" in c.channels}  # fmt: skip

    stranger = pdq_candidates(png_bytes(999))
    assert stranger == {}  # 30 stored hashes, none the same image: no PDQ candidate
    reupload = pdq_candidates(png_bytes(107))
    source = pipeline.store.get("acc-7")
    assert source is not None
    assert list(reupload) == [source.row_id] and reupload[source.row_id] <= MATCH_BITS
