"""API keys kept in the store, so that every replica knows them: created, listed and revoked
through ``mirrorscan keys`` or ``/v1/keys``. Only hashes are kept. Each change bumps the ``keys``
counter in its transaction; replicas reload the ring when it moves. Revoking a key also ends the
moderator sessions it opened, in the same transaction, and a change's audit entry is written in
it too (a full disk leaves neither)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from service.store import counters
from service.store.audit import AuditNote, append_entry
from service.store.schema import utcnow
from service.store.shared_schema import ApiKeyRow, WebSessionRow


@dataclass(frozen=True, slots=True)
class StoredKey:
    id: str
    prefix: str
    label: str
    scopes: tuple[str, ...]
    created_by: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiKeys:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._session = sessions

    def create(
        self,
        *,
        key_hash: str,
        prefix: str,
        label: str,
        scopes: list[str],
        created_by: str,
        audit: Callable[[StoredKey], AuditNote] | None = None,
    ) -> StoredKey:
        """A new key; ``audit`` makes the entry recording it, appended in the same
        transaction."""
        with self._session.begin() as s:
            row = ApiKeyRow(
                id=secrets.token_hex(8),
                key_hash=key_hash,
                prefix=prefix,
                label=label,
                scopes=list(scopes),
                created_by=created_by,
                created_at=utcnow(),
            )
            s.add(row)
            counters.bump(s, counters.KEYS)
            s.flush()
            return _audited(s, _to_key(row), audit)

    def get(self, key_id: str) -> StoredKey | None:
        with self._session() as s:
            row = s.get(ApiKeyRow, key_id)
            return None if row is None else _to_key(row)

    def listed(self, *, include_revoked: bool = False) -> list[StoredKey]:
        with self._session() as s:
            q = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)
            if not include_revoked:
                q = q.where(ApiKeyRow.revoked_at.is_(None))
            return [_to_key(r) for r in s.scalars(q)]

    def revoke(
        self, key_id: str, audit: Callable[[StoredKey], AuditNote] | None = None
    ) -> StoredKey | None:
        """Revoke an active key and end its sessions (``audit``'s entry in the same
        transaction); None when there is no such active key."""
        with self._session.begin() as s:
            row = s.get(ApiKeyRow, key_id, with_for_update=True)
            if row is None or row.revoked_at is not None:
                return None
            row.revoked_at = utcnow()
            s.execute(delete(WebSessionRow).where(WebSessionRow.key_ref == key_id))
            counters.bump(s, counters.KEYS)
            s.flush()
            return _audited(s, _to_key(row), audit)

    def active_hashes(self) -> list[tuple[str, StoredKey]]:
        """(hash, key) of every active key: what the key ring is made of."""
        with self._session() as s:
            rows = s.scalars(select(ApiKeyRow).where(ApiKeyRow.revoked_at.is_(None)))
            return [(r.key_hash, _to_key(r)) for r in rows]

    def count_active(self) -> int:
        return len(self.listed())


def _audited(
    session: Session, key: StoredKey, audit: Callable[[StoredKey], AuditNote] | None
) -> StoredKey:
    if audit is not None:
        append_entry(session, audit(key))
    return key


def _to_key(row: ApiKeyRow) -> StoredKey:
    return StoredKey(
        id=row.id,
        prefix=row.prefix,
        label=row.label,
        scopes=tuple(row.scopes or ()),
        created_by=row.created_by,
        created_at=_utc(row.created_at),
        revoked_at=None if row.revoked_at is None else _utc(row.revoked_at),
    )


def _utc(at: datetime) -> datetime:
    """SQLite hands back naive datetimes for what was written as UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)
