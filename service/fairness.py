"""Fair sharing of one replica between API keys.

- ``FairExecutor``: the CPU workers (encode, search, score) behind a bounded queue, one FIFO per
  key, served round-robin, and a key may hold at most ``key_workers`` workers at once (by
  default all but one), so a key flooding batches cannot take every worker from a key sending
  single requests. A task still queued at its request's deadline, or whose client has gone, is
  dropped, never run. A full queue refuses new work (``Overloaded``: 503 with Retry-After).
- ``Admission``: per key and scope, a token bucket (``rate`` units a second, ``burst`` at once;
  a unit is a profile or an account, so a 100-profile batch costs 100) and a bound on requests
  in flight; past either, ``RateLimited`` (429 with Retry-After).
- ``Lane``: who the current request is, its deadline and how to learn that its client has gone,
  held in a context variable set by the request middleware; ``Runtime.run`` reads it, so every
  call to the executor is attributed without passing it along.

All of it is per replica (in memory): with N replicas behind a balancer, a key gets up to N
times its limits. Sharing buckets through the store would cost a database write per request."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from service.config import FairnessSettings, ScopeLimit
from service.errors import DeadlineExceeded, Overloaded, RateLimited

INTERNAL = "internal"  # work no request asked for (loading at start)


@dataclass
class Lane:
    """The request a piece of work is for. ``key`` starts as the client's address and becomes
    the API key's id (``Principal.key_id``) once the key is known."""

    key: str
    deadline: float | None = None  # time.monotonic() after which queued work is dropped
    receive: Callable[[], Any] | None = field(default=None, repr=False)  # the ASGI receive
    gone: bool = False

    async def wait_gone(self) -> None:
        """Return when the client disconnects (call once the request body has been read)."""
        if self.receive is None:
            await asyncio.Event().wait()
            return
        while True:
            message = await self.receive()
            if message.get("type") == "http.disconnect":
                self.gone = True
                return


current_lane: ContextVar[Lane | None] = ContextVar("mirrorscan_lane", default=None)


@dataclass
class _Task:
    future: Future[Any]
    call: Callable[[], Any]
    deadline: float | None


class FairExecutor:
    def __init__(self, workers: int, max_queue: int, key_workers: int | None = None) -> None:
        self.workers = workers
        self.max_queue = max_queue
        self.key_workers = key_workers or max(1, workers - 1)
        self._cv = threading.Condition()
        self._queues: dict[str, deque[_Task]] = {}
        self._order: deque[str] = deque()  # keys with queued work, in turn
        self._running: Counter[str] = Counter()
        self._queued = 0
        self._closed = False
        self.dropped = 0  # tasks dropped at their deadline
        self._threads = [
            threading.Thread(target=self._work, name=f"mirrorscan-cpu-{i}", daemon=True)
            for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    @property
    def queued(self) -> int:
        return self._queued

    def submit_many(
        self, key: str, calls: Sequence[Callable[[], Any]], deadline: float | None = None
    ) -> list[Future[Any]]:
        """Queue every call for ``key`` or none (``Overloaded`` when they do not fit)."""
        if not calls:  # a key with an empty queue in the round-robin order would kill a worker
            return []
        with self._cv:
            if self._closed:
                raise RuntimeError("the executor is shut down")
            if self._queued + len(calls) > self.max_queue and key != INTERNAL:
                raise Overloaded(
                    f"the server has {self._queued} tasks queued (limit {self.max_queue}); "
                    "retry shortly",
                    retry_after=1.0,
                )
            queue = self._queues.setdefault(key, deque())
            if not queue:
                self._order.append(key)
            futures = []
            for call in calls:
                future: Future[Any] = Future()
                queue.append(_Task(future, call, deadline))
                futures.append(future)
            self._queued += len(calls)
            self._cv.notify(len(calls))
            return futures

    def _next(self) -> tuple[str, _Task] | None:
        """The next task, round-robin over keys, skipping keys at their worker share."""
        for _ in range(len(self._order)):
            key = self._order[0]
            self._order.rotate(-1)
            if self._running[key] >= self.key_workers and key != INTERNAL:
                continue
            queue = self._queues[key]
            task = queue.popleft()
            if not queue:
                self._order.remove(key)
                del self._queues[key]
            self._queued -= 1
            self._running[key] += 1
            return key, task
        return None

    def _work(self) -> None:
        while True:
            with self._cv:
                picked = self._next()
                while picked is None:
                    if self._closed and not self._queued:
                        return
                    self._cv.wait()
                    picked = self._next()
            key, task = picked
            try:
                self._run(task)
            finally:
                with self._cv:
                    self._running[key] -= 1
                    if not self._running[key]:
                        del self._running[key]
                    self._cv.notify_all()

    def _run(self, task: _Task) -> None:
        if not task.future.set_running_or_notify_cancel():
            return  # cancelled while queued: the client went away or its deadline passed
        if task.deadline is not None and time.monotonic() > task.deadline:
            self.dropped += 1
            task.future.set_exception(DeadlineExceeded("the request's deadline passed"))
            return
        try:
            task.future.set_result(task.call())
        except BaseException as exc:  # handed to the awaiting request, which raises it
            task.future.set_exception(exc)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        with self._cv:
            self._closed = True
            if cancel_futures:
                for queue in self._queues.values():
                    for task in queue:
                        task.future.cancel()
                self._queues.clear()
                self._order.clear()
                self._queued = 0
            self._cv.notify_all()
        if wait:
            for t in self._threads:
                t.join()


class Admission:
    """Token buckets and in-flight counts per (key, scope), from ``FairnessSettings``."""

    def __init__(self, settings: FairnessSettings, clock: Callable[[], float] = time.monotonic):
        self._limits = settings.limits
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # tokens, at
        self._in_flight: Counter[tuple[str, str]] = Counter()

    def limit(self, scope: str) -> ScopeLimit | None:
        return self._limits.get(scope)

    def charge(self, key: str, scope: str, cost: float) -> None:
        """Take ``cost`` units from the bucket, or raise ``RateLimited`` with the wait. A cost
        above the burst is let through on a full bucket (leaving it in debt), so no request is
        refused forever."""
        limit = self.limit(scope)
        if limit is None or cost <= 0:
            return
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get((key, scope), (limit.burst, now))
            tokens = min(limit.burst, tokens + (now - at) * limit.rate)
            need = min(cost, limit.burst)
            if tokens < need:
                self._buckets[(key, scope)] = (tokens, now)
                wait = (need - tokens) / limit.rate
                raise RateLimited(
                    f"this key may send {limit.rate:g} {scope} units a second (bursts of "
                    f"{limit.burst:g}); retry in {math.ceil(wait)} s",
                    retry_after=wait,
                )
            self._buckets[(key, scope)] = (tokens - cost, now)

    @contextmanager
    def admit(self, key: str, scope: str) -> Iterator[None]:
        """One request of ``key`` in flight (and one unit charged), for the ``with`` block."""
        limit = self.limit(scope)
        if limit is None:
            yield
            return
        with self._lock:
            if self._in_flight[(key, scope)] >= limit.concurrency:
                raise RateLimited(
                    f"this key has {limit.concurrency} {scope} requests in flight, the most "
                    "it may; retry when one has finished",
                    retry_after=1.0,
                )
            self._in_flight[(key, scope)] += 1
        try:
            self.charge(key, scope, 1)
            yield
        finally:
            with self._lock:
                self._in_flight[(key, scope)] -= 1
                if not self._in_flight[(key, scope)]:
                    del self._in_flight[(key, scope)]
