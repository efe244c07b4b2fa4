"""Tables of the bank: banned accounts with their derived signals, lookup keys for exact identity
and contact matches, an append-only audit log, and counters. The store is the source of truth;
every FAISS index is derived from it and can be rebuilt from it without re-encoding."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DEFAULT_BANK = "default"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class AccountRow(Base):
    __tablename__ = "accounts"

    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    platform: Mapped[str] = mapped_column(String(40), default="")
    handle: Mapped[str] = mapped_column(String(200), default="")
    display_name: Mapped[str] = mapped_column(Text, default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    group: Mapped[str | None] = mapped_column("group_name", String(200), nullable=True)
    avatar_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    # derived signals; vectors are float16, L2-normalised before rounding
    name_vec: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    bio_vec: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    avatar_vec: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    avatar_pdq: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # 8 x 32 bytes
    avatar_quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    avatar_thumb: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    encoder_version: Mapped[str] = mapped_column(String(200), default="")
    removed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # the named bank it belongs to (``service.store.banks``); added to older data dirs by
    # ``service.store.migrations`` with every existing account in the default bank
    bank: Mapped[str] = mapped_column(
        String(100), default=DEFAULT_BANK, server_default=DEFAULT_BANK, index=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, index=True)  # store-wide change counter
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KeyRow(Base):
    """Exact lookup keys of an account: ``handle:<h>``, ``platform-handle:<p>/<h>``,
    ``contact:<normalised link>``. A query profile's keys find candidates no vector would."""

    __tablename__ = "account_keys"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    row_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("accounts.row_id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_account_keys_row", "row_id"),)


class AuditRow(Base):
    """Append-only: triggers refuse UPDATE and DELETE, and each entry carries the hash of the
    one before it (see ``store.audit``). ``prev_hash``/``hash`` came after the table: older
    databases get them from ``store.migrations``."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject: Mapped[str] = mapped_column(String(400), default="")
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


class SchemaVersionRow(Base):
    """Which migration steps (``store.migrations``) this database has had, by name."""

    __tablename__ = "schema_version"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CounterRow(Base):
    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


ACTIVE_JOB = "status IN ('queued', 'running')"


class JobRow(Base):
    """Background work on the indexes (a rebuild), recorded so its progress can be polled and an
    interrupted one is visible. The partial unique index allows one active job per kind, across
    processes: a second insert while one is queued or running fails."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)  # queued|running|succeeded|failed
    done: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    params: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        Index(
            "uq_jobs_one_active_per_kind",
            "kind",
            unique=True,
            sqlite_where=text(ACTIVE_JOB),
            postgresql_where=text(ACTIVE_JOB),
        ),
    )


class SightingRow(Base):
    """A scored profile whose avatar was the same picture as a banned account's while its name
    did not resemble that account's: evidence that the picture is common in real traffic (a
    flag, an emblem). Only a hash of the profile's platform and handle is kept."""

    __tablename__ = "avatar_sightings"

    row_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the banned account's row
    profile_hash: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class QueueRow(Base):
    """A profile the API or a batch job put in ``review``, waiting for a moderator
    (``store.queue``): the profile as scored (no avatar bytes) and the verdict as shown. A claim
    is a conditional UPDATE, so two moderators never hold the same item."""

    __tablename__ = "review_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(10))  # api|batch|check
    profile_id: Mapped[str] = mapped_column(String(200), default="", index=True)
    profile: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    verdict: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    score: Mapped[float] = mapped_column(Float, index=True)
    band: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), index=True)  # waiting, claimed, decided
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claim_expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    skipped_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decision_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the audit entry
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
