"""What the app's lifespan owns: settings, keys, the one bounded executor for CPU work, and the
pipeline once it has loaded. API routes (through ``service.api.deps``) and pages (through
``service.web.pages``) reach it from the request state; nothing lives in module globals."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, Protocol, TypeVar

from service.auth import Authenticator, KeyRing
from service.config import Settings
from service.domain import Profile
from service.errors import InvalidInput, MirrorscanError, NotReady, PayloadTooLarge
from service.follower import Follower
from service.ingest.fetch import SafeFetcher
from service.metrics import Metrics
from service.pipeline import Pipeline
from service.store.jobs import JobStore
from service.store.shared import SharedState
from service.throttle import FailureThrottle
from service.usecases.jobs import JobRunner

log = logging.getLogger(__name__)
P = ParamSpec("P")
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
        # encode/search are CPU-bound: never inline in async code, never a thread per request
        self.executor = ThreadPoolExecutor(
            max_workers=settings.workers, thread_name_prefix="mirrorscan-cpu"
        )
        self.metrics = Metrics(settings.budget.as_ms())  # this app's registry, never the global
        self._pipeline: Pipeline | None = None
        self._jobs: JobRunner | None = None
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
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

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
        done = iter(await self.run(work, [p for p in parsed if isinstance(p, Profile)]))
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
            self._pipeline = pipeline
            log.info("ready: %s", pipeline.indexes.counts())
        except Exception as exc:  # surfaced on /readyz and every route, and logged
            self.load_error = f"loading failed: {exc}"
            log.exception("pipeline failed to load")

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.close()
        if self._pipeline is not None:
            try:
                self._pipeline.write_snapshot()
            finally:
                self._pipeline.close()
        if self._shared is not None:
            self._shared.close()
        self.executor.shutdown(wait=True, cancel_futures=True)
