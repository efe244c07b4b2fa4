"""Scoring: one profile, or a batch of up to ``limits.max_batch``."""

from __future__ import annotations

import functools
from dataclasses import replace

from fastapi import APIRouter

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
from service.errors import MirrorscanError
from service.ingest.profile_from_url import profile_from_url
from service.ingest.records import ProfileIn
from service.usecases import review_queue
from service.usecases.scoring import score_with_fallback

router = APIRouter(prefix="/v1", tags=["score"])


@router.post("/score", response_model=VerdictOut, summary="Score one profile")
async def score(
    body: ProfileIn, runtime: RuntimeDep, pipeline: PipelineDep, _caller: ScoreCaller
) -> VerdictOut:
    """The calibrated probability that the profile re-creates a banned account, the band, and
    the best-matching banned accounts with each signal's contribution in log-odds."""
    verdict = await runtime.run(review_queue.score_one, pipeline, body.profile())
    return VerdictOut.of(verdict)


@router.post("/score/batch", response_model=BatchOut, summary="Score several profiles")
async def score_batch(
    body: BatchIn, runtime: RuntimeDep, pipeline: PipelineDep, caller: ScoreCaller
) -> BatchOut:
    """Each profile gets its verdict or its own problem; one bad profile fails only itself.
    A batch costs its key one rate-limit unit per profile."""
    runtime.admission.charge(caller.label, "score", len(body.profiles) - 1)
    outcomes = await runtime.run_per_item(
        body.profiles,
        functools.partial(review_queue.score_many, pipeline),
        limit=runtime.settings.limits.max_batch,
        what="batch",
    )
    results = [
        BatchItem(id=item.id, error=problem_of(outcome))
        if isinstance(outcome, MirrorscanError)
        else BatchItem(id=item.id, result=VerdictOut.of(outcome))
        for item, outcome in zip(body.profiles, outcomes, strict=True)
    ]
    return BatchOut(results=results)


@router.post("/score/url", response_model=UrlVerdictOut, summary="Score the profile at a URL")
async def score_url(
    body: UrlIn, runtime: RuntimeDep, pipeline: PipelineDep, _caller: ScoreCaller
) -> UrlVerdictOut:
    """Canonicalise a pasted profile URL (X, Instagram, Facebook, Telegram, WhatsApp channels,
    TikTok, YouTube, Bluesky), fetch its page and avatar through the SSRF-safe fetcher, and
    score what was extracted. A login wall gives a 502 problem asking for the fields by hand."""
    profile, extracted = await profile_from_url(body.url, runtime.fetcher)
    scored = await runtime.run(score_with_fallback, pipeline, profile)
    queued = [(scored.profile, scored.verdict)]
    await runtime.run(review_queue.enqueue, pipeline.store, runtime.settings, queued, "api")
    if scored.avatar_dropped:  # the platform served an unusable avatar: the rest was scored
        note = f"avatar not used: {scored.avatar_dropped}"
        extracted = replace(extracted, notes=(*extracted.notes, note))
    return UrlVerdictOut(
        **VerdictOut.of(scored.verdict).model_dump(), profile=ExtractedOut(**extracted.as_json())
    )
