"""The review queue's table (``QueueRow``): add, list, claim, release, decide, purge.

Every change of state is one conditional UPDATE whose row count says whether it happened, so
two moderators (or two replicas) racing for one item cannot both get it: the second finds the
row no longer ``waiting`` and changes nothing. A claim lapses at ``claim_expires``; a lapsed
claim can be taken by anyone, and its holder can no longer decide it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from service.store.schema import QueueRow, utcnow

Order = Literal["oldest", "highest"]
SOURCES = ("api", "batch", "check")


@dataclass(frozen=True, slots=True)
class NewItem:
    source: str
    profile: dict[str, Any]
    verdict: dict[str, Any]
    score: float
    band: str


@dataclass(frozen=True, slots=True)
class QueueItem:
    id: int
    source: str
    profile: dict[str, Any]
    verdict: dict[str, Any]
    score: float
    band: str
    state: str  # waiting, claimed (a lapsed claim reads "waiting"), decided
    claimed_by: str | None
    claim_expires: datetime | None
    skipped_by: str | None
    decision_seq: int | None
    created_at: datetime


class ReviewQueue:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._session = sessions

    def add(self, items: Sequence[NewItem], max_items: int) -> int:
        """Queue ``items`` while fewer than ``max_items`` are kept; returns how many were. A
        profile (by id) already waiting or claimed is not queued twice (a client scoring the
        same profile again)."""
        if not items:
            return 0
        with self._session.begin() as s:
            kept = int(s.execute(select(func.count()).select_from(QueueRow)).scalar_one())
            room = max(0, max_items - kept)
            ids = {str(i.profile.get("id") or "") for i in items} - {""}
            open_ = QueueRow.state.in_(("waiting", "claimed"))
            q = select(QueueRow.profile_id).where(QueueRow.profile_id.in_(ids), open_)
            seen = set(s.scalars(q)) if ids else set()
            fresh = []
            for i in items:
                pid = str(i.profile.get("id") or "")
                if pid:
                    if pid in seen:
                        continue
                    seen.add(pid)
                fresh.append(i)
            now = utcnow()
            rows = [
                QueueRow(source=i.source, profile_id=str(i.profile.get("id") or ""),
                         profile=i.profile, verdict=i.verdict, score=i.score, band=i.band,
                         state="waiting", created_at=now, updated_at=now)
                for i in fresh[:room]
            ]  # fmt: skip
            s.add_all(rows)
            return len(rows)

    def get(self, item_id: int) -> QueueItem | None:
        with self._session() as s:
            row = s.get(QueueRow, item_id)
            return None if row is None else _item(row)

    def waiting(self, order: Order = "oldest", limit: int = 50) -> list[QueueItem]:
        """Items anyone may claim (waiting, or with a lapsed claim), in ``order``."""
        with self._session() as s:
            q = select(QueueRow).where(_claimable(utcnow())).order_by(*_order(order)).limit(limit)
            return [_item(r) for r in s.scalars(q)]

    def held_by(self, who: str) -> list[QueueItem]:
        """The items ``who`` holds a live claim on, oldest claim first."""
        with self._session() as s:
            q = (
                select(QueueRow)
                .where(
                    QueueRow.state == "claimed",
                    QueueRow.claimed_by == who,
                    QueueRow.claim_expires >= utcnow(),
                )
                .order_by(QueueRow.id)
            )
            return [_item(r) for r in s.scalars(q)]

    def counts(self) -> dict[str, int]:
        with self._session() as s:
            q = select(QueueRow.state, func.count()).group_by(QueueRow.state)
            return {str(state): int(n) for state, n in s.execute(q)}

    def claim(self, item_id: int, who: str, ttl_s: float) -> bool:
        """Take the item for ``ttl_s`` seconds: True when it was free (or already ``who``'s),
        False when another moderator holds it or it was decided."""
        now = utcnow()
        mine = and_(QueueRow.state == "claimed", QueueRow.claimed_by == who)
        with self._session.begin() as s:
            done = s.execute(
                update(QueueRow)
                .where(QueueRow.id == item_id, or_(_claimable(now), mine))
                .values(
                    state="claimed",
                    claimed_by=who,
                    claim_expires=now + timedelta(seconds=ttl_s),
                    updated_at=now,
                )
            )
            return _count(done) == 1

    def claim_next(self, who: str, ttl_s: float, order: Order = "oldest") -> QueueItem | None:
        """Claim the first free item in ``order``, passing over those ``who`` skipped when
        others remain; None when none is free. Losing a race moves on to the next item."""
        for _ in range(20):
            with self._session() as s:
                q = select(QueueRow.id, QueueRow.skipped_by).where(_claimable(utcnow()))
                free = s.execute(q.order_by(*_order(order)).limit(20)).all()
            if not free:
                return None
            ids = [i for i, skipped in free if skipped != who] or [i for i, _ in free]
            for item_id in ids:
                if self.claim(item_id, who, ttl_s):
                    return self.get(item_id)
        return None

    def release(self, item_id: int, who: str) -> bool:
        """Give the item back (a skip): it waits again; ``who`` is passed over by ``claim_next``
        while others are waiting."""
        now = utcnow()
        with self._session.begin() as s:
            done = s.execute(
                update(QueueRow)
                .where(
                    QueueRow.id == item_id, QueueRow.state == "claimed", QueueRow.claimed_by == who
                )
                .values(
                    state="waiting",
                    claimed_by=None,
                    claim_expires=None,
                    skipped_by=who,
                    updated_at=now,
                )
            )
            return _count(done) == 1

    def settle(self, item_id: int, who: str) -> bool:
        """Mark the item decided, if ``who`` holds a live claim on it (else False)."""
        now = utcnow()
        with self._session.begin() as s:
            done = s.execute(
                update(QueueRow)
                .where(
                    QueueRow.id == item_id,
                    QueueRow.state == "claimed",
                    QueueRow.claimed_by == who,
                    QueueRow.claim_expires >= now,
                )
                .values(state="decided", claim_expires=None, updated_at=now)
            )
            return _count(done) == 1

    def unsettle(self, item_id: int, who: str, ttl_s: float) -> None:
        """Undo ``settle`` when the decision could not be recorded: ``who`` holds it again."""
        now = utcnow()
        with self._session.begin() as s:
            s.execute(
                update(QueueRow)
                .where(
                    QueueRow.id == item_id, QueueRow.state == "decided", QueueRow.claimed_by == who
                )
                .values(state="claimed", claim_expires=now + timedelta(seconds=ttl_s))
            )

    def note_decision(self, item_id: int, seq: int) -> None:
        with self._session.begin() as s:
            s.execute(update(QueueRow).where(QueueRow.id == item_id).values(decision_seq=seq))

    def purge(self, older_than_days: float) -> int:
        """Delete every item queued more than ``older_than_days`` ago, whatever its state."""
        cut = utcnow() - timedelta(days=older_than_days)
        with self._session.begin() as s:
            return _count(s.execute(delete(QueueRow).where(QueueRow.created_at < cut)))


def _claimable(now: datetime) -> ColumnElement[bool]:
    lapsed = and_(QueueRow.state == "claimed", QueueRow.claim_expires < now)
    return or_(QueueRow.state == "waiting", lapsed)


def _order(order: Order) -> tuple[Any, ...]:
    if order == "highest":
        return (QueueRow.score.desc(), QueueRow.id)
    return (QueueRow.id,)


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _aware(at: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for what was written as UTC."""
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


def _item(row: QueueRow) -> QueueItem:
    expires = _aware(row.claim_expires)
    lapsed = row.state == "claimed" and expires is not None and expires < utcnow()
    return QueueItem(
        id=row.id,
        source=row.source,
        profile=dict(row.profile or {}),
        verdict=dict(row.verdict or {}),
        score=float(row.score),
        band=row.band,
        state="waiting" if lapsed else row.state,
        claimed_by=None if lapsed else row.claimed_by,
        claim_expires=None if lapsed else expires,
        skipped_by=row.skipped_by,
        decision_seq=row.decision_seq,
        created_at=_aware(row.created_at) or utcnow(),
    )
