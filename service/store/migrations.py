"""Schema changes to tables that already exist, run by ``Store.create_all()``.

New tables need nothing here (``create_all`` makes them); a column added to an existing table
does. ``STEPS`` is the ordered list of steps; each is a named function over one connection, run
once per database in its own transaction and recorded in ``schema_version`` by name, and each is
idempotent (it checks before it changes), so two processes starting at once, or a step re-run
after a crash, do no harm. Steps are named by purpose, so engineers adding steps in parallel do
not collide on numbers: add one by appending a function to ``STEPS``; never reorder or rename
one that has shipped."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from service.store.audit import GENESIS, append_only, drop_append_only, row_hash
from service.store.schema import DEFAULT_BANK, AuditRow, SchemaVersionRow, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    run: Callable[[Connection], None]


def _columns(conn: Connection, table: str) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns(table)}


# --- hardening (issue 18): the audit log's hash chain ------------------------------------------


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


# --- interop (issue 14): named banks -----------------------------------------------------------


def accounts_bank_column(conn: Connection) -> None:
    """Every account belongs to a bank; the accounts of an older data dir go to the default."""
    if "bank" not in _columns(conn, "accounts"):
        conn.execute(
            text(
                "ALTER TABLE accounts ADD COLUMN bank VARCHAR(100) NOT NULL "
                f"DEFAULT '{DEFAULT_BANK}'"
            )
        )
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_accounts_bank ON accounts (bank)"))


def default_bank(conn: Connection) -> None:
    """The bank that accounts written without a bank name go to (once: a bank removed later
    is not brought back)."""
    found = conn.execute(text("SELECT 1 FROM banks WHERE name = :n"), {"n": DEFAULT_BANK})
    if found.first() is None:
        now = utcnow()
        conn.execute(
            text(
                "INSERT INTO banks (name, kind, enabled, description, created_at, updated_at) "
                "VALUES (:n, 'banned', :on, :d, :t, :t)"
            ),
            {
                "n": DEFAULT_BANK,
                "on": True,
                "d": "accounts written without a bank name",
                "t": now,
            },  # fmt: skip
        )


STEPS: list[Step] = [
    Step("audit_hash_chain", audit_hash_chain),
    Step("interop-accounts-bank-column", accounts_bank_column),
    Step("interop-default-bank", default_bank),
]


def migrate(engine: Engine, steps: Sequence[Step] = STEPS) -> list[str]:
    """Run the steps this database has not had, in order; returns their names."""
    with engine.connect() as conn:
        done = set(conn.scalars(select(SchemaVersionRow.name)))
    ran = []
    for ordinal, step in enumerate(steps, start=1):
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
