"""The append-only audit log: who did what to which subject, when, with a JSON payload (bank
changes, moderator decisions). The database refuses UPDATE and DELETE on it (triggers), and each
entry carries the hash of the one before it (a hash chain), so an edit, a deletion or a
reordering made behind the service's back (triggers dropped, rows changed, triggers restored) is
found by ``verify_chain`` (``mirrorscan doctor``). The newest entry's hash, the head, is what a
moderator can record outside the system: an entry removed from the end is found against it.

An entry's hash is SHA-256 over the canonical JSON of ``[prev_hash, seq, at (UTC, microseconds),
actor, action, subject, payload]``; the first entry's ``prev_hash`` is ``GENESIS``. Entries are
numbered by the ``audit`` counter under its row lock, so concurrent writers (threads, processes,
replicas on PostgreSQL) append one at a time and the chain never forks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from service.store.schema import AuditRow, CounterRow, utcnow

GENESIS = "0" * 64
COUNTER = "audit"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    payload: dict[str, Any]
    prev_hash: str = ""
    hash: str = ""


@dataclass(frozen=True, slots=True)
class AuditNote:
    """An entry to append, in the transaction of the change it records."""

    actor: str
    action: str
    subject: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What ``verify_chain`` found: ``first_broken`` is the seq of the first entry whose link
    does not hold (None when all hold), ``reason`` says how."""

    entries: int
    head_seq: int | None
    head_hash: str
    first_broken: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken is None and self.reason is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "first_broken": self.first_broken,
            "reason": self.reason,
        }


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
_DROP_SQLITE = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]
_DROP_POSTGRES = ["DROP TRIGGER IF EXISTS audit_append_only ON audit_log"]


def append_only(conn: Connection) -> None:
    """Install the triggers that refuse UPDATE and DELETE on the audit log."""
    postgres = conn.dialect.name == "postgresql"
    for stmt in _APPEND_ONLY_POSTGRES if postgres else _APPEND_ONLY_SQLITE:
        conn.execute(text(stmt))


def drop_append_only(conn: Connection) -> None:
    """Remove the triggers (a migration that chains existing rows; reinstalled after it)."""
    for stmt in _DROP_POSTGRES if conn.dialect.name == "postgresql" else _DROP_SQLITE:
        conn.execute(text(stmt))


def canonical_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the database gives it back (JSON round trip), so that the hash computed
    when it is written is the hash recomputed from what is read."""
    out = json.loads(json.dumps(payload))
    assert isinstance(out, dict)
    return out


def entry_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    payload: dict[str, Any],
) -> str:
    at_utc = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    doc = [prev_hash, seq, at_utc.isoformat(timespec="microseconds"), actor, action, subject,
           payload]  # fmt: skip
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def row_hash(row: AuditRow, prev_hash: str) -> str:
    return entry_hash(prev_hash, row.seq, row.at, row.actor, row.action, row.subject,
                      dict(row.payload or {}))  # fmt: skip


def append_entry(session: Session, note: AuditNote) -> AuditEntry:
    """Append ``note`` in ``session``'s transaction (committed or rolled back with it). Taking
    the counter row's lock first serialises appenders, so the head read next is the head."""
    session.execute(
        update(CounterRow).where(CounterRow.name == COUNTER).values(value=CounterRow.value + 1)
    )
    seq = int(session.scalar(select(CounterRow.value).where(CounterRow.name == COUNTER)) or 0)
    prev = session.scalar(select(AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1))
    payload = canonical_payload(note.payload)
    at = utcnow()
    row = AuditRow(
        seq=seq, at=at, actor=note.actor, action=note.action, subject=note.subject,
        payload=payload, prev_hash=prev or GENESIS,
    )  # fmt: skip
    row.hash = row_hash(row, row.prev_hash)
    session.add(row)
    session.flush()
    return _to_audit(row)


def ensure_counter(conn: Connection) -> None:
    """The ``audit`` counter, starting at the newest entry's seq (a log written before it)."""
    if conn.execute(select(CounterRow).where(CounterRow.name == COUNTER)).first() is None:
        top = conn.scalar(select(func.max(AuditRow.seq))) or 0
        conn.execute(insert(CounterRow).values(name=COUNTER, value=int(top)))


