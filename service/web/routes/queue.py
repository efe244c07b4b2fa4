"""The review queue's pages: the waiting items (oldest or highest score first), claim one (or
the next), read it on the same result page a check shows, then decide or skip it. Every step is
a plain form (post-redirect-get); the store decides who holds an item, so two moderators never
get the same one."""

from __future__ import annotations

import functools
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from service.domain import MAX_SEQ
from service.errors import Conflict, NotFound
from service.store.queue import Order
from service.usecases import review_queue
from service.web.checks import CheckRecord
from service.web.pages import CsrfOk, Moderator, PageContext, PageRoute, redirect, render
from service.web.results import result_page
from service.web.view import percent

router = APIRouter(route_class=PageRoute, include_in_schema=False)

OrderQuery = Annotated[Literal["oldest", "highest"], Query()]
OrderForm = Annotated[Literal["oldest", "highest"], Form()]
OFF = (
    "The review queue is off. It keeps the profiles the API and batch jobs put in review "
    "until a moderator decides them; an administrator turns it on with "
    "MIRRORSCAN_QUEUE__ENABLED=true."
)
SOURCE_WORDS = {"api": "the scoring API", "batch": "a batch job", "check": "a check"}


def _on(ctx: PageContext) -> None:
    if not ctx.web.settings.queue.enabled:
        raise NotFound(OFF)


async def _list(
    ctx: PageContext,
    order: Order,
    status: int = 200,
    message: str | None = None,
    problem: str | None = None,
) -> Response:
    store = ctx.runtime.pipeline.store
    queue = review_queue.queue_of(store)
    limit = ctx.web.settings.web.page_size
    waiting = await ctx.runtime.run(queue.waiting, order, limit)
    mine = await ctx.runtime.run(queue.held_by, ctx.label)
    counts = await ctx.runtime.run(queue.counts)
    return render(
        ctx,
        "queue.html",
        status,
        enabled=ctx.web.settings.queue.enabled,
        off=OFF,
        order=order,
        waiting=[review_queue.entry_of(i) for i in waiting],
        mine=[review_queue.entry_of(i) for i in mine],
        counts=counts,
        percent=percent,
        source_words=SOURCE_WORDS,
        message=message,
        problem=problem,
    )


@router.get("/queue")
async def queue_page(
    ctx: Moderator,
    order: OrderQuery = "oldest",
    recorded: int | None = Query(None, ge=1, le=MAX_SEQ),
    skipped: bool = False,
    empty: bool = False,
) -> Response:
    message = None
    if recorded is not None:
        entry = await ctx.runtime.run(ctx.runtime.pipeline.store.audit_log.entry, recorded)
        if entry is not None and entry.action == "decision" and entry.actor == ctx.label:
            said = "confirmed mirror" if entry.payload.get("decision") == "confirmed" else (
                "not a mirror")  # fmt: skip
            message = f"Recorded: {said} of {entry.subject}."
    elif skipped:
        message = "Skipped: the item is back in the queue for someone else."
    elif empty:
        message = "Nothing is waiting: every item is decided or held by a moderator."
    return await _list(ctx, order, message=message)


@router.post("/queue/next")
async def take_next(ctx: Moderator, _csrf: CsrfOk, order: OrderForm = "oldest") -> Response:
    _on(ctx)
    store, settings = ctx.runtime.pipeline.store, ctx.web.settings
    entry = await ctx.runtime.run(review_queue.claim_next, store, settings, ctx.label, order)
    if entry is None:
        return redirect(ctx, f"/queue?order={order}&empty=true")
    return redirect(ctx, f"/queue/{entry.item.id}")


@router.post("/queue/{item_id}/claim")
async def claim(
    ctx: Moderator, _csrf: CsrfOk, item_id: int, order: OrderForm = "oldest"
) -> Response:
    _on(ctx)
    store, settings = ctx.runtime.pipeline.store, ctx.web.settings
    try:
        await ctx.runtime.run(review_queue.claim, store, settings, ctx.label, item_id)
    except Conflict:
        problem = f"Item {item_id} was taken by another moderator (or decided); take another."
        return await _list(ctx, order, 409, problem=problem)
    return redirect(ctx, f"/queue/{item_id}")


@router.get("/queue/{item_id}")
async def item_page(ctx: Moderator, item_id: int) -> Response:
    _on(ctx)
    store = ctx.runtime.pipeline.store
    entry = await ctx.runtime.run(review_queue.held, store, ctx.label, item_id)
    verdict = entry.verdict
    notes = ["The profile had an avatar when it was scored; the queue does not keep it."]
    record = CheckRecord(
        id=f"queue-{item_id}",
        owner=ctx.label,
        created=entry.item.created_at.timestamp(),
        profile=entry.profile,
        avatar_thumb=None,
        verdict=verdict,
        notes=tuple(notes) if entry.has_avatar else (),
    )
    expires = entry.item.claim_expires
    minutes = 0 if expires is None else max(1, round((expires.timestamp() - time.time()) / 60))
    return await result_page(
        ctx,
        record,
        queue_item=entry.item,
        queued_by=SOURCE_WORDS.get(entry.item.source, entry.item.source),
        held_minutes=minutes,
        decide_action=f"/queue/{item_id}/decide",
    )


@router.post("/queue/{item_id}/decide")
async def decide(
    ctx: Moderator,
    _csrf: CsrfOk,
    item_id: int,
    account_id: Annotated[str, Form(max_length=200)] = "",
    decision: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    _on(ctx)
    store, settings = ctx.runtime.pipeline.store, ctx.web.settings
    decided = functools.partial(
        review_queue.decide, store, settings, ctx.label, item_id, account_id, decision, note
    )
    recorded = await ctx.runtime.run(decided)
    return redirect(ctx, f"/queue?recorded={recorded.seq}")


@router.post("/queue/{item_id}/skip")
async def skip(ctx: Moderator, _csrf: CsrfOk, item_id: int) -> Response:
    _on(ctx)
    await ctx.runtime.run(review_queue.skip, ctx.runtime.pipeline.store, ctx.label, item_id)
    return redirect(ctx, "/queue?skipped=true")
