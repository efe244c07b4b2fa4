"""Checks between the POST that runs them and the GET that shows them (post-redirect-get).

A check's result is kept in memory for a while under a random id: the checked profile without
its avatar bytes, a small re-encoded thumbnail of the avatar, and the verdict. The avatar never
travels in a cookie or a URL. The record belongs to the moderator who ran the check. Memory is
bounded by a count (oldest dropped) and a time to live. With several replicas, the load balancer
must keep a moderator on one replica (sticky sessions) for the result page to be found."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

from service.domain import Profile, Verdict


@dataclass(frozen=True, slots=True)
class CheckRecord:
    id: str
    owner: str  # the principal label of the moderator who ran it
    created: float  # time.time()
    profile: Profile  # avatar bytes removed
    avatar_thumb: bytes | None  # WEBP re-encoded by the service
    verdict: Verdict
    source_url: str | None = None
    notes: tuple[str, ...] = ()


class CheckCache:
    def __init__(
        self, ttl_s: float, max_items: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.max_items = max_items
        self._clock = clock  # seconds, for expiry (a test passes its own)
        self._items: OrderedDict[str, tuple[float, CheckRecord]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def add(
        self,
        owner: str,
        profile: Profile,
        verdict: Verdict,
        avatar_thumb: bytes | None = None,
        source_url: str | None = None,
        notes: tuple[str, ...] = (),
    ) -> CheckRecord:
        record = CheckRecord(
            id=secrets.token_urlsafe(16),
            owner=owner,
            created=time.time(),
            profile=replace(profile, avatar=None),
            avatar_thumb=avatar_thumb,
            verdict=verdict,
            source_url=source_url,
            notes=notes,
        )
        now = self._clock()
        with self._lock:
            self._expire(now)
            self._items[record.id] = (now + self.ttl_s, record)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return record

    def get(self, check_id: str, owner: str) -> CheckRecord | None:
        """The record, if it exists, has not expired, and belongs to ``owner``."""
        with self._lock:
            self._expire(self._clock())
            hit = self._items.get(check_id)
        if hit is None or hit[1].owner != owner:
            return None
        return hit[1]

    def _expire(self, now: float) -> None:
        while self._items:
            oldest = next(iter(self._items.values()))
            if oldest[0] > now:
                return
            self._items.popitem(last=False)
