"""The in-memory checks between POST and GET: owner-bound, bounded, expiring, avatar-free."""

from __future__ import annotations

from service.domain import Band, Profile, Verdict
from service.web.checks import CheckCache

VERDICT = Verdict(id="p", score=0.1, band=Band.ALLOW, matches=())


def test_records_drop_avatar_bytes_and_belong_to_their_owner() -> None:
    cache = CheckCache(ttl_s=60, max_items=10)
    record = cache.add("key:a", Profile(id="p", avatar=b"raw bytes"), VERDICT, b"thumb")
    assert record.profile.avatar is None and record.avatar_thumb == b"thumb"
    assert cache.get(record.id, "key:a") == record
    assert cache.get(record.id, "key:b") is None
    assert cache.get("no-such-id", "key:a") is None
    assert len(record.id) >= 20  # unguessable


def test_oldest_records_go_first_when_full() -> None:
    cache = CheckCache(ttl_s=60, max_items=3)
    ids = [cache.add("key:a", Profile(id=str(i)), VERDICT).id for i in range(5)]
    assert len(cache) == 3
    assert [cache.get(i, "key:a") is not None for i in ids] == [False, False, True, True, True]


def test_records_expire() -> None:
    now = [1000.0]
    cache = CheckCache(ttl_s=60, max_items=10, clock=lambda: now[0])
    record = cache.add("key:a", Profile(id="p"), VERDICT)
    now[0] += 59.9
    assert cache.get(record.id, "key:a") == record
    now[0] += 0.2
    assert cache.get(record.id, "key:a") is None and len(cache) == 0
