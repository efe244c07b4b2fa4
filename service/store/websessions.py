"""The moderator pages' signed-in sessions, in the store so that any replica can serve any page
and a sign-out (or a revoked key) ends the session everywhere at once. Rows are found by the
hash of the session id the cookie carries; they expire at a fixed time, and each key keeps at
most a bounded number (the oldest end first)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from service.store.shared_schema import WebSessionRow


@dataclass(frozen=True, slots=True)
class WebSession:
    csrf: str
    label: str
    key_ref: str
    expires_at: float


class WebSessions:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], float] = time.time
    ) -> None:
        self._session = sessions
        self._clock = clock

    def open(self, id_hash: str, session: WebSession, *, max_per_key: int) -> None:
        """Record a new session; expired ones go, and the key's oldest beyond ``max_per_key``."""
        now = self._clock()
        with self._session.begin() as s:
            s.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
            s.add(
                WebSessionRow(
                    id_hash=id_hash,
                    csrf=session.csrf,
                    label=session.label,
                    key_ref=session.key_ref,
                    created_at=now,
                    expires_at=session.expires_at,
                )
            )
            s.flush()
            older = s.scalars(
                select(WebSessionRow.id_hash)
                .where(WebSessionRow.key_ref == session.key_ref)
                .order_by(WebSessionRow.created_at.desc(), WebSessionRow.id_hash)
                .offset(max_per_key)
            ).all()
            if older:
                s.execute(delete(WebSessionRow).where(WebSessionRow.id_hash.in_(older)))

    def get(self, id_hash: str) -> WebSession | None:
        """The live session, or None (never opened, signed out, its key revoked, expired)."""
        with self._session() as s:
            row = s.get(WebSessionRow, id_hash)
            if row is None or row.expires_at <= self._clock():
                return None
            return WebSession(row.csrf, row.label, row.key_ref, row.expires_at)

    def close(self, id_hash: str) -> None:
        with self._session.begin() as s:
            s.execute(delete(WebSessionRow).where(WebSessionRow.id_hash == id_hash))

    def close_for_key(self, key_ref: str) -> int:
        with self._session.begin() as s:
            result = s.execute(delete(WebSessionRow).where(WebSessionRow.key_ref == key_ref))
            return int(getattr(result, "rowcount", 0) or 0)
