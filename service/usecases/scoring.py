"""Score a profile, and score it again without its avatar when that avatar cannot be used."""

from __future__ import annotations

from dataclasses import dataclass, replace

from service.domain import Profile, Verdict
from service.errors import BadImage, PayloadTooLarge, UnsupportedMedia
from service.pipeline import Pipeline

UNUSABLE_AVATAR = (BadImage, UnsupportedMedia, PayloadTooLarge)


@dataclass(frozen=True, slots=True)
class Scored:
    profile: Profile  # what was scored: without the avatar when it was dropped
    verdict: Verdict
    avatar_dropped: str | None = None  # why the avatar was left out


def score_with_fallback(
    pipeline: Pipeline, profile: Profile, *, own_avatar: bool = False
) -> Scored:
    """The verdict on ``profile``. An avatar a platform served that cannot be used (unreadable,
    unsupported, too large) is dropped and the rest scored, saying why; an avatar the caller
    gave itself (``own_avatar``: a moderator's upload) is its error to fix, and raises."""
    try:
        return Scored(profile, pipeline.score(profile))
    except UNUSABLE_AVATAR as exc:
        if profile.avatar is None or own_avatar:
            raise
        bare = replace(profile, avatar=None)
        return Scored(bare, pipeline.score(bare), exc.detail)
