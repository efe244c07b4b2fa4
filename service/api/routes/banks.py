"""Named banks: create, list (with their stats), enable or disable, remove; and the exchange of
accounts with other systems (export and import as JSON Lines, STIX 2.1 or a PDQ list)."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from starlette.background import BackgroundTask

from service.api.deps import Admin, BankWriter, PipelineDep, RuntimeDep
from service.domain import BANK_NAME
from service.store.banks import BankStats
from service.usecases import bank as banks
from service.usecases.exchange import CURSOR_HEADER, MEDIA_TYPES, export_bank, import_bytes

router = APIRouter(tags=["banks"])


class BankIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., pattern=BANK_NAME, examples=["pk-proscribed"])
    kind: Literal["banned", "allow"] = Field(
        "banned", description="banned: matched against; allow: official accounts never blocked"
    )
    description: str = Field("", max_length=2000)
    enabled: StrictBool = True  # 0 or "yes" is refused, not read as a boolean


class BankPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: StrictBool | None = None
    description: str | None = Field(None, max_length=2000)


class BankOut(BaseModel):
    name: str
    kind: Literal["banned", "allow"]
    enabled: bool
    description: str
    created_at: datetime
    accounts: int = Field(description="active accounts")
    removed: int
    with_avatar: int
    platforms: dict[str, int]
    groups: int
    last_change: datetime | None

    @classmethod
    def of(cls, s: BankStats) -> BankOut:
        b = s.bank
        return cls(name=b.name, kind=b.kind, enabled=b.enabled, description=b.description,
                   created_at=b.created_at, accounts=s.accounts, removed=s.removed,
                   with_avatar=s.with_avatar, platforms=s.platforms, groups=s.groups,
                   last_change=_utc(s.last_change))  # fmt: skip


def _utc(at: datetime | None) -> datetime | None:
    """A stored time with its UTC offset (SQLite gives it back without one)."""
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


class BankList(BaseModel):
    banks: list[BankOut]


class ImportOut(BaseModel):
    format: str
    records: int
    outcomes: dict[str, int]
    banks_created: list[str]
    source: str


@router.get("/v1/banks", response_model=BankList, summary="Banks with their stats")
async def list_banks(runtime: RuntimeDep, pipeline: PipelineDep, _caller: BankWriter) -> BankList:
    found = await runtime.run(banks.list_banks, pipeline.store)
    return BankList(banks=[BankOut.of(s) for s in found])


@router.post("/v1/banks", status_code=status.HTTP_201_CREATED, response_model=BankOut,
             summary="Create a bank")  # fmt: skip
async def create_bank(
    body: BankIn, runtime: RuntimeDep, pipeline: PipelineDep, caller: BankWriter
) -> BankOut:
    """409 when one by that name exists."""
    store = pipeline.store
    await runtime.run(banks.create_bank, store, caller.label, body.name, body.kind,
                      body.description, body.enabled)  # fmt: skip
    return BankOut.of(await runtime.run(store.banks.stats, body.name))


@router.get("/v1/banks/{name}", response_model=BankOut, summary="A bank and its stats")
async def get_bank(
    name: str, runtime: RuntimeDep, pipeline: PipelineDep, _caller: BankWriter
) -> BankOut:
    return BankOut.of(await runtime.run(pipeline.store.banks.stats, name))


@router.patch("/v1/banks/{name}", response_model=BankOut, summary="Enable, disable, describe")
async def patch_bank(
    name: str, body: BankPatch, runtime: RuntimeDep, pipeline: PipelineDep, caller: BankWriter
) -> BankOut:
    """A disabled bank is not read by scoring (unless named in ``banks``) but keeps its
    accounts."""
    store = pipeline.store
    await runtime.run(banks.update_bank, store, caller.label, name, enabled=body.enabled,
                      description=body.description)  # fmt: skip
    return BankOut.of(await runtime.run(store.banks.stats, name))


@router.delete("/v1/banks/{name}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Remove a bank")  # fmt: skip
async def delete_bank(
    name: str,
    runtime: RuntimeDep,
    pipeline: PipelineDep,
    caller: Admin,
    purge: Annotated[bool, Query(description="remove its accounts too")] = False,
) -> Response:
    """409 while it holds accounts, unless ``purge``."""
    await runtime.run(banks.remove_bank, pipeline, caller.label, name, purge=purge)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/v1/exchange/export", summary="Export accounts (JSON Lines, STIX 2.1, PDQ list)",
            response_class=FileResponse)  # fmt: skip
async def export(
    runtime: RuntimeDep,
    pipeline: PipelineDep,
    _caller: Admin,
    format: Annotated[Literal["jsonl", "stix", "pdq"], Query()] = "jsonl",
    bank: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[int | None, Query(ge=0, description="a cursor of an earlier export")] = None,
) -> FileResponse:
    """The accounts of ``bank`` (or every bank); with ``since``, only what changed after that
    cursor (withdrawn accounts marked ``removed``). The answer's ``X-Mirrorscan-Cursor`` (and a
    STIX bundle's ``x_mirrorscan_cursor``) is the cursor to ask with next time."""
    tmp_dir = runtime.settings.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="export-", dir=tmp_dir)
    os.close(fd)
    path = Path(name)
    try:
        done = await runtime.run(export_bank, pipeline, pipeline.store, path, format, bank=bank,
                                 since=since)  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    suffix = {"jsonl": "jsonl", "stix": "json", "pdq": "csv"}[format]
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[format],
        filename=f"mirrorscan-{bank or 'all'}.{suffix}",
        headers={CURSOR_HEADER: done.cursor, "X-Mirrorscan-Count": str(done.count)},
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.post("/v1/exchange/import", response_model=ImportOut,
             summary="Import accounts (JSON Lines, CSV, STIX 2.1, PDQ list)")  # fmt: skip
async def import_(
    request: Request,
    runtime: RuntimeDep,
    pipeline: PipelineDep,
    caller: Admin,
    format: Annotated[Literal["jsonl", "csv", "stix", "pdq"] | None, Query()] = None,
    bank: Annotated[str | None, Query(max_length=100)] = None,
) -> ImportOut:
    """The request body is the file (format told by its content when not given). All or
    nothing: a file with any bad line or object is a 422 problem listing them (``errors``),
    and nothing of it is written."""
    data = await request.body()
    result = await runtime.run(import_bytes, pipeline, caller.label, data, fmt=format, bank=bank,
                               source=f"api:{caller.label}")  # fmt: skip
    return ImportOut(format=result.format, records=result.records,
                     outcomes=dict(result.outcomes), banks_created=result.banks_created,
                     source=result.source)  # fmt: skip
