"""The pipeline end to end with the deterministic fake encoders (the real ones: test_api.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.domain import Band, Profile
from service.errors import BadImage, InvalidInput, UnsupportedMedia
from service.pipeline import Pipeline
from service.store.bank import UpsertResult
from tests.helpers.bank import BANK
from tests.helpers.images import png_bytes
from tests.helpers.settings import fake_settings

# fmt: skip


def test_an_added_account_is_matchable_at_once(pipeline: Pipeline) -> None:
    results = pipeline.upsert(BANK)
    assert [r.outcome for r in results if isinstance(r, UpsertResult)] == ["created"] * 3
    verdict = pipeline.score(
        Profile(
            id="q",
            platform="x",
            handle="ttp_media2",
            display_name="TTP Media",
            links=("t.me/ttpmedia",),
            avatar=png_bytes(1),
        )  # fmt: skip
    )
    assert verdict.matches[0].account_id == "ttp-x"
    assert verdict.matches[0].group == "TTP"
    assert verdict.band is Band.BLOCK
    signals = {e.signal for e in verdict.matches[0].evidence}
    assert {"name", "handle", "links", "avatar"} <= signals
    assert 0.0 <= verdict.score <= 1.0
    assert set(verdict.timings_ms) >= {"embed", "search", "compare", "score", "decode", "hash"}


def test_an_unrelated_profile_is_allowed(pipeline: Pipeline) -> None:
    pipeline.upsert(BANK)
    verdict = pipeline.score(Profile(id="q", handle="gardening_tips", display_name="Rose garden"))
    assert verdict.band is Band.ALLOW
    assert verdict.score < 0.5


def test_same_platform_and_handle_is_a_reactivation(pipeline: Pipeline) -> None:
    pipeline.upsert(BANK)
    verdict = pipeline.score(Profile(id="q", platform="telegram", handle="@Alazaim_Foundation"))
    top = verdict.matches[0]
    assert top.account_id == "iskp-tg"
    assert any("re-activation" in e.detail for e in top.evidence)


def test_unchanged_accounts_are_not_rewritten(pipeline: Pipeline) -> None:
    pipeline.upsert(BANK)
    seq = pipeline.store.max_seq()
    results = pipeline.upsert(BANK)
    assert {r.outcome for r in results if isinstance(r, UpsertResult)} == {"unchanged"}
    assert pipeline.store.max_seq() == seq  # nothing re-encoded, nothing written


def test_removed_accounts_no_longer_match(pipeline: Pipeline) -> None:
    pipeline.upsert(BANK)
    assert pipeline.remove("ttp-x")
    assert not pipeline.remove("ttp-x")
    verdict = pipeline.score(Profile(id="q", handle="TTP_Media", display_name="TTP Media"))
    assert "ttp-x" not in [m.account_id for m in verdict.matches]
    assert pipeline.indexes.counts()["avatar"] == 1


def test_missing_channels_are_normal_input(pipeline: Pipeline) -> None:
    pipeline.upsert(BANK)
    only_name = pipeline.score(Profile(id="q", display_name="Major Gwahram Baloch"))
    assert only_name.matches[0].account_id == "blf-x"
    with pytest.raises(InvalidInput, match="nothing to compare"):  # not an "allow"
        pipeline.score(Profile(id="q"))


def test_bad_avatar_fails_only_its_own_item(pipeline: Pipeline) -> None:
    results = pipeline.upsert([BANK[1], Profile(id="bad", avatar=b"GIF89a broken")])
    assert isinstance(results[0], UpsertResult)
    assert isinstance(results[1], BadImage | UnsupportedMedia)
    scored = pipeline.score_many(
        [Profile(id="x", avatar=b"<svg></svg>"), Profile(id="y", handle="y"), Profile(id="z")]
    )
    assert isinstance(scored[0], UnsupportedMedia)
    assert not isinstance(scored[1], Exception)
    assert isinstance(scored[2], InvalidInput)  # nothing to compare


def test_limits_are_enforced(pipeline: Pipeline) -> None:
    with pytest.raises(InvalidInput, match="bio"):
        pipeline.score(Profile(id="q", bio="x" * 10_000))
    with pytest.raises(InvalidInput, match="links"):
        pipeline.score(Profile(id="q", links=tuple(f"t.me/{i}" for i in range(51))))
    with pytest.raises(InvalidInput, match="id"):
        pipeline.score(Profile(id=""))


def test_snapshot_then_catch_up_on_reopen(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    first = Pipeline.open(settings)
    first.upsert(BANK[:2])
    first.write_snapshot()
    first.upsert(BANK[2:])  # after the snapshot: replayed from the store on reopen
    first.remove("blf-x")
    first.close()
    second = Pipeline.open(settings)
    try:
        assert second.indexes.counts() == {
            "name": 2,
            "name_grams": 2,
            "bio": 2,
            "avatar": 2,
            "pdq": 2,
        }
        ids = second.indexes.channels["name"].ids()
        rows = second.store.get_rows(ids.tolist())
        assert sorted(a.profile.id for a in rows.values()) == ["iskp-tg", "ttp-x"]
    finally:
        second.close()


def test_rebuild_from_store_matches_live_indexes(pipeline: Pipeline) -> None:
    pipeline.upsert(BANK)
    pipeline.remove("blf-x")
    rebuilt = pipeline.build_indexes()
    for name, live in pipeline.indexes.channels.items():
        assert sorted(live.ids().tolist()) == sorted(rebuilt.channels[name].ids().tolist())
    q = np.asarray(pipeline.text.encode(["TTP Media"]))
    assert (
        live_ids := pipeline.indexes.channels["name"].search(q, 2).ids.tolist()
    ) == rebuilt.channels["name"].search(q, 2).ids.tolist(), live_ids
