"""What the app's lifespan owns: settings, keys, the one bounded executor for CPU work, and the
pipeline once it has loaded. API routes (through ``service.api.deps``) and pages (through
``service.web.pages``) reach it from the request state; nothing lives in module globals."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, Protocol, TypeVar

from service.auth import Authenticator, KeyRing
from service.config import Settings
from service.domain import Profile
from service.errors import (
    ClientGone,
    DeadlineExceeded,
    InvalidInput,
    MirrorscanError,
    NotReady,
    PayloadTooLarge,
    storage_error,
)
from service.fairness import INTERNAL, Admission, FairExecutor, current_lane
from service.follower import Follower
from service.ingest.fetch import SafeFetcher
from service.metrics import Metrics
from service.pipeline import Pipeline
from service.store.jobs import JobStore
from service.store.shared import SharedState
from service.throttle import FailureThrottle
from service.usecases.jobs import JobRunner
from service.usecases.webhooks import Sender

log = logging.getLogger(__name__)
P = ParamSpec("P")
# what callers are told; the exception (which may quote SQL or paths) is in the log only
LOAD_FAILED = "loading failed; the server log says why"
T = TypeVar("T")


class ItemIn(Protocol):
    id: str

    def profile(self) -> Profile: ...


def parse_items(
    items: Sequence[ItemIn], *, limit: int, what: str
) -> list[Profile | MirrorscanError]:
    """Each item's profile, or the error that makes it unusable (inline avatar not base64)."""
    if len(items) > limit:
        raise PayloadTooLarge(f"a {what} request holds at most {limit} items")
    parsed: list[Profile | MirrorscanError] = []
    for item in items:
        try:
            parsed.append(item.profile())
        except InvalidInput as exc:
            parsed.append(exc)
    return parsed


