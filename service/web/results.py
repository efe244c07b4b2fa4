"""The result page of a scored profile, as the check page and the review queue show it."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from service.store.audit import AuditEntry
from service.store.bank import Store
from service.web.checks import CheckRecord
from service.web.pages import PageContext, render
from service.web.view import BAND_WORDS, match_views, percent, share


async def result_page(
    ctx: PageContext, record: CheckRecord, decision: AuditEntry | None = None, **extra: Any
) -> Response:
    """``result.html`` for ``record``; ``extra`` adds what the queue shows beside it."""
    verdict = record.verdict
    matched = [m.account_id for m in verdict.matches]
    with_avatar = await ctx.runtime.run(_with_avatar, ctx.runtime.pipeline.store, matched)
    return render(
        ctx,
        "result.html",
        record=record,
        verdict=verdict,
        percent=percent(verdict.score),
        band_words=BAND_WORDS[verdict.band],
        matches=match_views(record.profile, verdict.matches),
        percent_of=percent,
        prevalence_words=share(verdict.prevalence),
        decision=decision,
        with_avatar=with_avatar,
        **extra,
    )


def _with_avatar(store: Store, account_ids: list[str]) -> set[str]:
    """Which matched accounts have a thumbnail (the others show a placeholder, not a 404)."""
    return {account_id for account_id in account_ids if store.thumbnail(account_id)}
