"""The check form to a scored profile: read the page behind a pasted URL (through the SSRF-safe
fetcher), let fields typed by hand fill or override what the page said, take an uploaded avatar,
and score it through the pipeline on the runtime's executor."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from service.domain import Profile, Verdict
from service.errors import FetchFailed, InvalidInput
from service.ingest import platforms
from service.ingest.profile_from_url import profile_from_url
from service.ingest.urls import canonicalize
from service.runtime import Runtime
from service.usecases.scoring import score_with_fallback

PLATFORMS: tuple[tuple[str, str], ...] = tuple((p.key, p.label) for p in platforms.PLATFORMS)
_LINK_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True)
class CheckForm:
    """What the moderator typed; every field may be empty."""

    profile_url: str = ""
    platform: str = ""
    display_name: str = ""
    handle: str = ""
    bio: str = ""
    links: str = ""
    avatar: bytes | None = None

    @property
    def typed(self) -> bool:
        return any((self.display_name, self.handle, self.bio, self.links, self.avatar))

    def link_list(self) -> tuple[str, ...]:
        return tuple(x for x in _LINK_SPLIT.split(self.links.strip()) if x)


@dataclass(frozen=True, slots=True)
class Checked:
    profile: Profile
    verdict: Verdict
    thumbnail: bytes | None
    notes: tuple[str, ...]


async def run_check(runtime: Runtime, form: CheckForm) -> Checked:
    """Score what the form describes. A page that cannot be read is an error, unless fields were
    typed by hand: then those are scored and the failure is noted."""
    url = form.profile_url.strip()
    notes: list[str] = []
    if url:
        try:
            fetched, extracted = await profile_from_url(url, runtime.fetcher)
            notes.extend(extracted.notes)
            profile = _overlay(fetched, form)
        except FetchFailed as exc:
            if not form.typed:
                raise
            notes.append(f"the page could not be read ({exc.detail}); scored the typed fields")
            canonical = canonicalize(url)
            platform = form.platform.strip() or canonical.platform
            profile = _overlay(Profile(id=canonical.key, platform=platform), form)
    else:
        if not form.typed:
            raise InvalidInput("paste a profile URL, or type at least a name, handle or bio")
        profile = _overlay(Profile(id=_hand_id(form)), form)
    pipeline = runtime.pipeline
    # the moderator's own upload, if unusable, is an error on the form; the page's is dropped
    own = form.avatar is not None
    scored = await runtime.run(score_with_fallback, pipeline, profile, own_avatar=own)
    if scored.avatar_dropped:
        notes.append(f"the page's avatar was not used: {scored.avatar_dropped}")
    profile = scored.profile
    thumb = await runtime.run(pipeline.thumbnail_of, profile.avatar) if profile.avatar else None
    return Checked(profile, scored.verdict, thumb, tuple(notes))


def _overlay(base: Profile, form: CheckForm) -> Profile:
    """Fields typed by hand win over what the page said; empty ones leave it."""
    return replace(
        base,
        platform=form.platform.strip() or base.platform,
        display_name=form.display_name.strip() or base.display_name,
        handle=form.handle.strip().lstrip("@") or base.handle,
        bio=form.bio.strip() or base.bio,
        links=form.link_list() or base.links,
        avatar=form.avatar or base.avatar,
    )


def _hand_id(form: CheckForm) -> str:
    handle = form.handle.strip().lstrip("@")
    if not handle:
        return "typed-by-hand"
    return f"{form.platform.strip() or 'unknown'}:{handle}"[:200]
