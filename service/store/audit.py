"""The append-only audit log: who did what to which subject, when, with a JSON payload (bank
changes, moderator decisions). The database refuses UPDATE and DELETE on it (triggers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session, sessionmaker

from service.store.schema import AuditRow, utcnow


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    payload: dict[str, Any]


_APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
]
_APPEND_ONLY_POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'audit log is append-only'; END $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS audit_append_only ON audit_log",
    "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
]


def append_only(conn: Connection) -> None:
    """Install the triggers that refuse UPDATE and DELETE on the audit log."""
    postgres = conn.dialect.name == "postgresql"
    for stmt in _APPEND_ONLY_POSTGRES if postgres else _APPEND_ONLY_SQLITE:
        conn.execute(text(stmt))


class AuditLog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._session = sessions

    def append(self, actor: str, action: str, subject: str, payload: dict[str, Any]) -> AuditEntry:
        with self._session.begin() as s:
            row = AuditRow(
                actor=actor, action=action, subject=subject, payload=payload, at=utcnow()
            )
            s.add(row)
            s.flush()
            return _to_audit(row)

    def entries(
        self, *, action: str | None = None, limit: int = 50, before_seq: int | None = None
    ) -> list[AuditEntry]:
        """Newest first; page with ``before_seq`` = the last seq of the previous page."""
        with self._session() as s:
            q = select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)
            if action is not None:
                q = q.where(AuditRow.action == action)
            if before_seq is not None:
                q = q.where(AuditRow.seq < before_seq)
            return [_to_audit(r) for r in s.scalars(q)]

    def entry(self, seq: int) -> AuditEntry | None:
        with self._session() as s:
            row = s.get(AuditRow, seq)
            return None if row is None else _to_audit(row)


def _to_audit(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.seq, row.at, row.actor, row.action, row.subject, dict(row.payload or {}))
