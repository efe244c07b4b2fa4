"""Webhook subscriptions and the persistent outbox their events are delivered from.

An event is written once (``webhook_events``) with one delivery per subscribed webhook
(``webhook_deliveries``: pending → delivered, or dead after the last retry); every attempt is
logged (``webhook_attempts``). A sender claims a due delivery with a lease (a conditional
UPDATE), so two processes never send the same delivery at once, and a delivery whose sender
died is claimed again when its lease runs out: delivery is at least once, and a receiver tells
duplicates by the event id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from service.store.schema import Base, utcnow

DeliveryStatus = Literal["pending", "delivered", "dead", "cancelled"]


class WebhookRow(Base):
    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    # needed in clear to sign (HMAC); never returned by the API
    secret: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EventRow(Base):
    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DeliveryRow(Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), ForeignKey("webhook_events.id"))
    webhook_id: Mapped[str] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_at"),)


class AttemptRow(Base):
    """The delivery log: one row per attempt."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    url: str
    events: tuple[str, ...]
    active: bool
    created_by: str
    created_at: datetime
    secret: str = ""

    def public(self) -> Webhook:
        """Without the secret."""
        return Webhook(self.id, self.url, self.events, self.active, self.created_by,
                       self.created_at)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Due:
    """A claimed delivery: what to send, where, and with which secret."""

    delivery_id: int
    attempts: int
    event_id: str
    type: str
    payload: dict[str, Any]
    created_at: datetime
    url: str
    secret: str


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    event_id: str
    type: str
    status: str
    attempts: int
    next_at: datetime
    last_status: int | None
    last_error: str
    delivered_at: datetime | None


