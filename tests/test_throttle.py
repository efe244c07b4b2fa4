"""Token buckets of failed keys: a burst, then a steady rate; bounded memory."""

from __future__ import annotations

import pytest

from service.config import ThrottleSettings
from service.errors import TooManyRequests
from service.throttle import FailureThrottle, TokenBuckets


def test_a_burst_then_one_token_per_interval() -> None:
    now = [0.0]
    buckets = TokenBuckets(burst=3, per_minute=6, max_tracked=100, clock=lambda: now[0])
    for _ in range(3):
        assert buckets.wait_s("a") == 0
        buckets.take("a")
    assert buckets.wait_s("a") == pytest.approx(10.0)  # 6 a minute: one every 10 s
    assert buckets.wait_s("b") == 0, "another name has its own bucket"
    now[0] = 9.0
    assert buckets.wait_s("a") == pytest.approx(1.0)
    now[0] = 10.0
    assert buckets.wait_s("a") == 0
    now[0] = 1000.0
    buckets.take("a")
    buckets.take("a")
    assert buckets.wait_s("a") == 0, "refilled to the burst, not beyond"


def test_least_recent_buckets_are_forgotten() -> None:
    buckets = TokenBuckets(burst=1, per_minute=1, max_tracked=2, clock=lambda: 0.0)
    for name in ("a", "b", "c"):
        buckets.take(name)
    assert buckets.wait_s("a") == 0 and buckets.wait_s("c") > 0


def test_the_throttle_refuses_an_address_or_a_prefix_with_retry_after() -> None:
    now = [0.0]
    settings = ThrottleSettings(address_burst=2, prefix_burst=3, prefix_chars=8)
    throttle = FailureThrottle(settings, clock=lambda: now[0])
    throttle.failed("10.0.0.1", "ms_abcde-one")
    throttle.failed("10.0.0.1", "ms_abcde-two")
    with pytest.raises(TooManyRequests) as caught:
        throttle.check("10.0.0.1", "ms_zzzzz")
    assert caught.value.status == 429 and caught.value.headers == {"Retry-After": "2"}
    throttle.check("10.0.0.2", "ms_zzzzz")  # another address, another prefix
    throttle.failed("10.0.0.3", "ms_abcde-three")  # the prefix's third failure
    with pytest.raises(TooManyRequests):
        throttle.check("10.0.0.4", "ms_abcde-four")
