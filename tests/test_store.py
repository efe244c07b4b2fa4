"""The bank store: upserts by id, change counter, lookup keys, append-only audit log."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from service.store.bank import Store
from tests.helpers.bank import upsert_item as _item


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'bank.sqlite3'}")
    else:
        url = os.environ.get("MIRRORSCAN_TEST_POSTGRES_URL")
        if not url:
            pytest.skip("set MIRRORSCAN_TEST_POSTGRES_URL to run the store tests on PostgreSQL")
        s = Store(url)
        with s.engine.begin() as conn:
            conn.execute(
                text(
                    "DROP TABLE IF EXISTS account_keys, accounts, audit_log, counters, "
                    "schema_version, jobs, avatar_sightings"
                )
            )
    s.create_all()
    request.addfinalizer(s.close)
    return s


def test_upsert_creates_updates_and_skips_unchanged(store: Store) -> None:
    [r] = store.upsert([_item("a")])
    assert r.outcome == "created"
    assert store.upsert([_item("a")])[0].outcome == "unchanged"
    assert store.upsert([_item("a", "TTP Media 2")])[0].outcome == "updated"
    assert store.upsert([_item("a", "TTP Media 2", version="v2")])[0].outcome == "updated"
    got = store.get("a")
    assert got is not None and got.profile.display_name == "TTP Media 2"
    assert got.profile.links == ("t.me/a",)
    assert got.features.name_vec is not None
    np.testing.assert_allclose(got.features.name_vec, 0.5)
    assert store.count() == 1


def test_avatar_signals_round_trip(store: Store) -> None:
    store.upsert([_item("a", avatar=True)])
    got = store.get("a")
    assert got is not None and got.features.avatar is not None
    assert got.features.avatar.pdq == tuple(bytes([i]) * 32 for i in range(8))
    assert got.features.avatar.pdq_quality == 80
    assert store.thumbnail("a") == b"thumb"


def test_change_counter_and_catch_up_iteration(store: Store) -> None:
    store.upsert([_item("a"), _item("b")])
    mark = store.max_seq()
    store.upsert([_item("c")])
    store.remove("a")
    changed = [a.profile.id for batch in store.iter_accounts(since_seq=mark, include_removed=True)
               for a in batch]  # fmt: skip
    assert sorted(changed) == ["a", "c"]
    active = [a.profile.id for batch in store.iter_accounts(batch=1) for a in batch]
    assert active == ["b", "c"]


def test_remove_then_restore(store: Store) -> None:
    store.upsert([_item("a")])
    assert store.remove("a") is not None
    assert store.remove("a") is None
    assert store.count() == 0
    assert store.upsert([_item("a")])[0].outcome == "restored"


def test_keys_find_rows_and_follow_updates(store: Store) -> None:
    store.upsert(
        [
            _item("a", keys={"handle:ttp", "contact:t.me/x"}),
            _item("b", keys={"handle:y"}),
        ]
    )
    rows = store.rows_for_keys(["contact:t.me/x", "handle:y", "handle:none"])
    assert sorted(len(v) for v in rows.values()) == [1, 1]
    store.upsert([_item("a", "changed", keys={"handle:other"})])
    assert all(store.get_rows(rows).get(r) for r in rows)
    assert "contact:t.me/x" not in {k for v in store.rows_for_keys(["contact:t.me/x"]).values()
                                    for k in v}  # fmt: skip
    store.remove("b")
    assert store.rows_for_keys(["handle:y"]) == {}


def test_repeated_ids_in_one_batch_keep_the_last(store: Store) -> None:
    store.upsert(
        [
            _item("a", "first", keys={"handle:a"}),
            _item("a", "second", keys={"handle:a"}),
        ]
    )
    got = store.get("a")
    assert got is not None and got.profile.display_name == "second"


def test_audit_log_is_append_only(store: Store) -> None:
    first = store.audit_log.append("key:1", "decision", "acct", {"decision": "confirmed"})
    store.audit_log.append("key:2", "decision", "acct2", {"decision": "rejected"})
    entries = store.audit_log.entries(action="decision")
    assert [e.subject for e in entries] == ["acct2", "acct"]
    assert store.audit_log.entries(before_seq=entries[0].seq)[0].seq == first.seq
    for stmt in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(stmt))
    assert len(store.audit_log.entries()) == 2


def test_search_text_escapes_wildcards(store: Store) -> None:
    store.upsert([_item("ttp_media"), _item("other", "Some%Name")])
    assert [a.profile.id for a in store.search_text("ttp")] == ["ttp_media"]
    assert [a.profile.id for a in store.search_text("%")] == ["other"]


def test_audit_entries_are_chained_and_commit_with_their_write(store: Store) -> None:
    from service.errors import StorageFull
    from service.store.audit import AuditNote

    def note(results: list[object]) -> AuditNote:
        return AuditNote("key:w", "account.bulk", "", {"n": len(results), "score": 0.1 + 0.2})

    store.upsert([_item("a"), _item("b")], note)
    store.audit_log.append("key:m", "decision", "a", {"decision": "confirmed", "x": [1, 2.5]})
    assert store.remove("a", AuditNote("key:w", "account.remove", "a", {}))

    def failing(results: list[object]) -> AuditNote:
        raise StorageFull("the disk is full")

    with pytest.raises(StorageFull):  # the entry fails: the accounts are not written either
        store.upsert([_item("c")], failing)
    assert store.get("c") is None
    report = store.audit_log.verify_chain()
    assert report.ok and report.entries == 3, report
    assert store.audit_log.head() == (report.head_seq, report.head_hash)


def test_sightings_count_distinct_profiles_and_expire(store: Store) -> None:
    a, b = b"a" * 16, b"b" * 16
    store.sightings.record([(1, a), (1, a), (1, b), (2, a)])
    store.sightings.record([(1, a)])  # seen again: refreshed, not counted twice
    assert store.sightings.counts(at_least=1) == {1: 2, 2: 1}
    assert store.sightings.counts(at_least=2) == {1: 2}
    assert store.sightings.forget_before(days=1) == 0
    assert store.sightings.forget_before(days=-1) == 3
    assert store.sightings.counts(at_least=1) == {}
