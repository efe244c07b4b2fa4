"""The bank of banned accounts (SQLAlchemy 2; SQLite by default, PostgreSQL by URL).

Every write bumps a store-wide change counter and stamps the rows it touched with it, so an index
snapshot built at counter N can catch up by replaying the rows with ``seq > N``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sqlalchemy import (
    Engine,
    delete,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from service.domain import Avatar, Features, Profile, StoredAccount, Vector
from service.store import counters, shared_schema  # noqa: F401  (shared_schema: its tables)
from service.store.audit import AuditLog, AuditNote, append_entry, append_only, ensure_counter
from service.store.banks import BankStore
from service.store.engine import open_engine
from service.store.exclusive import exclusive
from service.store.migrations import migrate
from service.store.outbox import Outbox
from service.store.schema import DEFAULT_BANK, AccountRow, Base, CounterRow, KeyRow, utcnow
from service.store.traffic import Sightings

PDQ_BYTES = 32
_MAX_ROW_ID = 2**62
Outcome = Literal["created", "updated", "unchanged", "restored"]


@dataclass(frozen=True, slots=True)
class Upsert:
    """One account to write, with what was derived from it."""

    profile: Profile
    features: Features
    keys: frozenset[str]
    content_hash: str
    encoder_version: str
    bank: str = DEFAULT_BANK


@dataclass(frozen=True, slots=True)
class Fingerprint:
    row_id: int
    content_hash: str
    encoder_version: str
    removed: bool
    bank: str = DEFAULT_BANK


@dataclass(frozen=True, slots=True)
class UpsertResult:
    id: str
    row_id: int
    outcome: Outcome


def vec_to_blob(vec: Vector | None) -> bytes | None:
    return None if vec is None else np.asarray(vec, dtype=np.float16).tobytes()


def blob_to_vec(blob: bytes | None) -> Vector | None:
    return None if blob is None else np.frombuffer(blob, dtype=np.float16).astype(np.float32)


class Store:
    def __init__(self, url: str, *, readonly: bool = False) -> None:
        self.url = url
        self.readonly = readonly
        self.engine: Engine = open_engine(url, readonly=readonly)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self.audit_log = AuditLog(self._session)  # who changed what (service.store.audit)
        self.banks = BankStore(self._session)  # named banks, provenance (service.store.banks)
        self.outbox = Outbox(self._session)  # webhooks and their events (service.store.outbox)
        self.sightings = Sightings(self._session)  # avatars seen in traffic (store.traffic)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """Sessions on this store's engine, for the other tables' repositories (jobs)."""
        return self._session

    def create_all(self) -> None:
        """Create what is missing (tables, migration steps of ``store.migrations``, the audit
        log's triggers, the counters); one process at a time, so two replicas starting together
        on one store do not race."""
        with exclusive(self.engine, "mirrorscan.schema"):
            Base.metadata.create_all(self.engine)
            migrate(self.engine)
            with self.engine.begin() as conn:
                append_only(conn)
                ensure_counter(conn)
                counters.ensure(conn)

    def close(self) -> None:
        self.engine.dispose()

    # --- accounts -------------------------------------------------------------------------

    def _next_seq(self, session: Session) -> int:
        # UPDATE takes the counter row's lock until commit, serialising concurrent writers.
        session.execute(
            update(CounterRow)
            .where(CounterRow.name == "accounts")
            .values(value=CounterRow.value + 1)
        )
        return int(
            session.scalar(select(CounterRow.value).where(CounterRow.name == "accounts")) or 0
        )

    def fingerprints(self, ids: Sequence[str]) -> dict[str, Fingerprint]:
        """What is stored for the ids already in the bank, to skip re-encoding unchanged ones."""
        out: dict[str, Fingerprint] = {}
        with self._session() as s:
            for chunk in _chunks(list(ids), 500):
                rows = s.execute(
                    select(
                        AccountRow.id,
                        AccountRow.row_id,
                        AccountRow.content_hash,
                        AccountRow.encoder_version,
                        AccountRow.removed,
                        AccountRow.bank,
                    ).where(AccountRow.id.in_(chunk))
                )
                for id_, row_id, h, v, r, b in rows:
                    out[id_] = Fingerprint(row_id, h, v, r, b)
        return out

    def upsert(
        self,
        items: Sequence[Upsert],
        audit: Callable[[list[UpsertResult]], AuditNote | None] | None = None,
    ) -> list[UpsertResult]:
        """Insert or replace accounts by id in one transaction; one result per item, in order
        (of repeated ids the last is written, and each gets its result). ``audit`` turns the
        results into the audit entry written in the same transaction: the accounts and the
        entry recording them are committed together or not at all."""
        order = [i.profile.id for i in items]
        items = list({i.profile.id: i for i in items}.values())
        results: list[UpsertResult] = []
        with self._session.begin() as s:
            seq = self._next_seq(s)
            existing = {
                r.id: r
                for chunk in _chunks([i.profile.id for i in items], 500)
                for r in s.scalars(select(AccountRow).where(AccountRow.id.in_(chunk)))
            }
            for item in items:
                row = existing.get(item.profile.id)
                if (
                    row is not None
                    and not row.removed
                    and row.bank == item.bank
                    and row.content_hash == item.content_hash
                    and row.encoder_version == item.encoder_version
                ):
                    results.append(UpsertResult(row.id, row.row_id, "unchanged"))
                    continue
                outcome: Outcome = "created"
                if row is None:
                    row = AccountRow(id=item.profile.id, created_at=utcnow())
                    s.add(row)
                else:
                    outcome = "restored" if row.removed else "updated"
                _fill(row, item, seq)
                s.flush()
                s.execute(delete(KeyRow).where(KeyRow.row_id == row.row_id))
                s.add_all(KeyRow(key=k, row_id=row.row_id) for k in sorted(item.keys))
                existing[item.profile.id] = row
                results.append(UpsertResult(row.id, row.row_id, outcome))
            by_id = {r.id: r for r in results}
            ordered = [by_id[i] for i in order]
            note = audit(ordered) if audit is not None else None
            if note is not None:
                append_entry(s, note)
        return ordered

    def remove_bank(self, bank: str) -> list[int]:
        """Mark every active account of ``bank`` removed in one change; their row ids."""
        with self._session.begin() as s:
            rows = list(
                s.scalars(
                    select(AccountRow).where(AccountRow.bank == bank, AccountRow.removed.is_(False))
                )
            )
            if not rows:
                return []
            seq, now = self._next_seq(s), utcnow()
            for row in rows:
                row.removed, row.seq, row.updated_at = True, seq, now
            ids = [r.row_id for r in rows]
            for chunk in _chunks(ids, 500):
                s.execute(delete(KeyRow).where(KeyRow.row_id.in_(chunk)))
            return ids

    def banks_of(self, row_ids: Iterable[int]) -> dict[int, str]:
        """row id -> bank of the active accounts among ``row_ids`` (two columns read, no
        vectors: what the bank filter of a request costs)."""
        out: dict[int, str] = {}
        with self._session() as s:
            for chunk in _chunks(sorted(set(row_ids)), 500):
                q = select(AccountRow.row_id, AccountRow.bank).where(
                    AccountRow.row_id.in_(chunk), AccountRow.removed.is_(False)
                )
                out.update((int(r), str(b)) for r, b in s.execute(q))
        return out

    def remove(self, account_id: str, audit: AuditNote | None = None) -> int | None:
        """Mark an account removed (with its audit entry, in the same transaction); returns its
        row id, or None when absent or already removed (nothing is written then)."""
        with self._session.begin() as s:
            row = s.scalar(select(AccountRow).where(AccountRow.id == account_id))
            if row is None or row.removed:
                return None
            row.removed = True
            row.seq = self._next_seq(s)
            row.updated_at = utcnow()
            s.execute(delete(KeyRow).where(KeyRow.row_id == row.row_id))
            if audit is not None:
                append_entry(s, audit)
            return row.row_id

    def get(self, account_id: str) -> StoredAccount | None:
        with self._session() as s:
            row = s.scalar(select(AccountRow).where(AccountRow.id == account_id))
            return None if row is None else _to_account(row)

    def get_rows(self, row_ids: Iterable[int]) -> dict[int, StoredAccount]:
        out: dict[int, StoredAccount] = {}
        with self._session() as s:
            for chunk in _chunks(sorted(set(row_ids)), 500):
                for row in s.scalars(select(AccountRow).where(AccountRow.row_id.in_(chunk))):
                    out[row.row_id] = _to_account(row)
        return out

    def rows_for_keys(self, keys: Iterable[str]) -> dict[int, set[str]]:
        """row id -> the given keys it shares (active accounts only)."""
        out: dict[int, set[str]] = {}
        with self._session() as s:
            for chunk in _chunks(sorted(set(keys)), 500):
                for key, row_id in s.execute(
                    select(KeyRow.key, KeyRow.row_id).where(KeyRow.key.in_(chunk))
                ):
                    out.setdefault(row_id, set()).add(key)
        return out

    def count(self, *, include_removed: bool = False, bank: str | None = None) -> int:
        with self._session() as s:
            q = select(func.count()).select_from(AccountRow)
            if bank is not None:
                q = q.where(AccountRow.bank == bank)
            if not include_removed:
                q = q.where(AccountRow.removed.is_(False))
            return int(s.scalar(q) or 0)

    def max_seq(self) -> int:
        with self._session() as s:
            return int(s.scalar(select(CounterRow.value).where(CounterRow.name == "accounts")) or 0)

    def iter_accounts(
        self,
        *,
        since_seq: int = 0,
        batch: int = 1000,
        include_removed: bool = False,
        bank: str | None = None,
    ) -> Iterator[list[StoredAccount]]:
        """Accounts in row order, in batches (keyset pagination: bounded memory)."""
        last = 0
        while True:
            with self._session() as s:
                q = (
                    select(AccountRow)
                    .where(AccountRow.row_id > last, AccountRow.seq > since_seq)
                    .order_by(AccountRow.row_id)
                    .limit(batch)
                )
                if bank is not None:
                    q = q.where(AccountRow.bank == bank)
                if not include_removed:
                    q = q.where(AccountRow.removed.is_(False))
                rows = list(s.scalars(q))
            if not rows:
                return
            last = rows[-1].row_id
            yield [_to_account(r) for r in rows]

    def iter_changes(self, since_seq: int, *, batch: int = 1000) -> Iterator[list[StoredAccount]]:
        """Accounts changed after ``since_seq`` (removed ones included), in change order, in
        batches. Keyset pagination on (seq, row id) walks the seq index, so catching up on a
        few changes costs a few rows however large the bank is."""
        last = (since_seq, _MAX_ROW_ID)  # (seq, row) > (since, max) <=> seq > since
        while True:
            with self._session() as s:
                q = (
                    select(AccountRow)
                    .where(tuple_(AccountRow.seq, AccountRow.row_id) > tuple_(*last))
                    .order_by(AccountRow.seq, AccountRow.row_id)
                    .limit(batch)
                )
                rows = list(s.scalars(q))
            if not rows:
                return
            last = (rows[-1].seq, rows[-1].row_id)
            yield [_to_account(r) for r in rows]

    def count_stale(self, encoder_version: str) -> int:
        """Active accounts whose vectors were not made by ``encoder_version`` (a model change)."""
        with self._session() as s:
            q = select(func.count()).select_from(AccountRow).where(_stale(encoder_version))
            return int(s.scalar(q) or 0)

    def iter_stale(
        self, encoder_version: str, *, batch: int = 256
    ) -> Iterator[list[StoredAccount]]:
        """Stale active accounts in row order, in batches (keyset pagination)."""
        last = 0
        while True:
            with self._session() as s:
                q = (
                    select(AccountRow)
                    .where(AccountRow.row_id > last, _stale(encoder_version))
                    .order_by(AccountRow.row_id)
                    .limit(batch)
                )
                rows = list(s.scalars(q))
            if not rows:
                return
            last = rows[-1].row_id
            yield [_to_account(r) for r in rows]

    def replace_features(self, items: Sequence[tuple[int, Features, str]]) -> int:
        """Store re-encoded vectors (row id, features, encoder version) in one transaction with
        one change number; fields, keys and content hashes stay. Returns how many rows changed
        (a row removed meanwhile is left alone)."""
        if not items:
            return 0
        changed = 0
        with self._session.begin() as s:
            seq = self._next_seq(s)
            rows = {
                r.row_id: r
                for chunk in _chunks([row_id for row_id, _, _ in items], 500)
                for r in s.scalars(select(AccountRow).where(AccountRow.row_id.in_(chunk)))
            }
            for row_id, features, version in items:
                row = rows.get(row_id)
                if row is None or row.removed:
                    continue
                _fill_features(row, features)
                row.encoder_version = version
                row.seq = seq
                row.updated_at = utcnow()
                changed += 1
        return changed

    def search_text(
        self, query: str, *, limit: int = 50, offset: int = 0, bank: str | None = None
    ) -> list[StoredAccount]:
        """Active accounts whose id, handle, display name or group contains ``query``."""
        pattern = f"%{_escape_like(query.strip())}%"
        with self._session() as s:
            q = select(AccountRow).where(AccountRow.removed.is_(False))
            if bank:
                q = q.where(AccountRow.bank == bank)
            if query.strip():
                q = q.where(
                    AccountRow.id.ilike(pattern, escape="\\")
                    | AccountRow.handle.ilike(pattern, escape="\\")
                    | AccountRow.display_name.ilike(pattern, escape="\\")
                    | AccountRow.group.ilike(pattern, escape="\\")
                )
            q = q.order_by(AccountRow.updated_at.desc()).offset(offset).limit(limit)
            return [_to_account(r) for r in s.scalars(q)]

    def thumbnail(self, account_id: str) -> bytes | None:
        with self._session() as s:
            return s.scalar(select(AccountRow.avatar_thumb).where(AccountRow.id == account_id))


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _fill(row: AccountRow, item: Upsert, seq: int) -> None:
    p, f = item.profile, item.features
    row.platform, row.handle, row.display_name, row.bio = (
        p.platform,
        p.handle,
        p.display_name,
        p.bio,
    )
    row.links = list(p.links)
    row.group = p.group
    row.avatar_url = p.avatar_url
    row.bank = item.bank
    _fill_features(row, f)
    row.content_hash = item.content_hash
    row.encoder_version = item.encoder_version
    row.removed = False
    row.seq = seq
    row.updated_at = utcnow()


def _fill_features(row: AccountRow, f: Features) -> None:
    row.name_vec = vec_to_blob(f.name_vec)
    row.bio_vec = vec_to_blob(f.bio_vec)
    avatar = f.avatar
    row.avatar_vec = vec_to_blob(avatar.embedding) if avatar else None
    row.avatar_pdq = b"".join(avatar.pdq) if avatar else None
    row.avatar_quality = avatar.pdq_quality if avatar else None
    row.avatar_thumb = avatar.thumbnail if avatar else None


def _stale(encoder_version: str) -> Any:
    """Active rows whose vectors ``encoder_version`` did not make (a suffix such as ``|thumb``
    marks vectors the same encoders derived another way, which count as current)."""
    pattern = _escape_like(encoder_version) + "|%"
    current = (AccountRow.encoder_version == encoder_version) | AccountRow.encoder_version.like(
        pattern, escape="\\"
    )
    return AccountRow.removed.is_(False) & ~current


def _to_account(row: AccountRow) -> StoredAccount:
    profile = Profile(
        id=row.id,
        platform=row.platform,
        handle=row.handle,
        display_name=row.display_name,
        bio=row.bio,
        links=tuple(row.links or ()),
        avatar_url=row.avatar_url,
        group=row.group,
    )
    avatar = None
    if row.avatar_pdq is not None:
        pdq = tuple(
            row.avatar_pdq[i : i + PDQ_BYTES] for i in range(0, len(row.avatar_pdq), PDQ_BYTES)
        )
        avatar = Avatar(
            pdq=pdq,
            pdq_quality=int(row.avatar_quality or 0),
            embedding=blob_to_vec(row.avatar_vec),
            thumbnail=row.avatar_thumb or b"",
        )
    features = Features(
        name_vec=blob_to_vec(row.name_vec), bio_vec=blob_to_vec(row.bio_vec), avatar=avatar
    )
    return StoredAccount(row_id=row.row_id, profile=profile, features=features,
                         removed=row.removed, bank=row.bank,
                         encoder_version=row.encoder_version)  # fmt: skip