class Runtime:
    def __init__(self, settings: Settings, keys: KeyRing) -> None:
        self.settings = settings
        # --- replicas: the key ring (settings + store), the shared state, the follower -----
        self.keys = Authenticator(keys, FailureThrottle(settings.throttle))
        self._shared: SharedState | None = None
        self._follower: asyncio.Task[None] | None = None
        self._following: Follower | None = None
        # -----------------------------------------------------------------------------------
        # encode/search are CPU-bound: never inline in async code, never a thread per request;
        # shared fairly between keys, behind a bounded queue (service.fairness)
        fair = settings.fairness
        self.executor = FairExecutor(settings.workers, fair.max_queue, fair.key_workers)
        self.admission = Admission(fair)
        self.metrics = Metrics(settings.budget.as_ms())  # this app's registry, never the global
        self._pipeline: Pipeline | None = None
        self._jobs: JobRunner | None = None
        self.sender: Sender | None = None  # webhook deliveries from the outbox
        self.load_error: str | None = None
        self.fetcher = SafeFetcher(settings.fetch)  # async: used and closed on the event loop

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None or not self._pipeline.ready:
            reason = self.load_error or "models and indexes are still loading"
            raise NotReady(reason)
        return self._pipeline

    @property
    def jobs(self) -> JobRunner:
        if self._jobs is None:
            raise NotReady(self.load_error or "models and indexes are still loading")
        return self._jobs

    @property
    def ready(self) -> bool:
        return self._pipeline is not None and self._pipeline.ready

    # --- replicas: what every replica on the store shares, and following it ----------------

    @property
    def shared(self) -> SharedState:
        """Keys, moderator sessions and page records in the store (``NotReady`` until open)."""
        if self._shared is None:
            raise NotReady(self.load_error or "the store is still opening")
        return self._shared

    async def open_shared(self) -> None:
        """Open the store's shared state, load its keys, and start following the store (bank
        changes, keys, rebuilt snapshots) every ``replicas.poll_s``: see ``service.follower``.
        Called before the app serves (quick); a failure is reported like a failed load."""
        try:
            shared = await asyncio.to_thread(SharedState.open, self.settings)
        except Exception as exc:  # surfaced on /readyz and every route, and logged
            self.load_error = f"opening the store failed: {exc}"
            log.exception("the store failed to open")
            return
        self._shared = shared
        self._following = follower = Follower(
            shared, self.keys, lambda: self._pipeline, self.settings.replicas.poll_s
        )
        try:
            await asyncio.to_thread(follower.step)  # the store's keys, before the first request
        except Exception:  # the follower retries every poll
            log.exception("reading the store's keys failed")
        self._follower = asyncio.create_task(follower.run(), name="mirrorscan-follower")

    def follow_now(self) -> None:
        """Apply the store's changes at once (this replica's own key changes), not at the next
        poll. Blocking: call it from a thread."""
        if self._following is not None:
            self._following.step()

    async def stop_following(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower

    # ---------------------------------------------------------------------------------------

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` on a CPU worker, queued for the current request's key."""
        [result] = await self.run_all([functools.partial(fn, *args, **kwargs)])
        return result  # type: ignore[no-any-return]

    async def run_all(self, calls: Sequence[Callable[[], Any]]) -> list[Any]:
        """Queue the calls for the current request (all or none: ``Overloaded``) and await
        them. When the request's deadline passes or its client goes away first, what is still
        queued is dropped and ``DeadlineExceeded`` / ``ClientGone`` raised; a call already
        running finishes, its result unread."""
        lane = current_lane.get()
        key = lane.key if lane is not None else INTERNAL
        deadline = lane.deadline if lane is not None else None
        futures = self.executor.submit_many(key, calls, deadline)
        together = asyncio.gather(*(asyncio.wrap_future(f) for f in futures))
        gone = asyncio.ensure_future(lane.wait_gone()) if lane and lane.receive else None
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            waiting: set[asyncio.Future[Any]] = {together}
            if gone is not None:
                waiting.add(gone)
            await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if together.done():
                return list(together.result())
        finally:
            if gone is not None:
                gone.cancel()
        for f in futures:
            f.cancel()
        together.cancel()
        if gone is not None and gone.done() and not gone.cancelled():
            raise ClientGone("the client closed the connection; its queued work was dropped")
        raise DeadlineExceeded(
            f"the request took longer than {self.settings.fairness.deadline_s:g} s; "
            "its queued work was dropped"
        )

    async def run_per_item(
        self,
        items: Sequence[ItemIn],
        work: Callable[[list[Profile]], Sequence[T | MirrorscanError]],
        *,
        limit: int,
        what: str,
    ) -> list[T | MirrorscanError]:
        """Run ``work`` on the items that parse; each item gets its result or its own error,
        in order, so one bad item fails only itself."""
        parsed = parse_items(items, limit=limit, what=what)
        profiles = [p for p in parsed if isinstance(p, Profile)]
        size = self.settings.fairness.batch_chunk  # chunks interleave with other keys' work
        chunks = [profiles[i : i + size] for i in range(0, len(profiles), size)]
        outcomes = await self.run_all([functools.partial(work, c) for c in chunks])
        done = iter([o for chunk in outcomes for o in chunk])
        return [p if isinstance(p, MirrorscanError) else next(done) for p in parsed]

    async def load(self) -> None:
        if self._shared is None:
            await self.open_shared()  # it failed before serving: once more
        try:
            pipeline = await self.run(Pipeline.open, self.settings)
            pipeline.metrics = self.metrics  # before any request can reach it
            jobs = JobStore(pipeline.store)
            interrupted = await self.run(jobs.fail_interrupted)
            if interrupted:
                log.warning(
                    "%d index jobs were interrupted by a restart; marked failed", interrupted
                )
            self._jobs = JobRunner(pipeline, jobs)
            self.sender = Sender(pipeline.store, self.settings.webhooks)
            self.sender.start()
            self._pipeline = pipeline
            log.info("ready: %s", pipeline.indexes.counts())
        except Exception:  # surfaced on /readyz and every route (without its text), and logged
            self.load_error = LOAD_FAILED
            log.exception("pipeline failed to load")

    async def stop_background(self) -> None:
        """Stop the webhook sender (what it had claimed is sent again by the next one)."""
        if self.sender is not None:
            await self.sender.stop()

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.close()
        if self._pipeline is not None:
            try:
                self._pipeline.write_snapshot()
            except OSError as exc:  # a full or read-only disk: the store still has everything
                if storage_error(exc) is None:
                    raise
                log.error("no snapshot written at shutdown (%s); the next start catches up", exc)
            finally:
                self._pipeline.close()
        if self._shared is not None:
            self._shared.close()
        self.executor.shutdown(wait=True, cancel_futures=True)
