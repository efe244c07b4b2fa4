"""Named banks: every account belongs to one (``pk-proscribed``, ``platform-own``,
``partner-…``), of kind ``banned`` (what a profile is matched against) or ``allow`` (official
accounts of parties, state bodies, outlets, researchers: a profile that is one, or resembles one
better than any banned account, is not blocked). A bank can be disabled without losing its
accounts. Also kept here: where an imported account came from (provenance) and how far a
partner's export was pulled (its cursor)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Boolean, DateTime, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from service.domain import BANK_NAME
from service.errors import Conflict, InvalidInput, NotFound
from service.store.schema import DEFAULT_BANK, AccountRow, Base, utcnow

Kind = Literal["banned", "allow"]
KINDS: tuple[Kind, ...] = ("banned", "allow")
_NAME = re.compile(BANK_NAME)


class BankRow(Base):
    __tablename__ = "banks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="banned")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProvenanceRow(Base):
    """Where an account came from when it was imported from another system."""

    __tablename__ = "account_provenance"

    account_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    source: Mapped[str] = mapped_column(Text, default="")
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExchangeCursorRow(Base):
    """How far a partner's export was pulled (the cursor its last answer named)."""

    __tablename__ = "exchange_cursors"

    source: Mapped[str] = mapped_column(String(2000), primary_key=True)
    bank: Mapped[str] = mapped_column(String(100))
    cursor: Mapped[str] = mapped_column(String(200), default="")
    pulled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True, slots=True)
class Bank:
    name: str
    kind: Kind
    enabled: bool
    description: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BankStats:
    bank: Bank
    accounts: int
    removed: int
    with_avatar: int
    platforms: dict[str, int]
    groups: int
    last_change: datetime | None


