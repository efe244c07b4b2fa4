"""Scoring: one profile, or a batch of up to ``limits.max_batch``. Query parameters choose the
banks read (``banks``, default every enabled banned bank), how many matches come back
(``limit``), the lowest match score shown (``min_score``) and the evidence's detail."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from service.api.deps import PipelineDep, RuntimeDep, ScoreCaller
from service.api.problems import problem_of
from service.api.schemas import (
    BatchIn,
    BatchItem,
    BatchOut,
    ExtractedOut,
    UrlIn,
    UrlVerdictOut,
    VerdictOut,
)
from service.domain import Profile, Verdict
from service.errors import MirrorscanError
from service.ingest.avatar_url import with_avatar
from service.ingest.profile_from_url import profile_from_url
from service.ingest.records import ProfileIn
from service.pipeline import Pipeline
from service.runtime import Runtime, parse_items
from service.store.banks import BankScope
from service.usecases import review_queue
from service.usecases.scoring import score_profiles, score_with_fallback

router = APIRouter(prefix="/v1", tags=["score"])

Banks = Annotated[
    list[str] | None,
    Query(description="banned-account banks to match against (repeat or comma-separate); "
          "default: every enabled banned bank. Enabled allow lists are always read."),
]  # fmt: skip
Limit = Annotated[int | None, Query(ge=1, le=100, description="matches returned (default 5)")]
MinScore = Annotated[float, Query(ge=0.0, le=1.0, description="leave out weaker matches")]
Detail = Annotated[
    Literal["summary", "full"],
    Query(description="summary: one evidence line per signal family, zero ones left out; "
          "full: every family with its features"),
]  # fmt: skip


async def scope_of(runtime: Runtime, pipeline: Pipeline, banks: list[str] | None) -> BankScope:
    names = [b.strip() for value in banks or () for b in value.split(",") if b.strip()]
    return await runtime.run(pipeline.scope, names or None)


@router.post("/score", response_model=VerdictOut, summary="Score one profile")
async def score(
    body: ProfileIn,
    runtime: RuntimeDep,
    pipeline: PipelineDep,
    _caller: ScoreCaller,
    banks: Banks = None,
    limit: Limit = None,
    min_score: MinScore = 0.0,
    detail: Detail = "summary",
) -> VerdictOut:
    """The calibrated probability that the profile re-creates a banned account, the band, the
    channels compared, and the best-matching accounts with the evidence per signal family in
    log-odds. A profile with nothing to compare is a 422; an ``avatar_url`` is fetched from the
    platform's image hosts, or the answer is a problem saying why it was not."""
    profile = await with_avatar(body.profile(), runtime.fetcher)
    scope = await scope_of(runtime, pipeline, banks)
    [result] = await runtime.run(score_profiles, pipeline, [profile], scope, limit)
    if isinstance(result, MirrorscanError):
        raise result
    await runtime.run(review_queue.enqueue, pipeline.store, runtime.settings, [(profile, result)],
                      "api")  # fmt: skip
    return VerdictOut.of(result, detail == "full", min_score)


@router.post("/score/batch", response_model=BatchOut, summary="Score several profiles")
async def score_batch(
    body: BatchIn,
    runtime: RuntimeDep,
    pipeline: PipelineDep,
    caller: ScoreCaller,
    banks: Banks = None,
    limit: Limit = None,
    min_score: MinScore = 0.0,
    detail: Detail = "summary",
) -> BatchOut:
    """Each profile gets its verdict or its own problem; one bad profile fails only itself.
    A batch costs its key one rate-limit unit per profile, and runs in chunks that interleave
    with other keys' work."""
    runtime.admission.charge(caller.key_id, "score", len(body.profiles) - 1)
    parsed = parse_items(body.profiles, limit=runtime.settings.limits.max_batch, what="batch")
    fetched = await asyncio.gather(*(_fetched(p, runtime) for p in parsed))
    scope = await scope_of(runtime, pipeline, banks)
    todo = [p for p in fetched if isinstance(p, Profile)]
    size = runtime.settings.fairness.batch_chunk
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    calls = [functools.partial(score_profiles, pipeline, c, scope, limit) for c in chunks]
    verdicts = [v for chunk in await runtime.run_all(calls) for v in chunk]
    scored = [(p, v) for p, v in zip(todo, verdicts, strict=True) if isinstance(v, Verdict)]
    await runtime.run(review_queue.enqueue, pipeline.store, runtime.settings, scored, "api")
    done = iter(verdicts)
    outcomes: list[Verdict | MirrorscanError] = [
        p if isinstance(p, MirrorscanError) else next(done) for p in fetched
    ]
    results = [
        BatchItem(id=item.id, error=problem_of(outcome))
        if isinstance(outcome, MirrorscanError)
        else BatchItem(id=item.id, result=VerdictOut.of(outcome, detail == "full", min_score))
        for item, outcome in zip(body.profiles, outcomes, strict=True)
    ]
    return BatchOut(results=results)


async def _fetched(item: Profile | MirrorscanError, runtime: Runtime) -> Profile | MirrorscanError:
    if isinstance(item, MirrorscanError):
        return item
    try:
        return await with_avatar(item, runtime.fetcher)
    except MirrorscanError as exc:
        return exc


@router.post("/score/url", response_model=UrlVerdictOut, summary="Score the profile at a URL")
async def score_url(
    body: UrlIn,
    runtime: RuntimeDep,
    pipeline: PipelineDep,
    _caller: ScoreCaller,
    banks: Banks = None,
    limit: Limit = None,
    min_score: MinScore = 0.0,
    detail: Detail = "summary",
) -> UrlVerdictOut:
    """Canonicalise a pasted profile URL (X, Instagram, Facebook, Telegram, WhatsApp channels,
    TikTok, YouTube, Bluesky), fetch its page and avatar through the SSRF-safe fetcher, and
    score what was extracted. A login wall gives a 502 problem asking for the fields by hand."""
    profile, extracted = await profile_from_url(body.url, runtime.fetcher)
    scope = await scope_of(runtime, pipeline, banks)
    scored = await runtime.run(score_with_fallback, pipeline, profile, scope=scope, limit=limit)
    queued = [(scored.profile, scored.verdict)]
    await runtime.run(review_queue.enqueue, pipeline.store, runtime.settings, queued, "api")
    if scored.avatar_dropped:  # the platform served an unusable avatar: the rest was scored
        note = f"avatar not used: {scored.avatar_dropped}"
        extracted = replace(extracted, notes=(*extracted.notes, note))
    verdict = VerdictOut.of(scored.verdict, detail == "full", min_score)
    return UrlVerdictOut(**verdict.model_dump(), profile=ExtractedOut(**extracted.as_json()))
