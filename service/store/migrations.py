"""Schema changes to existing data dirs, run by ``Store.create_all()``.

``Base.metadata.create_all`` makes missing tables but never changes a table that exists; a new
column on an existing table (accounts → bank) needs a step here. The ``schema_version`` table
records the steps applied, by name; ``STEPS`` is their order. Each step runs in its own
transaction and is idempotent (it checks before it changes), so a step interrupted before its
name was recorded is simply run again. Steps are named by purpose, so engineers adding steps in
parallel do not collide on numbers: append yours to ``STEPS``, in its own function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, DateTime, Engine, String, insert, inspect, select, text
from sqlalchemy.orm import Mapped, mapped_column

from service.store.schema import DEFAULT_BANK, Base, utcnow


class SchemaVersionRow(Base):
    __tablename__ = "schema_version"

    step: Mapped[str] = mapped_column(String(200), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    run: Callable[[Connection], None]


# --- interop (issue 14): named banks ---------------------------------------------------------


def accounts_bank_column(conn: Connection) -> None:
    """Every account belongs to a bank; the accounts of an older data dir go to the default."""
    columns = {c["name"] for c in inspect(conn).get_columns("accounts")}
    if "bank" not in columns:
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


STEPS: tuple[Step, ...] = (
    Step("interop-accounts-bank-column", accounts_bank_column),
    Step("interop-default-bank", default_bank),
)


def migrate(engine: Engine, steps: tuple[Step, ...] = STEPS) -> list[str]:
    """Apply the steps not yet recorded, in order; returns the names applied now."""
    SchemaVersionRow.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
    with engine.connect() as conn:
        done = set(conn.scalars(select(SchemaVersionRow.step)))
    applied = []
    for step in steps:
        if step.name in done:
            continue
        with engine.begin() as conn:
            step.run(conn)
            conn.execute(insert(SchemaVersionRow).values(step=step.name, applied_at=utcnow()))
        applied.append(step.name)
    return applied
