"""Checks between POST and GET, kept in the store so any replica shows them: owner-bound,
bounded, expiring, avatar-free, and the verdict read back exactly as it was shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.domain import Band, Evidence, Match, PairFeature, Profile, Verdict
from service.store.bank import Store
from service.store.records import PageRecords
from service.web.checks import load_check, save_check, verdict_json, verdict_of

VERDICT = Verdict(id="p", score=0.1, band=Band.ALLOW, matches=())


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'bank.sqlite3'}")
    s.create_all()
    return s


def records(store: Store, max_items: int = 10, clock: object = None) -> PageRecords:
    extra = {"clock": clock} if clock else {}
    return PageRecords(store.sessions, "check", ttl_s=60, max_items=max_items, **extra)  # type: ignore[arg-type]


def test_records_drop_avatar_bytes_and_belong_to_their_owner(store: Store) -> None:
    checks = records(store)
    record = save_check(checks, "Ayesha", Profile(id="p", avatar=b"raw bytes"), VERDICT, b"thumb")
    assert record.profile.avatar is None and record.avatar_thumb == b"thumb"
    assert load_check(checks, record.id, "Ayesha") == record
    assert load_check(checks, record.id, "Bilal") is None
    assert load_check(checks, "no-such-id", "Ayesha") is None
    assert load_check(checks, "x" * 500, "Ayesha") is None
    assert len(record.id) >= 20  # unguessable


def test_oldest_records_go_first_when_full(store: Store) -> None:
    checks = records(store, max_items=3)
    ids = [save_check(checks, "a", Profile(id=str(i)), VERDICT).id for i in range(5)]
    assert checks.count() == 3
    assert [load_check(checks, i, "a") is not None for i in ids] == [False, False, True, True, True]


def test_records_expire(store: Store) -> None:
    now = [1000.0]
    checks = records(store, clock=lambda: now[0])
    record = save_check(checks, "a", Profile(id="p"), VERDICT)
    now[0] += 59.9
    assert load_check(checks, record.id, "a") == record
    now[0] += 0.2
    assert load_check(checks, record.id, "a") is None and checks.count() == 0


def test_a_verdict_reads_back_exactly() -> None:
    account = Profile(id="ttp-x-1", platform="x", handle="ttp_media", display_name="TTP Media",
                      bio="bio", links=("t.me/ttp",), group="TTP")  # fmt: skip
    match = Match(
        account_id="ttp-x-1",
        group="TTP",
        score=0.987654321,
        evidence=(Evidence("name", 2.5, "names alike", "name.jaro_winkler"),),
        account=account,
        features=(PairFeature("name", "name.jaro_winkler", 0.93, "0.93"),),
        log_likelihood_ratio=4.25,
        band=Band.BLOCK,
        band_reason="two families agree",
    )
    verdict = Verdict(id="q", score=0.987654321, band=Band.BLOCK, matches=(match,),
                      model_version="m1", timings_ms={"embed": 1.5}, log_likelihood_ratio=4.25,
                      prevalence=0.05, band_reason="two families agree")  # fmt: skip
    assert verdict_of(verdict_json(verdict)) == verdict
