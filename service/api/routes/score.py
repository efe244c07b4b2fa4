"""Scoring: one profile, or a batch of up to ``limits.max_batch``."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import PipelineDep, RuntimeDep, ScoreCaller
from service.api.problems import problem_of
from service.api.schemas import BatchIn, BatchItem, BatchOut, ProfileIn, VerdictOut
from service.domain import Profile
from service.errors import InvalidInput, MirrorscanError, PayloadTooLarge

router = APIRouter(prefix="/v1", tags=["score"])


@router.post("/score", response_model=VerdictOut, summary="Score one profile")
async def score(
    body: ProfileIn, runtime: RuntimeDep, pipeline: PipelineDep, _caller: ScoreCaller
) -> VerdictOut:
    """The calibrated probability that the profile re-creates a banned account, the band, and
    the best-matching banned accounts with each signal's contribution in log-odds."""
    verdict = await runtime.run(pipeline.score, body.profile())
    return VerdictOut.of(verdict)


@router.post("/score/batch", response_model=BatchOut, summary="Score several profiles")
async def score_batch(
    body: BatchIn, runtime: RuntimeDep, pipeline: PipelineDep, _caller: ScoreCaller
) -> BatchOut:
    """Each profile gets its verdict or its own problem; one bad profile fails only itself."""
    limit = runtime.settings.limits.max_batch
    if len(body.profiles) > limit:
        raise PayloadTooLarge(f"a batch holds at most {limit} profiles")
    profiles: list[Profile | MirrorscanError] = []
    for item in body.profiles:
        try:
            profiles.append(item.profile())
        except InvalidInput as exc:
            profiles.append(exc)
    good = [p for p in profiles if isinstance(p, Profile)]
    verdicts = iter(await runtime.run(pipeline.score_many, good))
    results = []
    for item, p in zip(body.profiles, profiles, strict=True):
        outcome = p if isinstance(p, MirrorscanError) else next(verdicts)
        if isinstance(outcome, MirrorscanError):
            results.append(BatchItem(id=item.id, error=problem_of(outcome)))
        else:
            results.append(BatchItem(id=item.id, result=VerdictOut.of(outcome)))
    return BatchOut(results=results)
