"""Throttling of failed API keys and sign-ins: a token bucket per client address and one per key
prefix, held in this process's memory (so N replicas behind a load balancer allow N times the
rate; a key is 256 random bits, so the limit is about load and noise, not about making a guess
likely). A failure takes a token from both buckets; while either is empty, every attempt from
that address or with that prefix is refused before the key is looked at, right or wrong, so the
answer never tells a guess apart."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from service.config import ThrottleSettings
from service.errors import TooManyRequests


class TokenBuckets:
    """Buckets by name: ``burst`` tokens, refilled at ``per_minute``; the least recently used
    are forgotten beyond ``max_tracked`` (a forgotten bucket is full again)."""

    def __init__(
        self,
        burst: int,
        per_minute: float,
        max_tracked: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = float(burst)
        self.rate = per_minute / 60.0  # tokens per second
        self.max_tracked = max_tracked
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at
        self._lock = threading.Lock()

    def _level(self, name: str, now: float) -> float:
        held = self._buckets.get(name)
        if held is None:
            return self.burst
        tokens, at = held
        return min(self.burst, tokens + (now - at) * self.rate)

    def wait_s(self, name: str) -> float:
        """Seconds until ``name`` has a token (0: it has one now)."""
        with self._lock:
            level = self._level(name, self._clock())
        return 0.0 if level >= 1.0 else (1.0 - level) / self.rate

    def take(self, name: str) -> None:
        with self._lock:
            now = self._clock()
            level = max(0.0, self._level(name, now) - 1.0)
            self._buckets[name] = (level, now)
            self._buckets.move_to_end(name)
            while len(self._buckets) > self.max_tracked:
                self._buckets.popitem(last=False)


class FailureThrottle:
    def __init__(
        self, settings: ThrottleSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.prefix_chars = settings.prefix_chars
        track = settings.max_tracked
        self.addresses = TokenBuckets(
            settings.address_burst, settings.address_per_minute, track, clock
        )
        self.prefixes = TokenBuckets(
            settings.prefix_burst, settings.prefix_per_minute, track, clock
        )

    def check(self, address: str | None, key: str) -> None:
        """``TooManyRequests`` (429, with ``Retry-After``) while the address or the key's prefix
        has used up its failures."""
        wait = max(self.addresses.wait_s(address or "?"), self.prefixes.wait_s(self._prefix(key)))
        if wait > 0:
            raise TooManyRequests(
                "too many failed API keys from this address or with this key's prefix; "
                "try again later",
                retry_after=wait,
            )

    def failed(self, address: str | None, key: str) -> None:
        self.addresses.take(address or "?")
        self.prefixes.take(self._prefix(key))

    def _prefix(self, key: str) -> str:
        return key[: self.prefix_chars]
