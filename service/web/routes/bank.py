"""The bank of banned accounts: search, add by form, remove (scope ``bank:write``); and the
accounts' avatar thumbnails, served by the service itself (never hot-linked from a platform)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response

from service.domain import Profile
from service.errors import InvalidInput, MirrorscanError, NotFound
from service.usecases import bank as bank_changes
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
) -> Response:
    return await _bank_page(ctx, q, page, added=added, removed=removed)


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
    avatar: Annotated[UploadFile | None, File()] = None,
) -> Response:
    values = {
        "account_id": account_id, "platform": platform, "display_name": display_name,
        "handle": handle, "bio": bio, "links": links, "group": group,
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
        await ctx.runtime.run(bank_changes.put_account, pipeline, ctx.label, profile)
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
) -> Response:
    size = ctx.web.settings.web.page_size
    store = ctx.runtime.pipeline.store
    found = await ctx.runtime.run(store.search_text, q, limit=size + 1, offset=(page - 1) * size)
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
    )
