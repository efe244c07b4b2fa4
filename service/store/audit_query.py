"""Reading the audit log for an auditor: entries filtered by action, actor and time, a page at a
time (newest first) or all of them in order (for an export)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.store.audit import AuditEntry, AuditLog
from service.store.schema import AuditRow


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actions: tuple[str, ...] = ()  # exact names; "bank.*" matches every "bank." action
    actor: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive

    def apply(self, q: Any) -> Any:
        if self.actions:
            cond = None
            for action in self.actions:
                one = (
                    AuditRow.action.startswith(action[:-1])
                    if action.endswith(".*")
                    else AuditRow.action == action
                )
                cond = one if cond is None else cond | one
            q = q.where(cond)
        if self.actor:
            q = q.where(AuditRow.actor == self.actor)
        if self.since is not None:
            q = q.where(AuditRow.at >= _utc(self.since))
        if self.until is not None:
            q = q.where(AuditRow.at < _utc(self.until))
        return q


def page(
    sessions: sessionmaker[Session], f: AuditFilter, *, before_seq: int | None, limit: int
) -> list[AuditEntry]:
    with sessions() as s:
        q = f.apply(select(AuditRow)).order_by(AuditRow.seq.desc()).limit(limit)
        if before_seq is not None:
            q = q.where(AuditRow.seq < before_seq)
        return [_entry(r) for r in s.scalars(q)]


def walk(
    sessions: sessionmaker[Session], f: AuditFilter, batch: int = 1000
) -> Iterator[AuditEntry]:
    """Every matching entry, oldest first (keyset pagination: bounded memory)."""
    last = 0
    while True:
        with sessions() as s:
            q = f.apply(select(AuditRow)).where(AuditRow.seq > last)
            rows = list(s.scalars(q.order_by(AuditRow.seq).limit(batch)))
        if not rows:
            return
        last = rows[-1].seq
        yield from (_entry(r) for r in rows)


def chain_head(log: AuditLog) -> str | None:
    """The audit log's hash-chain head as ``SEQ:HASH`` (what ``mirrorscan doctor
    --audit-anchor`` takes back to check that nothing up to it was changed or removed); None
    for an empty log."""
    seq, digest = log.head()
    return None if seq is None else f"{seq}:{digest}"


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.seq, _utc(row.at), row.actor, row.action, row.subject,
                      dict(row.payload or {}))  # fmt: skip