class Outbox:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._session = sessions

    # --- subscriptions --------------------------------------------------------------------

    def subscribe(self, url: str, secret: str, events: list[str], actor: str) -> Webhook:
        row = WebhookRow(id=str(uuid.uuid4()), url=url, secret=secret, events=sorted(set(events)),
                         active=True, created_by=actor, created_at=utcnow())  # fmt: skip
        with self._session.begin() as s:
            s.add(row)
        return _to_webhook(row)

    def webhooks(self, *, active_only: bool = True) -> list[Webhook]:
        with self._session() as s:
            q = select(WebhookRow).order_by(WebhookRow.created_at)
            if active_only:
                q = q.where(WebhookRow.active.is_(True))
            return [_to_webhook(r) for r in s.scalars(q)]

    def webhook(self, webhook_id: str) -> Webhook | None:
        with self._session() as s:
            row = s.get(WebhookRow, webhook_id)
            return None if row is None or not row.active else _to_webhook(row)

    def unsubscribe(self, webhook_id: str) -> bool:
        """Deactivate it and cancel what it has pending (the log stays)."""
        with self._session.begin() as s:
            row = s.get(WebhookRow, webhook_id)
            if row is None or not row.active:
                return False
            row.active = False
            s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.webhook_id == webhook_id, DeliveryRow.status == "pending")
                .values(status="cancelled", last_error="the subscription was removed")
            )
            return True

    # --- events -----------------------------------------------------------------------------

    def enqueue(self, type_: str, payload: dict[str, Any]) -> str | None:
        """Write an event and a delivery per subscribed webhook in one transaction; its id, or
        None when nobody subscribes to it (nothing is written)."""
        with self._session.begin() as s:
            hooks = [
                h
                for h in s.scalars(select(WebhookRow).where(WebhookRow.active.is_(True)))
                if type_ in (h.events or [])
            ]
            if not hooks:
                return None
            now = utcnow()
            event = EventRow(id=str(uuid.uuid4()), type=type_, payload=payload, created_at=now)
            s.add(event)
            s.flush()
            s.add_all(DeliveryRow(event_id=event.id, webhook_id=h.id, status="pending",
                                  attempts=0, next_at=now) for h in hooks)  # fmt: skip
            return event.id

    def claim(self, now: datetime, limit: int, lease_s: float) -> list[Due]:
        """Due pending deliveries, each leased to this caller for ``lease_s``."""
        claimed: list[Due] = []
        lease = now + timedelta(seconds=lease_s)
        free = or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < now)
        with self._session() as s:
            ids = list(
                s.scalars(
                    select(DeliveryRow.id)
                    .where(DeliveryRow.status == "pending", DeliveryRow.next_at <= now, free)
                    .order_by(DeliveryRow.next_at, DeliveryRow.id)
                    .limit(limit)
                )
            )
        for delivery_id in ids:
            with self._session.begin() as s:
                won = cast(
                    CursorResult[Any],
                    s.execute(
                        update(DeliveryRow)
                        .where(DeliveryRow.id == delivery_id, DeliveryRow.status == "pending", free)
                        .values(lease_until=lease)
                    ),
                ).rowcount
                if not won:
                    continue  # another sender has it
                row = s.get(DeliveryRow, delivery_id)
                assert row is not None
                event = s.get(EventRow, row.event_id)
                hook = s.get(WebhookRow, row.webhook_id)
                if event is None or hook is None or not hook.active:
                    row.status = "cancelled"
                    continue
                claimed.append(Due(row.id, row.attempts, event.id, event.type,
                                   dict(event.payload or {}), _utc(event.created_at), hook.url,
                                   hook.secret))  # fmt: skip
        return claimed

    def record(
        self,
        delivery_id: int,
        *,
        ok: bool,
        status_code: int | None,
        error: str,
        duration_ms: float,
        retry_at: datetime | None,
    ) -> None:
        """Log an attempt and move the delivery on: delivered, pending until ``retry_at``, or
        dead (``retry_at`` None after a failure)."""
        now = utcnow()
        with self._session.begin() as s:
            s.add(AttemptRow(delivery_id=delivery_id, at=now, status_code=status_code,
                             error=error[:2000], duration_ms=duration_ms))  # fmt: skip
            row = s.get(DeliveryRow, delivery_id)
            if row is None or row.status != "pending":
                return
            row.attempts += 1
            row.last_status, row.last_error, row.lease_until = status_code, error[:2000], None
            if ok:
                row.status, row.delivered_at = "delivered", now
            elif retry_at is None:
                row.status = "dead"
            else:
                row.next_at = retry_at

    # --- reading the log --------------------------------------------------------------------

    def deliveries(
        self, webhook_id: str, *, status: str | None = None, limit: int = 100
    ) -> list[Delivery]:
        with self._session() as s:
            q = (
                select(DeliveryRow, EventRow.type)
                .join(EventRow, EventRow.id == DeliveryRow.event_id)
                .where(DeliveryRow.webhook_id == webhook_id)
                .order_by(DeliveryRow.id.desc())
                .limit(limit)
            )
            if status:
                q = q.where(DeliveryRow.status == status)
            return [
                Delivery(
                    d.id,
                    d.event_id,
                    t,
                    d.status,
                    d.attempts,
                    _utc(d.next_at),
                    d.last_status,
                    d.last_error,
                    _utc(d.delivered_at) if d.delivered_at else None,
                )  # fmt: skip
                for d, t in s.execute(q)
            ]

    def counts(self, webhook_id: str | None = None) -> dict[str, int]:
        """Deliveries by status (of one webhook, or all)."""
        with self._session() as s:
            q = select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
            if webhook_id is not None:
                q = q.where(DeliveryRow.webhook_id == webhook_id)
            return {str(k): int(v) for k, v in s.execute(q)}

    def attempts(self, webhook_id: str | None = None) -> int:
        with self._session() as s:
            q = select(func.count()).select_from(AttemptRow)
            if webhook_id is not None:
                q = q.join(DeliveryRow, DeliveryRow.id == AttemptRow.delivery_id).where(
                    DeliveryRow.webhook_id == webhook_id
                )
            return int(s.scalar(q) or 0)

    def event_ids(self) -> list[str]:
        with self._session() as s:
            return list(s.scalars(select(EventRow.id).order_by(EventRow.created_at)))


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _to_webhook(row: WebhookRow) -> Webhook:
    return Webhook(row.id, row.url, tuple(row.events or ()), bool(row.active), row.created_by,
                   _utc(row.created_at), row.secret)  # fmt: skip
