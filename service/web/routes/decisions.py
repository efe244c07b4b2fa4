"""Recent decisions, newest first, a page at a time (keyset: ``before`` = where the last page
stopped), narrowed by decision, group, who and day; and the same list as a CSV file."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from service.domain import MAX_SEQ
from service.errors import InvalidInput
from service.store.bank import Store
from service.usecases.decisions import (
    DECISIONS,
    DecisionFilter,
    find_decisions,
    iter_decisions,
)
from service.web.pages import NO_STORE, Moderator, PageRoute, render
from service.web.view import percent

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_EXPORT = 100_000  # rows in one CSV file
Short = Annotated[str, Query(max_length=200)]
Day = Annotated[str, Query(max_length=10, alias="from")]
CSV_COLUMNS = (
    "seq", "at_utc", "who", "decision", "account_id", "group", "score", "band", "model_version",
    "platform", "handle", "display_name", "note",
)  # fmt: skip


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a day as YYYY-MM-DD") from None


def _filters(decision: str, group: str, who: str, since: str, until: str) -> DecisionFilter:
    return DecisionFilter(
        decision=decision.strip(),
        group=group.strip(),
        actor=who.strip(),
        since=_day(since.strip(), "from"),
        until=_day(until.strip(), "to"),
    )


@router.get("/decisions")
async def decisions(
    ctx: Moderator,
    before: int | None = Query(None, ge=1, le=MAX_SEQ),
    decision: Short = "",
    group: Short = "",
    who: Short = "",
    since: Day = "",
    until: Annotated[str, Query(max_length=10, alias="to")] = "",
) -> Response:
    filters = _filters(decision, group, who, since, until)
    size = ctx.web.settings.web.page_size
    store = ctx.runtime.pipeline.store
    rows, older = await ctx.runtime.run(find_decisions, store, filters, before, size)
    query = {"decision": decision, "group": group, "who": who, "from": since, "to": until}
    kept = {k: v for k, v in query.items() if v}
    return render(
        ctx,
        "decisions.html",
        rows=rows,
        older=older,
        first_page=before is None,
        percent=percent,
        filters=filters,
        query=kept,
        query_string=urlencode(kept),
        older_link=urlencode(kept | {"before": older}) if older else "",
        choices=DECISIONS,
    )


@router.get("/decisions.csv")
async def decisions_csv(
    ctx: Moderator,
    decision: Short = "",
    group: Short = "",
    who: Short = "",
    since: Day = "",
    until: Annotated[str, Query(max_length=10, alias="to")] = "",
) -> Response:
    filters = _filters(decision, group, who, since, until)
    body = await ctx.runtime.run(_csv, ctx.runtime.pipeline.store, filters)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers=NO_STORE | {"Content-Disposition": 'attachment; filename="decisions.csv"'},
    )


def _csv(store: Store, filters: DecisionFilter) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for d in iter_decisions(store, filters, MAX_EXPORT):
        p = d.profile
        writer.writerow(
            _cell(str(x))
            for x in (
                d.seq,
                d.at.strftime("%Y-%m-%d %H:%M:%S"),
                d.actor,
                d.decision,
                d.account_id,
                d.group,
                "" if d.score is None else f"{d.score:.6f}",
                d.band,
                d.model_version,
                p.get("platform") or "",
                p.get("handle") or "",
                p.get("display_name") or "",
                d.note,
            )  # fmt: skip
        )
    return out.getvalue()


def _cell(value: str) -> str:
    """A spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a formula; such
    text is written with a leading apostrophe (OWASP's CSV injection advice)."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
