"""A profile's ``avatar_url``, fetched through the SSRF-safe fetcher from the platform's image
hosts (any supported platform's when the profile names none), so a scored avatar given by URL is
compared, or refused with a problem that says why, never silently ignored."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from service.domain import Profile
from service.errors import FetchFailed, FetchRefused
from service.ingest import platforms


class ImageFetcher(Protocol):
    async def fetch_image(self, url: str, platform: str | None = None) -> bytes: ...


async def with_avatar(profile: Profile, fetcher: ImageFetcher) -> Profile:
    """The profile with its avatar bytes: as given, else fetched from ``avatar_url``."""
    if profile.avatar is not None or not profile.avatar_url:
        return profile
    key = profile.platform.strip().casefold()
    platform = key if key in platforms.image_hosts() else None
    try:
        data = await fetcher.fetch_image(profile.avatar_url, platform)
    except FetchRefused as exc:
        raise FetchRefused(f"avatar_url refused: {exc.detail}") from None
    except FetchFailed as exc:
        raise FetchFailed(f"avatar_url could not be fetched: {exc.detail}") from None
    return replace(profile, avatar=data)
