"""Moderator decisions: "this profile is (not) a mirror of that banned account".

A decision is both a training label and an audit record, so it lives in the store's append-only
audit log (action ``decision``, subject = the matched account id). The payload shape is kept
here, in one place, for every writer and reader: the API and the pages record through
``decide``; training reads them back with ``list_decisions``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from service.domain import Evidence, Match, PairFeature, Profile
from service.errors import InvalidInput
from service.pipeline import Pipeline
from service.store.audit import AuditEntry
from service.store.bank import Store
from service.usecases.webhooks import emit

ACTION = "decision"
DECISIONS: tuple[str, ...] = ("confirmed", "rejected")
MAX_NOTE_CHARS = 2_000
DecisionKind = Literal["confirmed", "rejected"]


@dataclass(frozen=True, slots=True)
class Decision:
    """One recorded decision, as read back from the audit log."""

    seq: int
    at: datetime
    actor: str
    account_id: str
    decision: str
    note: str
    score: float | None
    band: str
    model_version: str
    profile: dict[str, Any]
    features: dict[str, float]

    @classmethod
    def of(cls, entry: AuditEntry) -> Decision:
        """Tolerant of payloads written by older or other writers: missing keys read empty."""
        p = entry.payload
        score = p.get("score")
        profile = p.get("profile")
        return cls(
            seq=entry.seq,
            # SQLite hands back naive datetimes for what was written as UTC
            at=entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC),
            actor=entry.actor,
            account_id=str(p.get("account_id") or entry.subject),
            decision=str(p.get("decision", "")),
            note=str(p.get("note") or ""),
            score=float(score) if isinstance(score, int | float) else None,
            band=str(p.get("band") or ""),
            model_version=str(p.get("model_version") or ""),
            profile=profile if isinstance(profile, dict) else {},
            features=_features(p.get("features")),
        )


def profile_payload(profile: Profile) -> dict[str, Any]:
    """The checked profile's fields for the log: everything but the avatar bytes."""
    return {
        "id": profile.id,
        "platform": profile.platform,
        "handle": profile.handle,
        "display_name": profile.display_name,
        "bio": profile.bio,
        "links": list(profile.links),
        "avatar_url": profile.avatar_url,
        "has_avatar": profile.avatar is not None,
    }


def record_decision(
    store: Store,
    principal_label: str,
    *,
    profile: Profile | dict[str, Any],
    account_id: str,
    decision: str,
    note: str,
    score: float,
    band: str,
    model_version: str,
    evidence: Sequence[Evidence] = (),
    features: Sequence[PairFeature] = (),
) -> Decision:
    """Append a decision on the pair (``profile``, banned account ``account_id``) to the audit
    log and return it. ``score``/``band``/``model_version``/``evidence`` are what the moderator
    was shown, so the label can be traced to the model that proposed it. Blocking (store I/O):
    call it through the runtime's executor from async code."""
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if not 0 < len(account_id) <= 200:
        raise InvalidInput("account id must be 1 to 200 characters")
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"the note is longer than {MAX_NOTE_CHARS} characters")
    if not 0.0 <= score <= 1.0:
        raise InvalidInput("score must be a probability between 0 and 1")
    payload = {
        "decision": decision,
        "note": note,
        "score": score,
        "band": band,
        "model_version": model_version,
        "account_id": account_id,
        "profile": profile_payload(profile) if isinstance(profile, Profile) else dict(profile),
        "evidence": [
            {"signal": e.signal, "contribution": e.contribution, "detail": e.detail}
            for e in evidence
        ],
        # the pair's comparison features: a training label without recomputing them
        "features": {f.name: f.value for f in features},
    }
    recorded = Decision.of(store.audit_log.append(principal_label, ACTION, account_id, payload))
    emit(store, "decision", {"seq": recorded.seq, "actor": recorded.actor, **{
        k: payload[k] for k in ("account_id", "decision", "note", "score", "band",
                                "model_version", "profile")}})  # fmt: skip
    return recorded


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


def list_decisions(store: Store, before_seq: int | None = None, limit: int = 50) -> list[Decision]:
    """Decisions newest first; the next page starts ``before_seq`` = the last ``seq`` seen."""
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be 1 to 1000")
    entries = store.audit_log.entries(action=ACTION, limit=limit, before_seq=before_seq)
    return [Decision.of(e) for e in entries]


def _features(raw: object) -> dict[str, float]:
    if not isinstance(raw, dict):
        return {}
    return {str(k): float(v) for k, v in raw.items() if isinstance(v, int | float)}
