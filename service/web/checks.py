"""Checks between the POST that runs them and the GET that shows them (post-redirect-get).

A check's result is kept in the store for ``web.check_ttl_s`` under a random id (the page-record
kind ``check``, bounded to ``web.max_checks``, oldest dropped): the checked profile without its
avatar bytes, a small re-encoded thumbnail of the avatar, and the verdict as JSON. The avatar
never travels in a cookie or a URL. The record belongs to the moderator who ran the check; any
replica on the store can show it, so no sticky sessions are needed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from service.domain import Band, Evidence, Match, PairFeature, Profile, Verdict
from service.store.records import PageRecords


@dataclass(frozen=True, slots=True)
class CheckRecord:
    id: str
    owner: str  # the principal label of the moderator who ran it
    created: float  # time.time()
    profile: Profile  # avatar bytes removed
    avatar_thumb: bytes | None  # WEBP re-encoded by the service
    verdict: Verdict
    source_url: str | None = None
    notes: tuple[str, ...] = ()


def save_check(
    records: PageRecords,
    owner: str,
    profile: Profile,
    verdict: Verdict,
    avatar_thumb: bytes | None = None,
    source_url: str | None = None,
    notes: tuple[str, ...] = (),
) -> CheckRecord:
    """Keep a check's result in the store (blocking: call it from a thread)."""
    profile = replace(profile, avatar=None)
    data = {
        "profile": profile_json(profile),
        "verdict": verdict_json(verdict),
        "source_url": source_url,
        "notes": list(notes),
    }
    stored = records.put(owner, data, avatar_thumb)
    return CheckRecord(
        stored.id, owner, stored.created_at, profile, avatar_thumb, verdict, source_url, notes
    )


def load_check(records: PageRecords, check_id: str, owner: str) -> CheckRecord | None:
    """The check, if it exists, has not expired, and belongs to ``owner`` (blocking)."""
    stored = records.get(check_id, owner)
    if stored is None:
        return None
    d = stored.data
    return CheckRecord(
        id=stored.id,
        owner=stored.owner,
        created=stored.created_at,
        profile=profile_of(d["profile"]),
        avatar_thumb=stored.blob,
        verdict=verdict_of(d["verdict"]),
        source_url=d.get("source_url"),
        notes=tuple(d.get("notes") or ()),
    )


def profile_json(p: Profile) -> dict[str, Any]:
    return {
        "id": p.id,
        "platform": p.platform,
        "handle": p.handle,
        "display_name": p.display_name,
        "bio": p.bio,
        "links": list(p.links),
        "avatar_url": p.avatar_url,
        "group": p.group,
    }


def profile_of(d: dict[str, Any]) -> Profile:
    return Profile(
        id=d["id"],
        platform=d["platform"],
        handle=d["handle"],
        display_name=d["display_name"],
        bio=d["bio"],
        links=tuple(d["links"]),
        avatar_url=d["avatar_url"],
        group=d["group"],
    )


def verdict_json(v: Verdict) -> dict[str, Any]:
    return {
        "id": v.id,
        "score": v.score,
        "band": v.band.value,
        "matches": [_match_json(m) for m in v.matches],
        "model_version": v.model_version,
        "timings_ms": dict(v.timings_ms),
        "log_likelihood_ratio": v.log_likelihood_ratio,
        "prevalence": v.prevalence,
        "band_reason": v.band_reason,
    }


def verdict_of(d: dict[str, Any]) -> Verdict:
    return Verdict(
        id=d["id"],
        score=d["score"],
        band=Band(d["band"]),
        matches=tuple(_match_of(m) for m in d["matches"]),
        model_version=d["model_version"],
        timings_ms=dict(d["timings_ms"]),
        log_likelihood_ratio=d["log_likelihood_ratio"],
        prevalence=d["prevalence"],
        band_reason=d["band_reason"],
    )


def _match_json(m: Match) -> dict[str, Any]:
    return {
        "account_id": m.account_id,
        "group": m.group,
        "score": m.score,
        "evidence": [[e.signal, e.contribution, e.detail, e.feature] for e in m.evidence],
        "account": None if m.account is None else profile_json(m.account),
        "features": [[f.signal, f.name, f.value, f.detail] for f in m.features],
        "log_likelihood_ratio": m.log_likelihood_ratio,
        "band": m.band.value,
        "band_reason": m.band_reason,
    }


def _match_of(d: dict[str, Any]) -> Match:
    return Match(
        account_id=d["account_id"],
        group=d["group"],
        score=d["score"],
        evidence=tuple(Evidence(*e) for e in d["evidence"]),
        account=None if d["account"] is None else profile_of(d["account"]),
        features=tuple(PairFeature(*f) for f in d["features"]),
        log_likelihood_ratio=d["log_likelihood_ratio"],
        band=Band(d["band"]),
        band_reason=d["band_reason"],
    )
