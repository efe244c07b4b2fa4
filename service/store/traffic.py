"""Sightings of banned accounts' avatars in scored traffic (``SightingRow``): recorded in
batches, counted per banned account, forgotten after a retention period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from service.store.schema import SightingRow, utcnow


class Sightings:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._session = sessions

    def record(self, items: Iterable[tuple[int, bytes]]) -> None:
        """Add (banned row id, profile hash) pairs; a pair seen before only refreshes its time."""
        rows = [{"row_id": r, "profile_hash": h, "seen_at": utcnow()} for r, h in set(items)]
        if not rows:
            return
        with self._session.begin() as s:
            dialect = s.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            stmt = insert(SightingRow).values(rows)
            stmt = stmt.on_conflict_do_update(
                index_elements=["row_id", "profile_hash"], set_={"seen_at": stmt.excluded.seen_at}
            )
            s.execute(stmt)

    def counts(self, at_least: int) -> dict[int, int]:
        """Distinct profiles seen per banned account, for those seen at least ``at_least``."""
        n = func.count()
        with self._session() as s:
            q = select(SightingRow.row_id, n).group_by(SightingRow.row_id).having(n >= at_least)
            return {int(r): int(c) for r, c in s.execute(q)}

    def count_of(self, row_id: int) -> int:
        with self._session() as s:
            q = select(func.count()).where(SightingRow.row_id == row_id)
            return int(s.execute(q).scalar_one())

    def forget_before(self, days: float) -> int:
        with self._session.begin() as s:
            cut = utcnow() - timedelta(days=days)
            done = s.execute(delete(SightingRow).where(SightingRow.seen_at < cut))
            return int(getattr(done, "rowcount", 0) or 0)
