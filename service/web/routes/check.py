"""Check a profile (by URL or by hand), see the result, record a decision on a match."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from service.domain import MAX_SEQ
from service.errors import InvalidInput, MirrorscanError, NotFound
from service.usecases import decisions
from service.web.checks import CheckRecord, load_check, save_check
from service.web.intake import PLATFORMS, CheckForm, CheckProblem, run_check
from service.web.pages import (
    CsrfOk,
    Moderator,
    PageContext,
    PageRoute,
    read_upload,
    redirect,
    render,
)
from service.web.results import result_page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Text = Annotated[str, Form(max_length=20_000)]
EXPIRED = "this check is no longer held (results are kept for a while); check the profile again"


@router.get("/")
async def check_page(ctx: Moderator) -> Response:
    return render(
        ctx, "check.html", form=CheckForm(), platforms=PLATFORMS, error=None, problem=None
    )


@router.post("/check")
async def check(
    ctx: Moderator,
    _csrf: CsrfOk,
    profile_url: Annotated[str, Form(max_length=2000)] = "",
    platform: Annotated[str, Form(max_length=100)] = "",
    display_name: Text = "",
    handle: Text = "",
    bio: Text = "",
    links: Text = "",
    avatar: Annotated[UploadFile | None, File()] = None,
) -> Response:
    form = CheckForm(profile_url, platform, display_name, handle, bio, links)
    try:
        form = replace(form, avatar=await read_upload(ctx, avatar))
        checked = await run_check(ctx.runtime, form)
    except MirrorscanError as exc:
        # the form again, as typed (less the file, which browsers never refill) or filled in
        # from the URL, with what happened and what to do next
        problem = exc if isinstance(exc, CheckProblem) else None
        return render(
            ctx,
            "check.html",
            exc.status,
            form=problem.form if problem else form,
            platforms=PLATFORMS,
            error=exc.detail,
            problem=problem,
        )
    record = await run_in_threadpool(
        save_check,
        ctx.runtime.shared.checks,
        ctx.label,
        checked.profile,
        checked.verdict,
        avatar_thumb=checked.thumbnail,
        source_url=profile_url.strip() or None,
        notes=checked.notes,
    )
    return redirect(ctx, f"/checks/{record.id}")


async def _check(ctx: PageContext, check_id: str) -> CheckRecord | None:
    """The moderator's check, from the store (whichever replica ran it)."""
    return await run_in_threadpool(load_check, ctx.runtime.shared.checks, check_id, ctx.label)


@router.get("/checks/{check_id}")
async def result(
    ctx: Moderator, check_id: str, recorded: int | None = Query(None, ge=1, le=MAX_SEQ)
) -> Response:
    record = await _check(ctx, check_id)
    if record is None:
        raise NotFound(EXPIRED)
    store = ctx.runtime.pipeline.store
    decision = None
    if recorded is not None:
        entry = await ctx.runtime.run(store.audit_log.entry, recorded)
        if entry is not None and entry.action == "decision" and entry.actor == ctx.label:
            decision = entry
    return await result_page(ctx, record, decision)


@router.get("/checks/{check_id}/avatar")
async def checked_avatar(ctx: Moderator, check_id: str) -> Response:
    record = await _check(ctx, check_id)
    if record is None or record.avatar_thumb is None:
        raise NotFound("no avatar for this check")
    return Response(record.avatar_thumb, media_type="image/webp", headers=_PRIVATE)


@router.post("/checks/{check_id}/decision")
async def decide(
    ctx: Moderator,
    _csrf: CsrfOk,
    check_id: str,
    account_id: Annotated[str, Form(max_length=200)] = "",
    decision: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    record = await _check(ctx, check_id)
    if record is None:
        raise NotFound(EXPIRED)
    match = next((m for m in record.verdict.matches if m.account_id == account_id), None)
    if match is None:
        raise InvalidInput(f"{account_id!r} is not one of this check's matches")
    entry, _ = await ctx.runtime.run(
        functools.partial(
            decisions.decide,
            ctx.runtime.pipeline,
            ctx.label,
            record.profile,
            account_id,
            decision,
            note,
            shown=match,
            model_version=record.verdict.model_version,
        )
    )
    return redirect(ctx, f"/checks/{quote(check_id)}?recorded={entry.seq}#decision")


_PRIVATE = {"Cache-Control": "private, max-age=600", "Content-Disposition": "inline"}
