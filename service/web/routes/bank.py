"""The banks and their accounts: search (in one bank or all), add by form, remove (scope
``bank:write``); create, enable, disable and remove banks; export and import a bank (admins);
and the accounts' avatar thumbnails, served by the service itself (never hot-linked)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from service.domain import Profile
from service.errors import Forbidden, InvalidInput, MirrorscanError, NotFound
from service.usecases import bank as bank_changes
from service.usecases.exchange import MEDIA_TYPES, export_bank, import_bytes
from service.web.intake import PLATFORMS
from service.web.pages import (
    BankEditor,
    CsrfOk,
    PageContext,
    PageRoute,
    Viewer,
    read_upload,
    redirect,
    render,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=20_000)]


@router.get("/bank")
async def bank(
    ctx: BankEditor,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    added: str | None = None,
    removed: str | None = None,
    bank: Annotated[str, Query(max_length=100)] = "",
    done: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    return await _bank_page(ctx, q, page, added=added, removed=removed, bank=bank, done=done)


@router.post("/bank/banks/create")
async def create_bank(
    ctx: BankEditor,
    _csrf: CsrfOk,
    name: Annotated[str, Form(max_length=64)] = "",
    kind: Annotated[Literal["banned", "allow"], Form()] = "banned",
    description: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    store = ctx.runtime.pipeline.store
    try:
        await ctx.runtime.run(bank_changes.create_bank, store, ctx.label, name.strip(), kind,
                              description.strip())  # fmt: skip
    except MirrorscanError as exc:
        return await _bank_page(ctx, "", 1, status=exc.status, error=exc.detail)
    return redirect(ctx, "/bank?" + urlencode({"done": f"created bank {name.strip()}"}))


@router.post("/bank/banks/state")
async def bank_state(
    ctx: BankEditor,
    _csrf: CsrfOk,
    name: Annotated[str, Form(max_length=100)] = "",
    enabled: Annotated[bool, Form()] = False,
) -> Response:
    store = ctx.runtime.pipeline.store
    await ctx.runtime.run(bank_changes.update_bank, store, ctx.label, name, enabled=enabled)
    word = "enabled" if enabled else "disabled"
    return redirect(ctx, "/bank?" + urlencode({"done": f"{word} bank {name}"}))


@router.post("/bank/banks/remove")
async def remove_bank(
    ctx: BankEditor,
    _csrf: CsrfOk,
    name: Annotated[str, Form(max_length=100)] = "",
    purge: Annotated[bool, Form()] = False,
) -> Response:
    if purge and not ctx.session.can("admin"):
        raise Forbidden("removing a bank with its accounts needs the 'admin' scope")
    try:
        await ctx.runtime.run(bank_changes.remove_bank, ctx.runtime.pipeline, ctx.label, name,
                              purge=purge)  # fmt: skip
    except MirrorscanError as exc:
        return await _bank_page(ctx, "", 1, status=exc.status, error=exc.detail)
    return redirect(ctx, "/bank?" + urlencode({"done": f"removed bank {name}"}))


@router.get("/bank/export")
async def export(
    ctx: BankEditor,
    bank: Annotated[str, Query(max_length=100)],
    format: Annotated[Literal["jsonl", "stix", "pdq"], Query()] = "jsonl",
) -> Response:
    if not ctx.session.can("admin"):
        raise Forbidden("exporting a bank needs the 'admin' scope")
    pipeline = ctx.runtime.pipeline
    tmp_dir = ctx.runtime.settings.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="export-", dir=tmp_dir)
    os.close(fd)
    path = Path(name)
    try:
        await ctx.runtime.run(export_bank, pipeline, pipeline.store, path, format, bank=bank)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    suffix = {"jsonl": "jsonl", "stix": "json", "pdq": "csv"}[format]
    return FileResponse(path, media_type=MEDIA_TYPES[format], filename=f"{bank}.{suffix}",
                        background=BackgroundTask(path.unlink, missing_ok=True))  # fmt: skip


@router.post("/bank/import")
async def import_file(
    ctx: BankEditor,
    _csrf: CsrfOk,
    bank: Annotated[str, Form(max_length=100)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if not ctx.session.can("admin"):
        raise Forbidden("importing into a bank needs the 'admin' scope")
    if file is None:
        return await _bank_page(ctx, "", 1, status=422, error="choose a file to import")
    cap = ctx.runtime.settings.limits.max_body_bytes
    data = await file.read(cap + 1)
    await file.close()
    try:
        if len(data) > cap:
            raise InvalidInput(f"the file is larger than {cap:,} bytes; use `mirrorscan bank "
                               "import` for large files")  # fmt: skip
        source = f"page:{file.filename}"
        result = await ctx.runtime.run(import_bytes, ctx.runtime.pipeline, ctx.label, data,
                                       bank=bank or None, source=source)  # fmt: skip
    except MirrorscanError as exc:
        errors = "; ".join(getattr(exc, "errors", [])[:5])
        return await _bank_page(ctx, "", 1, status=exc.status,
                                error=exc.detail + (f" ({errors})" if errors else ""))  # fmt: skip
    counts = ", ".join(f"{v} {k}" for k, v in sorted(result.outcomes.items())) or "nothing"
    return redirect(ctx, "/bank?" + urlencode({"done": f"imported {result.format}: {counts}"}))


@router.post("/bank/add")
async def add(
    ctx: BankEditor,
    _csrf: CsrfOk,
    account_id: Annotated[str, Form(max_length=200)] = "",
    platform: Annotated[str, Form(max_length=100)] = "",
    display_name: Text = "",
    handle: Text = "",
    bio: Text = "",
    links: Text = "",
    group: Annotated[str, Form(max_length=200)] = "",
    bank: Annotated[str, Form(max_length=100)] = "",
    avatar: Annotated[UploadFile | None, File()] = None,
) -> Response:
    values = {
        "account_id": account_id, "platform": platform, "display_name": display_name,
        "handle": handle, "bio": bio, "links": links, "group": group, "bank": bank,
    }  # fmt: skip
    pipeline = ctx.runtime.pipeline
    try:
        if not account_id.strip():
            raise InvalidInput("give the account an id (for example x-ttp-media-1)")
        profile = Profile(
            id=account_id.strip(),
            platform=platform.strip(),
            handle=handle.strip().lstrip("@"),
            display_name=display_name.strip(),
            bio=bio.strip(),
            links=tuple(links.split()),
            avatar=await read_upload(ctx, avatar),
            group=group.strip() or None,
        )
        await ctx.runtime.run(bank_changes.put_account, pipeline, ctx.label, profile,
                              bank or None)  # fmt: skip
    except MirrorscanError as exc:
        return await _bank_page(ctx, "", 1, status=exc.status, error=exc.detail, values=values)
    return redirect(ctx, "/bank?" + urlencode({"q": profile.id, "added": profile.id}))


@router.post("/bank/remove")
async def remove(
    ctx: BankEditor, _csrf: CsrfOk, account_id: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    await ctx.runtime.run(bank_changes.remove_account, ctx.runtime.pipeline, ctx.label, account_id)
    return redirect(ctx, "/bank?" + urlencode({"removed": account_id}))


@router.get("/bank/avatar")
async def avatar(ctx: Viewer, id: Annotated[str, Query(max_length=200)]) -> Response:
    thumb = await ctx.runtime.run(ctx.runtime.pipeline.store.thumbnail, id)
    if not thumb:
        raise NotFound("this account has no avatar")
    headers = {"Cache-Control": "private, max-age=600", "Content-Disposition": "inline"}
    return Response(thumb, media_type="image/webp", headers=headers)


async def _bank_page(
    ctx: PageContext,
    q: str,
    page: int,
    status: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
    added: str | None = None,
    removed: str | None = None,
    bank: str = "",
    done: str = "",
) -> Response:
    size = ctx.web.settings.web.page_size
    store = ctx.runtime.pipeline.store
    found = await ctx.runtime.run(store.search_text, q, limit=size + 1, offset=(page - 1) * size,
                                  bank=bank or None)  # fmt: skip
    banks = await ctx.runtime.run(bank_changes.list_banks, store)
    return render(
        ctx,
        "bank.html",
        status,
        q=q,
        page=page,
        accounts=[a.profile for a in found[:size]],
        has_avatar={a.profile.id for a in found if a.features.avatar is not None},
        more=len(found) > size,
        error=error,
        values=values or {},
        platforms=PLATFORMS,
        added=added,
        removed=removed,
        bank=bank,
        banks=banks,
        bank_of={a.profile.id: a.bank for a in found},
        done=done,
        admin=ctx.session.can("admin"),
    )
