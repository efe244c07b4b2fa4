"""Moderator decisions over the JSON API: "this profile is (not) a mirror of that banned account".
They go to the append-only audit log with who, when, the score and model version shown, and
the pair's comparison features, so ``mirrorscan model train --with-decisions`` can learn them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import PipelineDep, RuntimeDep, ScoreCaller
from service.api.schemas import EvidenceOut
from service.domain import MAX_SEQ
from service.ingest.records import ProfileIn
from service.usecases.decisions import Decision, decide, list_decisions

router = APIRouter(prefix="/v1/decisions", tags=["decisions"])


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profile: ProfileIn = Field(description="the checked profile, as sent to /v1/score")
    account_id: str = Field(..., min_length=1, max_length=200, description="the banned account")
    decision: Literal["confirmed", "rejected"]
    note: str = Field("", max_length=2000)


class DecisionOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    account_id: str
    decision: str
    note: str
    score: float | None = Field(description="the pair's probability under model_version")
    band: str
    model_version: str
    profile: dict[str, Any]
    evidence: list[EvidenceOut] = Field(default_factory=list)

    @classmethod
    def of(cls, d: Decision, evidence: list[EvidenceOut] | None = None) -> DecisionOut:
        return cls(
            seq=d.seq, at=d.at, actor=d.actor, account_id=d.account_id, decision=d.decision,
            note=d.note, score=d.score, band=d.band, model_version=d.model_version,
            profile=d.profile, evidence=evidence or [],
        )  # fmt: skip


class DecisionPage(BaseModel):
    decisions: list[DecisionOut]
    next_before: int | None = Field(description="pass as ?before= for the next (older) page")


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=DecisionOut, summary="Record a decision"
)
async def post_decision(
    body: DecisionIn, runtime: RuntimeDep, pipeline: PipelineDep, caller: ScoreCaller
) -> DecisionOut:
    """The pair is scored now with the current model, so the log holds what the model said
    about exactly this pair; 404 when the banned account does not exist."""
    decision, match = await runtime.run(
        decide,
        pipeline,
        caller.label,
        body.profile.profile(),
        body.account_id,
        body.decision,
        body.note,
    )
    evidence = [EvidenceOut(signal=e.signal, contribution=e.contribution, detail=e.detail)
                for e in match.evidence]  # fmt: skip
    return DecisionOut.of(decision, evidence)


@router.get("", response_model=DecisionPage, summary="Recent decisions, newest first")
async def get_decisions(
    runtime: RuntimeDep,
    pipeline: PipelineDep,
    _caller: ScoreCaller,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_SEQ, description="page: decisions older than this seq")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DecisionPage:
    found = await runtime.run(list_decisions, pipeline.store, before, limit)
    return DecisionPage(
        decisions=[DecisionOut.of(d) for d in found],
        next_before=found[-1].seq if len(found) == limit else None,
    )
