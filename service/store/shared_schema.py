"""Tables of what every replica on one store shares instead of holding it in its own memory: API
keys, the moderator pages' sessions, records a page needs across requests (a check's result),
and secrets created once for all replicas. Change counters live in ``counters`` (``schema``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.store.schema import Base, utcnow


class ApiKeyRow(Base):
    """A key made with ``mirrorscan keys create`` or ``POST /v1/keys``: only its hash is kept.
    A revoked key keeps its row (``revoked_at``), so the audit log's labels stay explained."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # its first characters, to tell keys apart
    label: Mapped[str] = mapped_column(String(100))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WebSessionRow(Base):
    """A signed-in moderator. The cookie holds the session id; only its hash is kept here, so a
    copy of the store opens no session. Deleted at sign-out and when its key is revoked."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    csrf: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    key_ref: Mapped[str] = mapped_column(String(80), index=True)
    created_at: Mapped[float] = mapped_column(Float)  # epoch seconds
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class PageRecordRow(Base):
    """Something a page shows on a later request, on any replica (a check's result): JSON and
    an optional blob, for its owner only, until it expires; each kind is bounded in count."""

    __tablename__ = "page_records"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[float] = mapped_column(Float)  # epoch seconds
    expires_at: Mapped[float] = mapped_column(Float)
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    blob: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    __table_args__ = (
        Index("ix_page_records_kind_expires", "kind", "expires_at"),
        Index("ix_page_records_kind_created", "kind", "created_at"),
    )


class SecretRow(Base):
    """A random secret made once for all replicas (the session cookie's signing key)."""

    __tablename__ = "shared_secrets"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
