"""The review queue's table on SQLite and PostgreSQL: order, claim, release, decide, purge, and
two moderators racing for the same items never both getting one."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update

from service.store.bank import Store
from service.store.queue import NewItem, ReviewQueue
from service.store.schema import QueueRow, utcnow


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
            conn.execute(text("DROP TABLE IF EXISTS review_queue"))
    s.create_all()
    request.addfinalizer(s.close)
    return s


def item(score: float, source: str = "api") -> NewItem:
    return NewItem(source, {"id": f"p{score}", "handle": "h"}, {"score": score}, score, "review")


def test_waiting_items_oldest_or_highest_first(store: Store) -> None:
    q = ReviewQueue(store.sessions)
    assert q.add([item(0.5), item(0.9), item(0.7)], max_items=100) == 3
    assert [i.score for i in q.waiting("oldest")] == [0.5, 0.9, 0.7]
    assert [i.score for i in q.waiting("highest")] == [0.9, 0.7, 0.5]
    first = q.waiting()[0]
    assert first.profile == {"id": "p0.5", "handle": "h"} and first.source == "api"
    assert first.state == "waiting" and first.created_at.tzinfo is not None


def test_max_items_caps_what_is_kept(store: Store) -> None:
    q = ReviewQueue(store.sessions)
    assert q.add([item(0.1), item(0.2)], max_items=3) == 2
    assert q.add([item(0.3), item(0.4)], max_items=3) == 1
    assert q.counts() == {"waiting": 3}


def test_a_profile_waiting_or_claimed_is_not_queued_twice(store: Store) -> None:
    q = ReviewQueue(store.sessions)
    assert q.add([item(0.5), item(0.5), item(0.6)], max_items=100) == 2
    assert q.add([item(0.5)], max_items=100) == 0
    first = q.waiting()[0]
    assert q.claim(first.id, "alice", ttl_s=60)
    assert q.add([item(0.5)], max_items=100) == 0, "claimed counts too"
    assert q.settle(first.id, "alice")
    assert q.add([item(0.5)], max_items=100) == 1, "decided: a new scoring is a new item"
    anonymous = NewItem("api", {"id": ""}, {}, 0.5, "review")
    assert q.add([anonymous, anonymous], max_items=100) == 2, "no id, no de-duplication"


def test_claim_release_and_decide(store: Store) -> None:
    q = ReviewQueue(store.sessions)
    q.add([item(0.5), item(0.6)], max_items=100)
    a, b = (i.id for i in q.waiting())
    assert q.claim(a, "alice", ttl_s=60)
    assert q.claim(a, "alice", ttl_s=60), "claiming one's own item again is fine"
    assert not q.claim(a, "bob", ttl_s=60)
    assert [i.id for i in q.waiting()] == [b]
    assert [i.id for i in q.held_by("alice")] == [a]
    assert not q.settle(a, "bob")
    assert not q.release(a, "bob")
    assert q.release(a, "alice")
    got = q.get(a)
    assert got is not None and got.state == "waiting" and got.skipped_by == "alice"
    # the next item for alice passes over the one she skipped; bob gets it
    nxt = q.claim_next("alice", ttl_s=60)
    assert nxt is not None and nxt.id == b
    nxt = q.claim_next("bob", ttl_s=60)
    assert nxt is not None and nxt.id == a
    assert q.settle(a, "bob")
    q.note_decision(a, 42)
    done = q.get(a)
    assert done is not None and done.state == "decided" and done.decision_seq == 42
    assert not q.claim(a, "alice", ttl_s=60), "a decided item cannot be claimed"
    assert q.claim_next("carol", ttl_s=60) is None
    assert q.counts() == {"claimed": 1, "decided": 1}


def test_a_lapsed_claim_is_free_again_and_its_holder_cannot_decide(store: Store) -> None:
    q = ReviewQueue(store.sessions)
    q.add([item(0.5)], max_items=100)
    [a] = [i.id for i in q.waiting()]
    assert q.claim(a, "alice", ttl_s=60)
    with store.sessions.begin() as s:
        s.execute(update(QueueRow).values(claim_expires=utcnow() - timedelta(seconds=1)))
    got = q.get(a)
    assert got is not None and got.state == "waiting" and got.claimed_by is None
    assert q.held_by("alice") == []
    assert q.claim(a, "bob", ttl_s=60)
    assert not q.settle(a, "alice")
    assert q.settle(a, "bob")


def test_purge_deletes_items_older_than_the_retention(store: Store) -> None:
    q = ReviewQueue(store.sessions)
    q.add([item(0.5), item(0.6)], max_items=100)
    old = q.waiting()[0].id
    with store.sessions.begin() as s:
        s.execute(
            update(QueueRow)
            .where(QueueRow.id == old)
            .values(created_at=utcnow() - timedelta(days=10))
        )
    assert q.purge(30) == 0
    assert q.purge(9) == 1
    assert [i.score for i in q.waiting()] == [0.6]
    assert q.purge(0) == 1


@pytest.mark.parametrize("how", ["claim", "claim_next"])
def test_concurrent_claims_never_give_one_item_to_two_moderators(store: Store, how: str) -> None:
    q = ReviewQueue(store.sessions)
    q.add([item(i / 100) for i in range(30)], max_items=100)
    ids = [i.id for i in q.waiting()]
    got: dict[str, list[int]] = {"alice": [], "bob": [], "carol": []}
    start = threading.Barrier(len(got))
    errors: list[BaseException] = []

    def moderator(who: str) -> None:
        try:
            start.wait()
            if how == "claim":
                got[who].extend(i for i in ids if q.claim(i, who, ttl_s=600))
            else:
                while (taken := q.claim_next(who, ttl_s=600)) is not None:
                    got[who].append(taken.id)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=moderator, args=(who,)) for who in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    claimed = [i for mine in got.values() for i in mine]
    assert sorted(claimed) == sorted(ids), "every item claimed exactly once"
    for who, mine in got.items():
        assert {i.id for i in q.held_by(who)} == set(mine)
