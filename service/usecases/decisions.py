"""Moderator decisions: "this profile is (not) a mirror of that banned account".

A decision is both a training label and an audit record, so it lives in the store's append-only
audit log (action ``decision``, subject = the matched account id). The payload shape is kept
here, in one place, for every writer and reader: the API and the pages record through
``decide``; training reads them back with ``list_decisions``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
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
    group: str = ""  # the matched account's group when decided (older entries: empty)

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
            group=str(p.get("group") or ""),
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
    group: str = "",
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
        "group": group,
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
        group=match.group,
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


@dataclass(frozen=True, slots=True)
class DecisionFilter:
    """What the decisions page narrows to; empty fields do not filter. Days are UTC and both
    ends are included."""

    decision: str = ""  # "confirmed", "rejected" or ""
    group: str = ""  # the matched account's group, case-insensitive
    actor: str = ""  # who decided, exactly as the log names them
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.decision and self.decision not in DECISIONS:
            raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}")
        if self.since and self.until and self.since > self.until:
            raise InvalidInput("the 'from' day is after the 'to' day")

    def keeps(self, d: Decision) -> bool:
        if self.decision and d.decision != self.decision:
            return False
        return not self.group or d.group.casefold() == self.group.strip().casefold()


MAX_SCAN = 20_000  # log entries one page of a filtered list reads at most


def find_decisions(
    store: Store,
    filters: DecisionFilter,
    before_seq: int | None = None,
    limit: int = 50,
    max_scan: int = MAX_SCAN,
) -> tuple[list[Decision], int | None]:
    """Decisions that pass ``filters``, newest first, each with its account's group (read from
    the bank for entries logged before the group was), and where the next page starts (the
    ``before_seq`` to pass; None when the log holds no more). Who and when filter in the store;
    decision and group on the entries read, at most ``max_scan`` of them per page."""
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be 1 to 1000")
    found: list[Decision] = []
    scanned = 0
    cursor = before_seq
    for d in _scan(store, filters, cursor):
        scanned += 1
        cursor = d.seq
        if filters.keeps(d):
            found.append(d)
            if len(found) == limit:
                return found, cursor
        if scanned >= max_scan:
            return found, cursor
    return found, None


def iter_decisions(store: Store, filters: DecisionFilter, cap: int) -> Iterator[Decision]:
    """Every decision that passes ``filters``, newest first, at most ``cap`` (an export)."""
    n = 0
    for d in _scan(store, filters, None):
        if filters.keeps(d):
            yield d
            n += 1
            if n >= cap:
                return


def _scan(store: Store, filters: DecisionFilter, before_seq: int | None) -> Iterator[Decision]:
    since = datetime.combine(filters.since, time(), UTC) if filters.since else None
    until = (
        datetime.combine(filters.until + timedelta(days=1), time(), UTC) if filters.until else None
    )
    groups: dict[str, str] = {}
    while True:
        entries = store.audit_log.entries(
            action=ACTION,
            limit=500,
            before_seq=before_seq,
            actor=filters.actor.strip() or None,
            since=since,
            until=until,
        )
        if not entries:
            return
        for entry in entries:
            d = Decision.of(entry)
            if not d.group:
                d = replace(d, group=_group_of(store, d.account_id, groups))
            yield d
        before_seq = entries[-1].seq


def _group_of(store: Store, account_id: str, cache: dict[str, str]) -> str:
    if account_id not in cache:
        stored = store.get(account_id)
        cache[account_id] = (stored.profile.group or "") if stored is not None else ""
    return cache[account_id]
