"""What the app's lifespan owns: settings, keys, the one bounded executor for CPU work, and the
pipeline once it has loaded. API routes (through ``service.api.deps``) and pages (through
``service.web.pages``) reach it from the request state; nothing lives in module globals."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, Protocol, TypeVar

from service.auth import KeyRing
from service.config import Settings
from service.domain import Profile
from service.errors import InvalidInput, MirrorscanError, NotReady, PayloadTooLarge
from service.ingest.fetch import SafeFetcher
from service.metrics import Metrics
from service.pipeline import Pipeline
from service.store.jobs import JobStore
from service.usecases.jobs import JobRunner

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
        self.keys = keys
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
        except Exception:  # surfaced on /readyz and every route (without its text), and logged
            self.load_error = LOAD_FAILED
            log.exception("pipeline failed to load")

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.close()
        if self._pipeline is not None:
            try:
                self._pipeline.write_snapshot()
            finally:
                self._pipeline.close()
        self.executor.shutdown(wait=True, cancel_futures=True)
