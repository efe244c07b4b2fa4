"""The review queue (issue 15): profiles that the API or a batch job put in ``review`` wait in
the store for a moderator, who claims one, decides it (the same decision record as a check, so
it reaches the audit log and retraining) or skips it back.

Opt-in (``queue.enabled``), since it keeps scored profiles: with it off nothing is stored. The
pipeline knows nothing of it; whoever scores (the API's routes, a batch job's ``score_chunk``)
hands its verdicts to ``enqueue``. A queued profile is kept without its
avatar bytes, with the verdict as it was shown (matches, evidence, features), so a decision from
the queue records what the moderator saw and the model that said it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from service.config import Settings
from service.domain import Band, Evidence, Match, PairFeature, Profile, Verdict
from service.errors import Conflict, InvalidInput, NotFound
from service.store.bank import Store
from service.store.queue import NewItem, Order, QueueItem, ReviewQueue
from service.usecases.decisions import Decision, profile_payload, record_decision

LOST = "this item is no longer yours (your claim lapsed or it was decided); take another"


def queue_of(store: Store) -> ReviewQueue:
    return ReviewQueue(store.sessions)


def enqueue(
    store: Store, settings: Settings, scored: Iterable[tuple[Profile, Verdict]], source: str
) -> int:
    """Queue the profiles whose verdict is ``review``, when the queue is on; returns how many
    were queued. Items past the retention period are purged first (the same rule as ``purge``)."""
    if not settings.queue.enabled:
        return 0
    items = [
        NewItem(source, profile_payload(p), verdict_json(v), v.score, v.band.value)
        for p, v in scored
        if v.band is Band.REVIEW
    ]
    if not items:
        return 0
    queue = queue_of(store)
    queue.purge(settings.queue.retention_days)
    return queue.add(items, settings.queue.max_items)


def purge(store: Store, older_than_days: float) -> int:
    """Delete the items queued more than ``older_than_days`` ago; returns how many."""
    if older_than_days < 0:
        raise InvalidInput("days must not be negative")
    return queue_of(store).purge(older_than_days)


@dataclass(frozen=True, slots=True)
class Entry:
    """A queued item with its profile and verdict as domain objects (for the result page)."""

    item: QueueItem
    profile: Profile
    verdict: Verdict
    has_avatar: bool


def entry_of(item: QueueItem) -> Entry:
    return Entry(item, profile_of(item.profile), verdict_of(item.verdict),
                 bool(item.profile.get("has_avatar")))  # fmt: skip


def claim(store: Store, settings: Settings, who: str, item_id: int) -> Entry:
    """Take the item; ``Conflict`` (409) when another moderator holds it or it was decided."""
    queue = queue_of(store)
    if not queue.claim(item_id, who, settings.queue.claim_ttl_s):
        item = queue.get(item_id)
        if item is None:
            raise NotFound("no such item in the review queue (it may have been purged)")
        raise Conflict("another moderator has taken this item, or it was decided; take another")
    item = queue.get(item_id)
    assert item is not None
    return entry_of(item)


def claim_next(store: Store, settings: Settings, who: str, order: Order) -> Entry | None:
    item = queue_of(store).claim_next(who, settings.queue.claim_ttl_s, order)
    return None if item is None else entry_of(item)


def held(store: Store, who: str, item_id: int) -> Entry:
    """The item, when ``who`` holds a live claim on it; else ``Conflict``/``NotFound``."""
    item = queue_of(store).get(item_id)
    if item is None:
        raise NotFound("no such item in the review queue (it may have been purged)")
    if item.state != "claimed" or item.claimed_by != who:
        raise Conflict(LOST)
    return entry_of(item)


def skip(store: Store, who: str, item_id: int) -> None:
    queue_of(store).release(item_id, who)


def decide(
    store: Store,
    settings: Settings,
    who: str,
    item_id: int,
    account_id: str,
    decision: str,
    note: str = "",
) -> Decision:
    """Record the decision on a held item (``decisions.record_decision``: the audit log and
    the training labels) and mark it decided. Only the holder of a live claim can decide it."""
    entry = held(store, who, item_id)
    match = next((m for m in entry.verdict.matches if m.account_id == account_id), None)
    if match is None:
        raise InvalidInput(f"{account_id!r} is not one of this item's matches")
    queue = queue_of(store)
    if not queue.settle(item_id, who):
        raise Conflict(LOST)
    try:
        recorded = record_decision(
            store,
            who,
            profile=entry.item.profile,  # as scored, with whether it had an avatar
            account_id=account_id,
            decision=decision,
            note=note,
            score=match.score,
            band=match.band.value,
            model_version=entry.verdict.model_version,
            evidence=match.evidence,
            features=match.features,
            group=match.group,
        )
    except BaseException:
        queue.unsettle(item_id, who, settings.queue.claim_ttl_s)
        raise
    queue.note_decision(item_id, recorded.seq)
    return recorded


def verdict_json(v: Verdict) -> dict[str, Any]:
    """A verdict as the queue keeps it: everything the result page and a decision read."""
    return {
        "id": v.id,
        "score": v.score,
        "band": v.band.value,
        "band_reason": v.band_reason,
        "log_likelihood_ratio": v.log_likelihood_ratio,
        "prevalence": v.prevalence,
        "model_version": v.model_version,
        "matches": [_match_json(m) for m in v.matches],
        "compared": list(v.compared),
        "banks": list(v.banks),
        "allowed": [_match_json(m) for m in v.allowed],
    }


def _match_json(m: Match) -> dict[str, Any]:
    return {
        "account_id": m.account_id,
        "group": m.group,
        "score": m.score,
        "log_likelihood_ratio": m.log_likelihood_ratio,
        "band": m.band.value,
        "band_reason": m.band_reason,
        "bank": m.bank,
        "evidence": [[e.signal, e.contribution, e.detail, e.feature] for e in m.evidence],
        "features": [[f.signal, f.name, f.value, f.detail] for f in m.features],
        "account": None if m.account is None else profile_payload(m.account) | {
            "group": m.account.group},
    }  # fmt: skip


def verdict_of(raw: dict[str, Any]) -> Verdict:
    llr = raw.get("log_likelihood_ratio")
    return Verdict(
        id=str(raw.get("id", "")),
        score=float(raw["score"]),
        band=Band(raw["band"]),
        matches=tuple(_match_of(m) for m in raw.get("matches", [])),
        model_version=str(raw.get("model_version", "")),
        log_likelihood_ratio=None if llr is None else float(llr),
        prevalence=float(raw.get("prevalence", 0.0)),
        band_reason=str(raw.get("band_reason", "")),
        compared=tuple(str(c) for c in raw.get("compared", [])),
        banks=tuple(str(b) for b in raw.get("banks", [])),
        allowed=tuple(_match_of(m) for m in raw.get("allowed", [])),
    )


def _match_of(raw: dict[str, Any]) -> Match:
    account = raw.get("account")
    return Match(
        account_id=str(raw["account_id"]),
        group=str(raw.get("group", "")),
        score=float(raw["score"]),
        evidence=tuple(
            Evidence(str(s), float(c), str(d), str(f)) for s, c, d, f in raw.get("evidence", [])
        ),
        account=None if not isinstance(account, dict) else profile_of(account),
        features=tuple(
            PairFeature(str(s), str(n), float(v), str(d)) for s, n, v, d in raw.get("features", [])
        ),
        log_likelihood_ratio=float(raw.get("log_likelihood_ratio", 0.0)),
        band=Band(raw.get("band", "allow")),
        band_reason=str(raw.get("band_reason", "")),
        bank=str(raw.get("bank", "")),
    )


def profile_of(raw: dict[str, Any]) -> Profile:
    group = raw.get("group")
    return Profile(
        id=str(raw.get("id", "")),
        platform=str(raw.get("platform") or ""),
        handle=str(raw.get("handle") or ""),
        display_name=str(raw.get("display_name") or ""),
        bio=str(raw.get("bio") or ""),
        links=tuple(str(x) for x in raw.get("links") or ()),
        avatar_url=raw.get("avatar_url") or None,
        group=None if group is None else str(group),
    )
