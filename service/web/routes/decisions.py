"""Recent decisions, newest first, a page at a time (keyset: ``before`` = the last seq shown)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from service.domain import MAX_SEQ
from service.usecases.decisions import list_decisions
from service.web.pages import Moderator, PageRoute, render
from service.web.view import percent

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/decisions")
async def decisions(ctx: Moderator, before: int | None = Query(None, ge=1, le=MAX_SEQ)) -> Response:
    size = ctx.web.settings.web.page_size
    store = ctx.runtime.pipeline.store
    rows = await ctx.runtime.run(list_decisions, store, before, size + 1)
    older = rows[size - 1].seq if len(rows) > size else None
    return render(
        ctx,
        "decisions.html",
        rows=rows[:size],
        older=older,
        first_page=before is None,
        percent=percent,
    )
