"""Index jobs run by the server: one rebuild at a time, in its own thread (never the request
executor, so scoring keeps its worker), recorded in the store's ``jobs`` table with its progress.

A rebuild re-encodes accounts other models encoded, builds a new index set from the store beside
the live one, writes its snapshot and swaps it in (``Pipeline.rebuild_indexes``). Shutting down
cancels a running job at its next progress step and records it as failed; a job the process
could not record (it was killed) is marked failed by the next start."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import ExitStack
from typing import Any

from service.errors import INTERNAL_DETAIL, MirrorscanError, storage_error
from service.pipeline import Pipeline
from service.reencode import ensure_current_vectors
from service.store.exclusive import exclusive
from service.store.jobs import Job, JobStore, job_lock, new_job_id

log = logging.getLogger(__name__)


def public_reason(exc: Exception) -> str:
    """What the job's record says (it is served by the API): a domain error's or a storage
    fault's own words, never an exception's text (paths, SQL); the log has the traceback."""
    known = exc if isinstance(exc, MirrorscanError) else storage_error(exc)
    if known is not None and (known.public or known.status < 500):
        return known.detail
    return f"{type(exc).__name__}: {INTERNAL_DETAIL}"


REBUILD = "rebuild"


class Cancelled(Exception):
    pass


class JobRunner:
    def __init__(self, pipeline: Pipeline, jobs: JobStore, *, report_every_s: float = 0.5) -> None:
        self.pipeline = pipeline
        self.jobs = jobs
        self.report_every_s = report_every_s
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, kind: str = REBUILD) -> Job:
        """Record a queued job and start it; ``Conflict`` (409) while one is active. The job's
        lock is taken before its row exists and held until it ends, so other processes see it
        is alive (``JobStore.fail_interrupted``)."""
        if kind != REBUILD:
            raise ValueError(f"unknown job kind {kind!r}")
        with self._lock:
            job_id = new_job_id()
            held = ExitStack()
            taken = held.enter_context(
                exclusive(self.pipeline.store.engine, job_lock(job_id), wait_s=0, discard=True)
            )
            assert taken, "a fresh job id's lock is free"
            try:
                job = self.jobs.create(kind, job_id=job_id)
                self._thread = threading.Thread(
                    target=self._run, args=(job.id, held), name=f"mirrorscan-job-{job.id[:8]}",
                    daemon=True,
                )  # fmt: skip
                self._thread.start()
            except BaseException:
                held.close()
                raise
        return job

    def close(self, timeout: float | None = 60.0) -> None:
        """Cancel a running job (recorded as failed) and wait for its thread."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self, job_id: str, held: ExitStack) -> None:
        with held:  # the job's lock, released when the job ends
            self._work(job_id)

    def _work(self, job_id: str) -> None:
        started = time.monotonic()
        store = self.pipeline.store
        try:
            self.jobs.start(job_id)
            features = self.pipeline.features
            stale = store.count_stale(features.encoder_version)
            progress = _JobProgress(self, job_id, total=stale + store.count())
            reencoded = ensure_current_vectors(store, features, progress)
            fresh = self.pipeline.rebuild_indexes(progress)
            result: dict[str, Any] = {
                "snapshot": fresh.version,
                "store_seq": fresh.store_seq,
                "indexed": fresh.counts(),
                "reencoded": reencoded,
                "seconds": round(time.monotonic() - started, 3),
            }
            self.jobs.progress(job_id, progress.done, progress.total)
            self.jobs.succeed(job_id, result)
            log.info("job %s succeeded: %s", job_id, result)
        except Cancelled:
            self.jobs.fail(job_id, "cancelled: the server shut down; ask for a new job")
        except Exception as exc:  # recorded on the job and logged; the server goes on
            log.exception("job %s failed", job_id)
            self.jobs.fail(job_id, public_reason(exc))


class _JobProgress:
    """The progress callback: counts, records at most every ``report_every_s``, and is where a
    shutdown interrupts the job."""

    def __init__(self, runner: JobRunner, job_id: str, total: int) -> None:
        self.runner = runner
        self.job_id = job_id
        self.total = total
        self.done = 0
        self._last = 0.0

    def __call__(self, n: int) -> None:
        if self.runner._stop.is_set():
            raise Cancelled
        self.done += n
        now = time.monotonic()
        if now - self._last >= self.runner.report_every_s:
            self._last = now
            self.runner.jobs.progress(self.job_id, self.done, self.total)
