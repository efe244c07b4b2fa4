"""Records a page needs on a later request, on whichever replica serves it (a check's result
between the POST that runs the check and the GET that shows it): JSON and an optional blob under a
random id, readable by their owner only, until they expire; each kind is bounded in count (the
oldest go first)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from service.store.shared_schema import PageRecordRow


@dataclass(frozen=True, slots=True)
class PageRecord:
    id: str
    owner: str
    created_at: float  # epoch seconds
    data: dict[str, Any]
    blob: bytes | None


class PageRecords:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        kind: str,
        *,
        ttl_s: float,
        max_items: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._session = sessions
        self.kind = kind
        self.ttl_s = ttl_s
        self.max_items = max_items
        self._clock = clock  # epoch seconds (a test passes its own)

    def put(self, owner: str, data: dict[str, Any], blob: bytes | None = None) -> PageRecord:
        now = self._clock()
        record = PageRecord(secrets.token_urlsafe(16), owner, now, data, blob)
        with self._session.begin() as s:
            mine = PageRecordRow.kind == self.kind
            s.execute(delete(PageRecordRow).where(mine, PageRecordRow.expires_at <= now))
            s.add(
                PageRecordRow(
                    kind=self.kind,
                    id=record.id,
                    owner=owner,
                    created_at=now,
                    expires_at=now + self.ttl_s,
                    data=data,
                    blob=blob,
                )
            )
            s.flush()
            count = int(s.scalar(select(func.count()).select_from(PageRecordRow).where(mine)) or 0)
            if count > self.max_items:
                oldest = s.scalars(
                    select(PageRecordRow.id)
                    .where(mine)
                    .order_by(PageRecordRow.created_at, PageRecordRow.id)
                    .limit(count - self.max_items)
                ).all()
                s.execute(delete(PageRecordRow).where(mine, PageRecordRow.id.in_(oldest)))
        return record

    def get(self, record_id: str, owner: str) -> PageRecord | None:
        """The record, if it exists, has not expired, and belongs to ``owner``."""
        if not 0 < len(record_id) <= 64:
            return None
        with self._session() as s:
            row = s.get(PageRecordRow, (self.kind, record_id))
            if row is None or row.expires_at <= self._clock() or row.owner != owner:
                return None
            return PageRecord(row.id, row.owner, row.created_at, dict(row.data or {}), row.blob)

    def count(self) -> int:
        now = self._clock()
        with self._session() as s:
            q = select(func.count()).select_from(PageRecordRow)
            q = q.where(PageRecordRow.kind == self.kind, PageRecordRow.expires_at > now)
            return int(s.scalar(q) or 0)
