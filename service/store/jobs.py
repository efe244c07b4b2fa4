"""The record of background jobs (index rebuilds): what was asked, how far it got, how it ended.

The table is the truth about a job, not the thread running it: the process running a job holds
the job's lock (``job_lock``: an advisory lock, or a file lock, released by the system when the
process dies), so a job left ``queued`` or ``running`` by a process that died is told apart from
one another replica is running: the next start, or the next request for a job of its kind, marks
it failed, and it can be asked for again. One active job per kind is enforced by a partial unique
index, so two requests racing (or two processes) cannot both start a rebuild."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from service.errors import Conflict
from service.store.bank import Store
from service.store.exclusive import exclusive
from service.store.schema import JobRow, utcnow

Status = Literal["queued", "running", "succeeded", "failed"]
ACTIVE: tuple[Status, ...] = ("queued", "running")
INTERRUPTED = "interrupted by a restart; ask for a new job to run it again"


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    kind: str
    status: Status
    done: int
    total: int | None
    error: str | None
    params: dict[str, Any]
    result: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def progress(self) -> float:
        """0..1; a finished job is 1 whatever its counts, a job without a total yet is 0."""
        if self.status == "succeeded":
            return 1.0
        if not self.total:
            return 0.0
        return min(1.0, self.done / self.total)


def job_lock(job_id: str) -> str:
    """The name of the lock the process running a job holds while it runs."""
    return f"mirrorscan.job.{job_id}"


def new_job_id() -> str:
    return str(uuid.uuid4())


class JobStore:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._session = store.sessions

    def create(
        self, kind: str, params: dict[str, Any] | None = None, *, job_id: str | None = None
    ) -> Job:
        """A queued job (its runner holds ``job_lock(job_id)`` first); ``Conflict`` (409) when one
        of this kind is already queued or running in a live process."""
        job_id = job_id or new_job_id()
        for attempt in range(2):
            try:
                with self._session.begin() as s:
                    s.add(JobRow(id=job_id, kind=kind, status="queued", done=0,
                                 params=params or {}, result={}, created_at=utcnow()))  # fmt: skip
                break
            except IntegrityError as exc:
                if attempt == 0 and self.fail_interrupted():
                    continue  # the active one's process had died: ask again
                active = self.active(kind)
                which = f" ({active.id}, {active.status})" if active else ""
                raise Conflict(f"a {kind} job is already queued or running{which}") from exc
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        with self._session() as s:
            row = s.get(JobRow, job_id)
            return None if row is None else _to_job(row)

    def active(self, kind: str) -> Job | None:
        with self._session() as s:
            row = s.scalar(select(JobRow).where(JobRow.kind == kind, JobRow.status.in_(ACTIVE)))
            return None if row is None else _to_job(row)

    def recent(self, limit: int = 20) -> list[Job]:
        with self._session() as s:
            q = select(JobRow).order_by(JobRow.created_at.desc()).limit(limit)
            return [_to_job(r) for r in s.scalars(q)]

    def start(self, job_id: str) -> None:
        self._set(job_id, status="running", started_at=utcnow())

    def progress(self, job_id: str, done: int, total: int | None) -> None:
        self._set(job_id, done=done, total=total)

    def succeed(self, job_id: str, result: dict[str, Any]) -> None:
        self._set(job_id, status="succeeded", result=result, finished_at=utcnow())

    def fail(self, job_id: str, error: str) -> None:
        self._set(job_id, status="failed", error=error[:4000], finished_at=utcnow())

    def fail_interrupted(self) -> int:
        """Mark failed every job left queued or running by a process that is gone (nobody holds
        its lock); a job another live process runs is left alone. Returns how many."""
        with self._session() as s:
            active = list(s.scalars(select(JobRow.id).where(JobRow.status.in_(ACTIVE))))
        failed = 0
        for job_id in active:
            lock = job_lock(job_id)
            with exclusive(self._store.engine, lock, wait_s=0, discard=True) as orphaned:
                if not orphaned:
                    continue
                with self._session.begin() as s:
                    result = s.execute(
                        update(JobRow)
                        .where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
                        .values(status="failed", error=INTERRUPTED, finished_at=utcnow())
                    )
                    failed += int(getattr(result, "rowcount", 0) or 0)
        return failed

    def _set(self, job_id: str, **values: Any) -> None:
        with self._session.begin() as s:
            s.execute(update(JobRow).where(JobRow.id == job_id).values(**values))


def _to_job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        status=row.status,  # type: ignore[arg-type]
        done=int(row.done or 0),
        total=None if row.total is None else int(row.total),
        error=row.error,
        params=dict(row.params or {}),
        result=dict(row.result or {}),
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )
