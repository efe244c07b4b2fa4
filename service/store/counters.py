"""Store-wide change counters (table ``counters``): ``accounts`` numbers bank changes (rows carry
it, so an index catches up by replaying ``seq > N``); ``keys`` and ``snapshots`` are bumped when
the API keys change and when a rebuilt index snapshot is written. Every replica polls them to
apply what the others did."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from service.store.schema import CounterRow

ACCOUNTS = "accounts"
KEYS = "keys"
SNAPSHOTS = "snapshots"
COUNTERS = (ACCOUNTS, KEYS, SNAPSHOTS)


def ensure(conn: Connection, names: tuple[str, ...] = COUNTERS) -> None:
    """Create the counters that are missing, at 0 (call with schema changes serialised)."""
    have = set(conn.scalars(select(CounterRow.name)))
    for name in names:
        if name not in have:
            conn.execute(insert(CounterRow).values(name=name, value=0))


def bump(session: Session, name: str) -> int:
    """Add one to ``name`` in the session's transaction; its row stays locked until commit, so
    concurrent writers are serialised and readers see the new value with the change."""
    session.execute(
        update(CounterRow).where(CounterRow.name == name).values(value=CounterRow.value + 1)
    )
    return int(session.scalar(select(CounterRow.value).where(CounterRow.name == name)) or 0)


def read_all(session: Session) -> dict[str, int]:
    return {
        name: int(value)
        for name, value in session.execute(select(CounterRow.name, CounterRow.value))
    }
