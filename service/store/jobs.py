"""The record of background jobs (index rebuilds): what was asked, how far it got, how it ended.

The table is the truth about a job, not the thread running it: a job left ``queued`` or
``running`` by a process that died is marked failed on the next start, and can be asked for again.
One active job per kind is enforced by a partial unique index, so two requests racing (or two
processes) cannot both start a rebuild."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from service.errors import Conflict
from service.store.bank import Store
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


class JobStore:
    def __init__(self, store: Store) -> None:
        self._session = store.sessions

    def create(self, kind: str, params: dict[str, Any] | None = None) -> Job:
        """A queued job; ``Conflict`` (409) when one of this kind is already queued or running."""
        job_id = str(uuid.uuid4())
        try:
            with self._session.begin() as s:
                s.add(JobRow(id=job_id, kind=kind, status="queued", done=0, params=params or {},
                             result={}, created_at=utcnow()))  # fmt: skip
        except IntegrityError as exc:
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
        """Mark every job a previous process left queued or running as failed."""
        with self._session.begin() as s:
            result = s.execute(
                update(JobRow)
                .where(JobRow.status.in_(ACTIVE))
                .values(status="failed", error=INTERRUPTED, finished_at=utcnow())
            )
            return int(getattr(result, "rowcount", 0) or 0)

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
