"""Score a profile, and score it again without its avatar when that avatar cannot be used; a
verdict in the ``block`` or ``review`` band is an event for webhooks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from service.domain import Profile, Verdict
from service.errors import BadImage, MirrorscanError, PayloadTooLarge, UnsupportedMedia
from service.pipeline import Pipeline
from service.store.banks import BankScope
from service.usecases.webhooks import emit

UNUSABLE_AVATAR = (BadImage, UnsupportedMedia, PayloadTooLarge)
EVENT_BANDS = ("block", "review")


@dataclass(frozen=True, slots=True)
class Scored:
    profile: Profile  # what was scored: without the avatar when it was dropped
    verdict: Verdict
    avatar_dropped: str | None = None  # why the avatar was left out


def score_with_fallback(
    pipeline: Pipeline,
    profile: Profile,
    *,
    own_avatar: bool = False,
    scope: BankScope | None = None,
    limit: int | None = None,
) -> Scored:
    """The verdict on ``profile``. An avatar a platform served that cannot be used (unreadable,
    unsupported, too large) is dropped and the rest scored, saying why; an avatar the caller
    gave itself (``own_avatar``: a moderator's upload) is its error to fix, and raises."""
    try:
        scored = Scored(profile, pipeline.score(profile, scope, limit))
    except UNUSABLE_AVATAR as exc:
        if profile.avatar is None or own_avatar:
            raise
        bare = replace(profile, avatar=None)
        scored = Scored(bare, pipeline.score(bare, scope, limit), exc.detail)
    notify(pipeline, scored.profile, scored.verdict)
    return scored


def score_profiles(
    pipeline: Pipeline,
    profiles: Sequence[Profile],
    scope: BankScope | None = None,
    limit: int | None = None,
) -> list[Verdict | MirrorscanError]:
    """Verdicts (or each profile's own error), with the events of those in an event band."""
    results = pipeline.score_many(profiles, scope, limit)
    for profile, result in zip(profiles, results, strict=True):
        if isinstance(result, Verdict):
            notify(pipeline, profile, result)
    return results


def notify(pipeline: Pipeline, profile: Profile, verdict: Verdict) -> None:
    if verdict.band.value in EVENT_BANDS:
        emit(pipeline.store, verdict.band.value, verdict_event(profile, verdict))


def verdict_event(profile: Profile, verdict: Verdict) -> dict[str, Any]:
    """What a ``block``/``review`` event says: the profile (no avatar bytes), the band and why,
    and the matched accounts."""
    return {
        "profile": {
            "id": profile.id,
            "platform": profile.platform,
            "handle": profile.handle,
            "display_name": profile.display_name,
            "links": list(profile.links),
            "avatar_url": profile.avatar_url,
        },
        "score": round(verdict.score, 6),
        "band": verdict.band.value,
        "band_reason": verdict.band_reason,
        "model_version": verdict.model_version,
        "banks": list(verdict.banks),
        "matches": [
            {"account_id": m.account_id, "bank": m.bank, "group": m.group,
             "score": round(m.score, 6), "band": m.band.value}
            for m in verdict.matches
        ],
    }  # fmt: skip
