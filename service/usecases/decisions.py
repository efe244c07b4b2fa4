"""Record a moderator's decision on a pair (checked profile, banned account): the same entry in
the audit log whether it comes from the API or the pages (see ``service.decisions``)."""

from __future__ import annotations

from service.decisions import Decision, record_decision
from service.domain import Match, Profile
from service.pipeline import Pipeline


def decide(
    pipeline: Pipeline,
    actor: str,
    profile: Profile,
    account_id: str,
    decision: str,
    note: str = "",
    *,
    shown: Match | None = None,
    model_version: str | None = None,
) -> tuple[Decision, Match]:
    """Append the decision and return it with the match it was made on.

    ``shown``: the match the moderator was shown (a check's result page keeps it), with the
    ``model_version`` that scored it. Without it, the pair is scored now with the current model
    (``NotFound`` when the banned account does not exist), so the log holds what the model said
    about exactly this pair."""
    match = shown if shown is not None else pipeline.assess(profile, account_id)
    recorded = record_decision(
        pipeline.store,
        actor,
        profile=profile,
        account_id=account_id,
        decision=decision,
        note=note,
        score=match.score,
        band=match.band.value,
        model_version=model_version or pipeline.scorer.version,
        evidence=match.evidence,
        features=match.features,
    )
    return recorded, match
