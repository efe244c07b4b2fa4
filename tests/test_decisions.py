"""Decisions in the audit log: the one payload shape, validation, newest-first keyset pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.domain import Evidence, Profile
from service.errors import InvalidInput
from service.store.bank import Store
from service.usecases.decisions import (
    DecisionFilter,
    find_decisions,
    iter_decisions,
    list_decisions,
    record_decision,
)
from tests.helpers.bank import upsert_item

CHECKED = Profile(
    id="x:ttp_rnedia2", platform="x", handle="ttp_rnedia2", display_name="TTP Media",
    bio="backup", links=("t.me/ttpmedia",), avatar=b"\x89PNG bytes never logged",
)  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'bank.sqlite3'}")
    s.create_all()
    yield s
    s.close()


def record(store: Store, **overrides: object) -> object:
    values: dict[str, object] = dict(
        profile=CHECKED, account_id="ttp-x-1", decision="confirmed", note="  same logo ",
        score=0.97, band="block", model_version="prior-v0",
        evidence=(Evidence("links", 4.0, "same link: t.me/ttpmedia"),),
    )  # fmt: skip
    values.update(overrides)
    return record_decision(store, "key:abcd1234", **values)  # type: ignore[arg-type]


def test_a_decision_is_an_audit_entry_with_the_agreed_payload(store: Store) -> None:
    d = record(store)
    [entry] = store.audit_log.entries(action="decision")
    assert (entry.actor, entry.subject) == ("key:abcd1234", "ttp-x-1")
    p = entry.payload
    assert {"decision", "note", "score", "model_version", "profile", "account_id", "band"} <= set(p)
    assert (p["decision"], p["note"], p["score"], p["band"]) == ("confirmed", "same logo", 0.97,
                                                                 "block")  # fmt: skip
    assert p["profile"]["handle"] == "ttp_rnedia2" and p["profile"]["has_avatar"] is True
    assert "avatar" not in p["profile"], "avatar bytes never go to the log"
    assert p["evidence"] == [{"signal": "links", "contribution": 4.0,
                              "detail": "same link: t.me/ttpmedia"}]  # fmt: skip
    assert d == list_decisions(store)[0]


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"decision": "maybe"}, "confirmed, rejected"),
        ({"note": "x" * 2001}, "longer than"),
        ({"account_id": ""}, "account id"),
        ({"score": 1.5}, "probability"),
    ],
)
def test_bad_decisions_are_refused_and_not_logged(
    store: Store, overrides: dict[str, object], words: str
) -> None:
    with pytest.raises(InvalidInput, match=words):
        record(store, **overrides)
    assert store.audit_log.entries(action="decision") == []


def test_newest_first_in_keyset_pages_and_other_actions_left_out(store: Store) -> None:
    for i in range(5):
        record(store, note=f"n{i}", decision="rejected" if i % 2 else "confirmed")
        store.audit_log.append(
            actor="key:abcd1234", action="account.put", subject=f"a{i}", payload={}
        )
    first = list_decisions(store, limit=2)
    assert [d.note for d in first] == ["n4", "n3"]
    second = list_decisions(store, before_seq=first[-1].seq, limit=2)
    assert [d.note for d in second] == ["n2", "n1"]
    assert [d.note for d in list_decisions(store, before_seq=second[-1].seq)] == ["n0"]
    with pytest.raises(InvalidInput):
        list_decisions(store, limit=0)


def test_entries_from_other_writers_read_with_defaults(store: Store) -> None:
    store.audit_log.append(
        actor="api", action="decision", subject="bla-x-1", payload={"decision": "rejected"}
    )
    [d] = list_decisions(store)
    assert (d.account_id, d.decision, d.score, d.note, d.profile) == (
        "bla-x-1", "rejected", None, "", {},
    )  # fmt: skip


def test_filters_by_decision_group_who_and_day_with_pages(store: Store) -> None:
    from datetime import UTC, datetime, timedelta

    store.upsert([upsert_item("old-1")])  # group "G", for entries logged without a group
    record(store, note="a", group="TTP")
    record(store, note="b", decision="rejected", group="BLA")
    record_decision(store, "key:other", profile=CHECKED, account_id="old-1", decision="confirmed",
                    note="c", score=0.5, band="review", model_version="v")  # fmt: skip
    record(store, note="d", group="TTP")

    def notes(f: DecisionFilter, **kw: object) -> list[str]:
        return [d.note for d in find_decisions(store, f, **kw)[0]]  # type: ignore[arg-type]

    assert notes(DecisionFilter()) == ["d", "c", "b", "a"]
    assert notes(DecisionFilter(decision="confirmed")) == ["d", "c", "a"]
    assert notes(DecisionFilter(group="ttp")) == ["d", "a"]
    assert notes(DecisionFilter(group="g")) == ["c"]  # from the bank
    assert notes(DecisionFilter(actor="key:other")) == ["c"]
    today = datetime.now(UTC).date()
    assert notes(DecisionFilter(since=today, until=today)) == ["d", "c", "b", "a"]
    assert notes(DecisionFilter(since=today + timedelta(days=1))) == []
    assert notes(DecisionFilter(until=today - timedelta(days=1))) == []
    # pages: where one stops, the next begins; the last says there is no more
    page, cursor = find_decisions(store, DecisionFilter(decision="confirmed"), limit=2)
    assert [d.note for d in page] == ["d", "c"] and cursor is not None
    rest, end = find_decisions(store, DecisionFilter(decision="confirmed"), cursor, limit=2)
    assert [d.note for d in rest] == ["a"] and end is None
    # a page reads a bounded number of entries, and says where to go on
    few, cursor = find_decisions(store, DecisionFilter(group="TTP"), limit=5, max_scan=1)
    assert [d.note for d in few] == ["d"] and cursor is not None
    assert [d.note for d in iter_decisions(store, DecisionFilter(), cap=3)] == ["d", "c", "b"]
    with pytest.raises(InvalidInput):
        DecisionFilter(decision="maybe")
    with pytest.raises(InvalidInput):
        DecisionFilter(since=today, until=today - timedelta(days=1))