class AuditLog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._session = sessions

    def append(self, actor: str, action: str, subject: str, payload: dict[str, Any]) -> AuditEntry:
        with self._session.begin() as s:
            return append_entry(s, AuditNote(actor, action, subject, payload))

    def entries(
        self,
        *,
        action: str | None = None,
        limit: int = 50,
        before_seq: int | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[AuditEntry]:
        """Newest first; page with ``before_seq`` = the last seq of the previous page. ``actor``
        is matched exactly; ``since`` (inclusive) and ``until`` (exclusive) bound the time."""
        with self._session() as s:
            q = select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)
            if action is not None:
                q = q.where(AuditRow.action == action)
            if before_seq is not None:
                q = q.where(AuditRow.seq < before_seq)
            if actor is not None:
                q = q.where(AuditRow.actor == actor)
            if since is not None:
                q = q.where(AuditRow.at >= since)
            if until is not None:
                q = q.where(AuditRow.at < until)
            return [_to_audit(r) for r in s.scalars(q)]

    def entry(self, seq: int) -> AuditEntry | None:
        with self._session() as s:
            row = s.get(AuditRow, seq)
            return None if row is None else _to_audit(row)

    def head(self) -> tuple[int | None, str]:
        """The newest entry's seq and hash (``(None, GENESIS)`` for an empty log): the anchor a
        moderator records outside the system."""
        with self._session() as s:
            row = s.execute(
                select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
            ).first()
            return (None, GENESIS) if row is None else (int(row[0]), str(row[1]))

    def iter_oldest_first(self, batch: int = 1000) -> Iterator[AuditEntry]:
        """Every entry in seq order (keyset pagination: bounded memory)."""
        last = 0
        while True:
            with self._session() as s:
                rows = list(
                    s.scalars(
                        select(AuditRow)
                        .where(AuditRow.seq > last)
                        .order_by(AuditRow.seq)
                        .limit(batch)
                    )
                )
            if not rows:
                return
            last = rows[-1].seq
            yield from (_to_audit(r) for r in rows)

    def verify_chain(self, anchor: tuple[int, str] | None = None) -> ChainReport:
        """Walk the log oldest first and recompute every link: the first entry whose
        ``prev_hash`` is not its predecessor's hash (an entry deleted or moved before it) or
        whose hash is not that of its content (edited) is reported. Entries missing from the
        end show as the ``audit`` counter ahead of the newest entry, or against ``anchor``
        (seq, hash) recorded earlier."""
        prev, count, head_seq = GENESIS, 0, None
        for e in self.iter_oldest_first():
            count += 1
            broken = None
            if e.prev_hash != prev:
                broken = MOVED
            elif entry_hash(prev, e.seq, e.at, e.actor, e.action, e.subject, e.payload) != e.hash:
                broken = EDITED
            elif anchor is not None and e.seq == anchor[0] and e.hash != anchor[1]:
                broken = "its hash differs from the recorded anchor"
            if broken is not None:
                return ChainReport(count, e.seq, e.hash, e.seq, broken)
            prev, head_seq = e.hash, e.seq
        with self._session() as s:
            counter = int(s.scalar(select(CounterRow.value).where(CounterRow.name == COUNTER)) or 0)
        end = head_seq or 0
        if counter > end:
            reason = f"the log was numbered up to {counter} but ends at {end}: {TRUNCATED}"
            return ChainReport(count, head_seq, prev, end + 1, reason)
        if anchor is not None and end < anchor[0]:
            reason = f"the recorded anchor's entry {anchor[0]} is gone: {TRUNCATED}"
            return ChainReport(count, head_seq, prev, end + 1, reason)
        return ChainReport(count, head_seq, prev)


MOVED = (
    "its prev_hash is not the hash of the entry before it: an entry was deleted, inserted or "
    "moved before it"
)
EDITED = "its content does not match its hash: it was edited"
TRUNCATED = "entries were removed from its end"


def _to_audit(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.seq, row.at, row.actor, row.action, row.subject,
                      dict(row.payload or {}), row.prev_hash or "", row.hash or "")  # fmt: skip
