"""Fair sharing (issue 18, item 2): the CPU workers served round-robin by key with a share per
key, a bounded queue, deadlines and dropped work for clients that left; per-key token buckets and
in-flight bounds per scope (429 with Retry-After). Behaviour only: the latency figures are in
``benchmarks/fairness.py``."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.auth import KeyRing
from service.config import FairnessSettings, ScopeLimit
from service.errors import ClientGone, DeadlineExceeded, Overloaded, RateLimited
from service.fairness import Admission, FairExecutor, Lane, current_lane
from service.runtime import Runtime
from tests.helpers.http import assert_problem, wait_ready
from tests.helpers.settings import SCORE_KEY, WRITE_KEY, fake_settings


def test_a_flooding_key_leaves_a_worker_for_another_key() -> None:
    pool = FairExecutor(workers=2, max_queue=100)  # one key holds at most one worker
    started: dict[str, float] = {}
    t0 = time.monotonic()

    def slow(name: str) -> None:
        started.setdefault(name, time.monotonic() - t0)
        time.sleep(0.05)

    flood = pool.submit_many("key:a", [lambda i=i: slow(f"a{i}") for i in range(20)])
    time.sleep(0.02)
    [single] = pool.submit_many("key:b", [lambda: slow("b")])
    single.result(timeout=5)
    assert started["b"] < 0.1  # not behind the 20 tasks (1 s of work) of key a
    for f in flood:
        f.result(timeout=5)
    pool.shutdown()


def test_keys_take_turns_on_one_worker() -> None:
    pool = FairExecutor(workers=1, max_queue=100)
    order: list[str] = []
    gate = threading.Event()
    pool.submit_many("key:x", [gate.wait])
    futures = pool.submit_many("key:a", [lambda i=i: order.append(f"a{i}") for i in range(3)])
    futures += pool.submit_many("key:b", [lambda i=i: order.append(f"b{i}") for i in range(3)])
    gate.set()
    for f in futures:
        f.result(timeout=5)
    assert order == ["a0", "b0", "a1", "b1", "a2", "b2"]
    pool.shutdown()


def test_nothing_to_queue_leaves_the_workers_alive() -> None:
    """A batch whose every item failed to parse queues no call; the pool still serves."""
    pool = FairExecutor(workers=1, max_queue=100)
    assert pool.submit_many("key:a", []) == []
    [after] = pool.submit_many("key:b", [lambda: "served"])
    assert after.result(timeout=5) == "served"
    pool.shutdown()


def test_a_full_queue_refuses_all_or_nothing_and_a_deadline_drops_queued_work() -> None:
    pool = FairExecutor(workers=1, max_queue=3)
    gate = threading.Event()
    ran: list[int] = []
    pool.submit_many("key:x", [gate.wait])
    late = pool.submit_many("key:a", [lambda: ran.append(1)], deadline=time.monotonic() + 0.05)
    with pytest.raises(Overloaded) as full:
        pool.submit_many("key:b", [lambda: None] * 3)
    assert full.value.status == 503 and full.value.retry_after > 0
    time.sleep(0.1)
    gate.set()
    with pytest.raises(DeadlineExceeded):
        late[0].result(timeout=5)
    assert ran == [] and pool.dropped == 1
    pool.shutdown()


def test_token_bucket_and_in_flight_bound() -> None:
    now = [0.0]
    limits = {"score": ScopeLimit(rate=2, burst=3, concurrency=1)}
    adm = Admission(FairnessSettings(limits=limits), clock=lambda: now[0])
    adm.charge("k", "score", 3)
    with pytest.raises(RateLimited) as limited:
        adm.charge("k", "score", 1)
    assert limited.value.retry_after == pytest.approx(0.5)
    adm.charge("other", "score", 3)  # buckets are per key
    now[0] = 0.5
    adm.charge("k", "score", 1)
    now[0] = 10.0
    adm.charge("k", "score", 50)  # more than the burst: let through on a full bucket, in debt
    with pytest.raises(RateLimited):
        adm.charge("k", "score", 1)
    now[0] = 100.0
    with adm.admit("k", "score"), pytest.raises(RateLimited):
        with adm.admit("k", "score"):
            pass
    with adm.admit("k", "score"):  # released
        pass


def _runtime(tmp_path: Path, workers: int = 1) -> Runtime:
    settings = fake_settings(tmp_path).model_copy(update={"workers": workers})
    return Runtime(settings, KeyRing({}))


def test_work_of_a_client_that_left_is_dropped(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    gate = threading.Event()
    ran: list[int] = []

    async def scenario() -> None:
        blocker = asyncio.ensure_future(runtime.run(gate.wait))
        await asyncio.sleep(0.02)
        leave = asyncio.Event()

        async def receive() -> dict[str, Any]:
            await leave.wait()
            return {"type": "http.disconnect"}

        current_lane.set(Lane("key:gone", time.monotonic() + 30, receive))
        asyncio.get_running_loop().call_later(0.05, leave.set)
        with pytest.raises(ClientGone):
            await runtime.run(ran.append, 1)
        gate.set()
        await blocker

    asyncio.run(scenario())
    runtime.executor.shutdown()
    assert ran == []  # it was still queued when the client left: never run


def test_the_request_deadline(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    gate = threading.Event()

    async def scenario() -> None:
        blocker = asyncio.ensure_future(runtime.run(gate.wait))
        await asyncio.sleep(0.02)
        current_lane.set(Lane("key:slow", time.monotonic() + 0.05))
        with pytest.raises(DeadlineExceeded):
            await runtime.run(time.sleep, 0)
        gate.set()
        await blocker

    asyncio.run(scenario())
    runtime.executor.shutdown()


def test_the_api_answers_429_and_503_with_retry_after(tmp_path: Path) -> None:
    fairness = FairnessSettings(
        limits={"score": ScopeLimit(rate=0.5, burst=4, concurrency=4)}, max_queue=2,
        batch_chunk=1,
    )  # fmt: skip
    with TestClient(create_app(fake_settings(tmp_path, fairness=fairness))) as c:
        wait_ready(c)
        score = {"X-API-Key": SCORE_KEY}
        one = {"handle": "x"}  # (an empty profile is a 422: nothing to compare)
        statuses = [c.post("/v1/score", json=one, headers=score).status_code for _ in range(4)]
        assert statuses == [200] * 4
        limited = c.post("/v1/score", json=one, headers=score)
        body = assert_problem(limited, 429)
        assert int(limited.headers["retry-after"]) >= 1 and "a second" in str(body["detail"])
        # another key has its own bucket; a batch needing more tasks than the queue holds
        other = {"X-API-Key": WRITE_KEY}
        assert c.post("/v1/score", json=one, headers=other).status_code == 200
        big = c.post("/v1/score/batch", json={"profiles": [one] * 3}, headers=other)
        assert_problem(big, 503)
        assert big.headers["retry-after"] == "1"
