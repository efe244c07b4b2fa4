"""The audit log for admins: entries filtered by action, actor and time, and CSV / JSON Lines
exports of it or of the decisions, each carrying the audit chain's head hash."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, Field

from service.api.deps import Admin, PipelineDep, RuntimeDep
from service.domain import MAX_SEQ
from service.store.audit_query import AuditFilter, chain_head
from service.usecases import audit

router = APIRouter(prefix="/v1/audit", tags=["audit"])

Actions = Annotated[
    list[str] | None,
    Query(alias="action", description="an action (repeat or comma-separate; 'bank.*' for all "
          "bank actions): decision, account.put, account.remove, account.bulk, bank.create, "
          "bank.enable, bank.disable, bank.remove, bank.import, exchange.pull, webhook.create, "
          "webhook.delete"),
]  # fmt: skip
Actor = Annotated[str | None, Query(max_length=200, description="e.g. key:1a2b3c4d")]
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?")


def _iso_only(value: Any) -> Any:
    """An ISO 8601 time, as documented; not a number read as Unix seconds."""
    if isinstance(value, str) and not _ISO.fullmatch(value):
        raise ValueError("must be an ISO 8601 date-time")
    return value


Since = Annotated[datetime | None, BeforeValidator(_iso_only),
                  Query(description="from this time (ISO 8601), inclusive")]  # fmt: skip
Until = Annotated[datetime | None, BeforeValidator(_iso_only),
                  Query(description="before this time, exclusive")]  # fmt: skip
EXPORT_TYPES = {"text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}}}  # fmt: skip


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    payload: dict[str, Any]


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next_before: int | None = Field(description="pass as ?before= for the next (older) page")
    chain_head: str | None = Field(
        description="the audit chain's head as SEQ:HASH, for `mirrorscan doctor --audit-anchor` "
        "(null: an empty log)"
    )


def _filter(actions: list[str] | None, actor: str | None, since: datetime | None,
            until: datetime | None) -> AuditFilter:  # fmt: skip
    names = tuple(a.strip() for v in actions or () for a in v.split(",") if a.strip())
    return AuditFilter(names, actor, since, until)


@router.get("", response_model=AuditPage, summary="Audit entries, newest first")
async def list_entries(
    runtime: RuntimeDep,
    pipeline: PipelineDep,
    _caller: Admin,
    action: Actions = None,
    actor: Actor = None,
    since: Since = None,
    until: Until = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    f = _filter(action, actor, since, until)
    found = await runtime.run(audit.entries, pipeline.store, f, before_seq=before, limit=limit)
    head = await runtime.run(chain_head, pipeline.store.audit_log)
    return AuditPage(
        entries=[AuditEntryOut(seq=e.seq, at=e.at, actor=e.actor, action=e.action,
                               subject=e.subject, payload=e.payload) for e in found],
        next_before=found[-1].seq if len(found) == limit else None,
        chain_head=head,
    )  # fmt: skip


@router.get(
    "/export",
    summary="Export audit entries or decisions (CSV, JSON Lines)",
    response_class=Response,
    responses={200: {"description": "the export", "content": EXPORT_TYPES}},
)
async def export(
    runtime: RuntimeDep,
    pipeline: PipelineDep,
    _caller: Admin,
    format: Annotated[Literal["csv", "jsonl"], Query()] = "jsonl",
    what: Annotated[Literal["audit", "decisions"], Query()] = "audit",
    action: Actions = None,
    actor: Actor = None,
    since: Since = None,
    until: Until = None,
) -> Response:
    """JSON Lines: a first ``{"meta": {...}}`` line, then one entry per line. CSV: a first
    ``# mirrorscan {...}`` comment line with the same header, then the table. The header (and
    ``X-Mirrorscan-Audit-Head``) carries the audit chain's head hash."""
    buf = io.StringIO()
    meta = await runtime.run(audit.export, pipeline.store, buf, format, what,
                             _filter(action, actor, since, until))  # fmt: skip
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    headers = {
        "Content-Disposition": f'attachment; filename="mirrorscan-{what}.{format}"',
        "X-Mirrorscan-Audit-Head": str(meta["chain_head"] or ""),
        "X-Mirrorscan-Entries": str(meta["entries"]),
    }
    return Response(buf.getvalue(), media_type=media, headers=headers)