@dataclass(frozen=True, slots=True)
class Provenance:
    source: str
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class BankScope:
    """Which banks one scoring request reads: the ``banned`` banks it is matched against and the
    ``allow`` banks that can overrule a block. ``complete``: no account of the store is outside
    it (no filtering needed)."""

    banned: frozenset[str]
    allow: frozenset[str] = frozenset()
    complete: bool = False
    fraction: float = 1.0  # share of the store's active accounts inside the scope (for k)

    @property
    def banks(self) -> frozenset[str]:
        return self.banned | self.allow

    def names(self) -> list[str]:
        return sorted(self.banned)


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InvalidInput(
            f"bank name {name[:80]!r}: 1 to 64 characters, lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    return name


def check_kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise InvalidInput(f"bank kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return kind


class BankStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._session = sessions

    # --- the banks ------------------------------------------------------------------------

    def list(self) -> list[Bank]:
        with self._session() as s:
            return [_to_bank(r) for r in s.scalars(select(BankRow).order_by(BankRow.name))]

    def get(self, name: str) -> Bank | None:
        with self._session() as s:
            row = s.get(BankRow, name)
            return None if row is None else _to_bank(row)

    def require(self, name: str) -> Bank:
        bank = self.get(name)
        if bank is None:
            raise NotFound(f"there is no bank named {name[:80]!r}")
        return bank

    def create(self, name: str, kind: str, description: str = "", enabled: bool = True) -> Bank:
        check_name(name)
        kind = check_kind(kind)
        with self._session.begin() as s:
            if s.get(BankRow, name) is not None:
                raise Conflict(f"a bank named {name!r} already exists")
            now = utcnow()
            row = BankRow(name=name, kind=kind, enabled=enabled, description=description[:2000],
                          created_at=now, updated_at=now)  # fmt: skip
            s.add(row)
            s.flush()
            return _to_bank(row)

    def update(
        self, name: str, *, enabled: bool | None = None, description: str | None = None
    ) -> Bank:
        with self._session.begin() as s:
            row = s.get(BankRow, name)
            if row is None:
                raise NotFound(f"there is no bank named {name[:80]!r}")
            if enabled is not None:
                row.enabled = enabled
            if description is not None:
                row.description = description[:2000]
            row.updated_at = utcnow()
            s.flush()
            return _to_bank(row)

    def delete(self, name: str) -> None:
        """Forget the bank itself; its accounts must already be removed."""
        with self._session.begin() as s:
            active = s.scalar(
                select(func.count())
                .select_from(AccountRow)
                .where(AccountRow.bank == name, AccountRow.removed.is_(False))
            )
            if active:
                raise Conflict(f"bank {name!r} still holds {active} accounts")
            s.execute(delete(BankRow).where(BankRow.name == name))

    # --- what a request reads -------------------------------------------------------------

    def scope(self, names: Sequence[str] | None, sizes: dict[str, int]) -> BankScope:
        """The scope of a scoring request: the named ``banned`` banks (any state; an unknown
        or allow-list name is refused), else every enabled ``banned`` bank; always every
        enabled ``allow`` bank. ``sizes``: active accounts per bank (``sizes()``)."""
        banks = {b.name: b for b in self.list()}
        if names:
            for name in names:
                bank = banks.get(name)
                if bank is None:
                    raise InvalidInput(f"there is no bank named {name[:80]!r}")
                if bank.kind != "banned":
                    raise InvalidInput(
                        f"bank {name!r} is an allow list: name banned-account banks in 'banks' "
                        "(enabled allow lists are always consulted)"
                    )
            banned = frozenset(names)
        else:
            banned = frozenset(b.name for b in banks.values() if b.kind == "banned" and b.enabled)
        allow = frozenset(b.name for b in banks.values() if b.kind == "allow" and b.enabled)
        inside = banned | allow
        total = sum(sizes.values())
        within = sum(n for bank, n in sizes.items() if bank in inside)
        # from the banks themselves (read now), never from ``sizes`` (which may be a few
        # seconds old): an account of a bank out of scope is never matched
        complete = all(name in inside for name in banks) and all(b in inside for b in sizes)
        return BankScope(banned, allow, complete, within / total if total else 1.0)

    def sizes(self) -> dict[str, int]:
        """Active accounts per bank (one grouped count over the bank index)."""
        with self._session() as s:
            q = (
                select(AccountRow.bank, func.count())
                .where(AccountRow.removed.is_(False))
                .group_by(AccountRow.bank)
            )
            return {str(bank): int(n) for bank, n in s.execute(q)}

    def stats(self, name: str) -> BankStats:
        bank = self.require(name)
        with self._session() as s:

            def count(*where: object) -> int:
                q = select(func.count()).select_from(AccountRow).where(AccountRow.bank == name)
                return int(s.scalar(q.where(*where)) or 0)  # type: ignore[arg-type]

            active = AccountRow.removed.is_(False)
            platforms = {
                str(p or ""): int(n)
                for p, n in s.execute(
                    select(AccountRow.platform, func.count())
                    .where(AccountRow.bank == name, active)
                    .group_by(AccountRow.platform)
                )
            }
            groups = s.scalar(
                select(func.count(func.distinct(AccountRow.group))).where(
                    AccountRow.bank == name, active
                )
            )
            last = s.scalar(select(func.max(AccountRow.updated_at)).where(AccountRow.bank == name))
            return BankStats(
                bank,
                accounts=count(active),
                removed=count(AccountRow.removed.is_(True)),
                with_avatar=count(active, AccountRow.avatar_pdq.is_not(None)),
                platforms=platforms,
                groups=int(groups or 0),
                last_change=last,
            )

    # --- provenance and cursors -------------------------------------------------------------

    def record_provenance(self, account_ids: Iterable[str], source: str, at: datetime) -> None:
        ids = sorted(set(account_ids))
        if not ids:
            return
        with self._session.begin() as s:
            existing = {
                r.account_id: r
                for r in s.scalars(select(ProvenanceRow).where(ProvenanceRow.account_id.in_(ids)))
            }
            for account_id in ids:
                row = existing.get(account_id)
                if row is None:
                    s.add(ProvenanceRow(account_id=account_id, source=source, fetched_at=at))
                else:
                    row.source, row.fetched_at = source, at

    def provenance(self, account_id: str) -> Provenance | None:
        with self._session() as s:
            row = s.get(ProvenanceRow, account_id)
            return None if row is None else Provenance(row.source, _utc(row.fetched_at))

    def cursor(self, source: str) -> str | None:
        with self._session() as s:
            row = s.get(ExchangeCursorRow, source)
            return row.cursor if row is not None and row.cursor else None

    def save_cursor(self, source: str, bank: str, cursor: str) -> None:
        with self._session.begin() as s:
            row = s.get(ExchangeCursorRow, source)
            if row is None:
                s.add(ExchangeCursorRow(source=source, bank=bank, cursor=cursor,
                                        pulled_at=utcnow()))  # fmt: skip
            else:
                row.bank, row.cursor, row.pulled_at = bank, cursor, utcnow()


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _to_bank(row: BankRow) -> Bank:
    return Bank(row.name, check_kind(row.kind), bool(row.enabled), row.description or "",
                _utc(row.created_at))  # fmt: skip


__all__ = ["DEFAULT_BANK", "KINDS", "Bank", "BankScope", "BankStats", "BankStore", "Kind",
           "Provenance", "check_kind", "check_name"]  # fmt: skip
