"""Schema changes to tables that already exist, run by ``Store.create_all()``.

New tables need nothing here (``create_all`` makes them); a column added to an existing table
does. ``STEPS`` is the ordered list of steps; each is a named function over one connection, run
once per database in its own transaction and recorded in ``schema_version`` by name, and each is
idempotent (it checks before it changes), so two processes starting at once, or a step re-run
after a crash, do no harm. Add a step by appending a function to ``STEPS``; never reorder or
rename one that has shipped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from service.store.audit import GENESIS, append_only, drop_append_only, row_hash
from service.store.schema import AuditRow, SchemaVersionRow, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    run: Callable[[Connection], None]


def _columns(conn: Connection, table: str) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns(table)}


def audit_hash_chain(conn: Connection) -> None:
    """Issue 18: ``audit_log.prev_hash`` and ``audit_log.hash``; entries written before are
    chained now, oldest first (the chain vouches for them from this migration on)."""
    have = _columns(conn, "audit_log")
    for column in ("prev_hash", "hash"):
        if column not in have:
            conn.execute(
                text(f"ALTER TABLE audit_log ADD COLUMN {column} VARCHAR(64) NOT NULL DEFAULT ''")
            )
    unchained = conn.execute(select(AuditRow.seq).where(AuditRow.hash == "").limit(1)).first()
    if unchained is None:
        return
    drop_append_only(conn)  # the chain is written into existing rows once; triggers return below
    prev = GENESIS
    rows = conn.execute(select(AuditRow).order_by(AuditRow.seq)).all()
    for row in rows:
        entry = AuditRow(seq=row.seq, at=row.at, actor=row.actor, action=row.action,
                         subject=row.subject, payload=row.payload)  # fmt: skip
        if row.hash:
            prev = row.hash
            continue
        digest = row_hash(entry, prev)
        conn.execute(
            update(AuditRow).where(AuditRow.seq == row.seq).values(prev_hash=prev, hash=digest)
        )
        prev = digest
    append_only(conn)
    log.info("audit log: %d existing entries chained", len(rows))


STEPS: list[Step] = [
    Step("audit_hash_chain", audit_hash_chain),
]


def migrate(engine: Engine) -> list[str]:
    """Run the steps this database has not had, in order; returns their names."""
    with engine.connect() as conn:
        done = set(conn.scalars(select(SchemaVersionRow.name)))
    ran = []
    for ordinal, step in enumerate(STEPS, start=1):
        if step.name in done:
            continue
        try:
            with engine.begin() as conn:
                step.run(conn)
                conn.execute(
                    insert(SchemaVersionRow).values(
                        name=step.name, ordinal=ordinal, applied_at=utcnow()
                    )
                )
        except IntegrityError:  # another process recorded it first (the step is idempotent)
            continue
        ran.append(step.name)
    return ran
