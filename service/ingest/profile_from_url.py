"""A pasted profile URL to a ``Profile``: canonicalise, resolve short links, fetch the page,
extract, fetch the avatar. The API's ``POST /v1/score/url`` and the CLI's ``extract`` call this."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from service.config import Settings
from service.domain import Profile
from service.errors import FetchFailed, FetchRefused, InvalidInput, MirrorscanError, PayloadTooLarge
from service.ingest.extract import MAX_HTML_CHARS, ExtractedProfile, extract_profile, wall_reason
from service.ingest.fetch import BY_HAND, FetchedPage, SafeFetcher
from service.ingest.urls import CanonicalURL, canonicalize

MAX_SHORT_LINK_HOPS = 3


class ProfileFetcher(Protocol):
    """What ``profile_from_url`` needs from a fetcher; ``SafeFetcher`` is the real one."""

    async def fetch_page(self, url: str, platform: str | None = None) -> FetchedPage: ...

    async def fetch_image(self, url: str, platform: str | None = None) -> bytes: ...

    async def resolve_redirect(self, url: str, platform: str | None = None) -> str: ...


async def profile_from_url(url: str, fetcher: ProfileFetcher) -> tuple[Profile, ExtractedProfile]:
    """The profile behind ``url`` (``Profile.id`` is the canonical ``platform:handle``) and what
    was extracted, with notes. Raises ``FetchRefused``/``InvalidInput`` for URLs it will not
    read and ``FetchFailed`` (telling the moderator to enter the fields by hand) for pages that
    cannot be read. A failed avatar fetch leaves the profile without avatar bytes, noted."""
    canonical = await resolve_short_link(canonicalize(url), fetcher)
    page = await fetcher.fetch_page(canonical.page_url, canonical.platform)
    text = page.text
    wall = wall_reason(text)
    if wall:
        raise FetchFailed(f"{wall}; {BY_HAND}")
    extracted = extract_profile(text, canonical)
    if extracted.is_empty:
        why = "; ".join(extracted.notes) or "a login wall or a page that needs JavaScript"
        raise FetchFailed(f"the page carries no profile data ({why}); {BY_HAND}")
    avatar: bytes | None = None
    if extracted.avatar_url:
        try:
            avatar = await fetcher.fetch_image(extracted.avatar_url, canonical.platform)
        except (FetchFailed, FetchRefused) as err:
            extracted = replace(
                extracted, notes=(*extracted.notes, f"avatar not fetched: {err.detail}")
            )
    profile = Profile(
        id=canonical.key,
        platform=canonical.platform,
        handle=extracted.handle,
        display_name=extracted.display_name,
        bio=extracted.bio,
        links=extracted.links,
        avatar=avatar,
        avatar_url=extracted.avatar_url,
    )
    return profile, extracted


async def resolve_short_link(canonical: CanonicalURL, fetcher: ProfileFetcher) -> CanonicalURL:
    """Follow a short link's redirects (each through the safe fetcher) until a profile URL of the
    same platform appears; the page URL is then rebuilt from that canonical form."""
    for _ in range(MAX_SHORT_LINK_HOPS):
        if not canonical.short_link:
            return canonical
        location = await fetcher.resolve_redirect(canonical.page_url, canonical.platform)
        try:
            target = canonicalize(location)
        except MirrorscanError as err:
            raise FetchFailed(f"the short link does not lead to a profile: {err.detail}") from None
        if target.platform != canonical.platform:
            raise FetchRefused(f"the {canonical.platform} short link leads off the platform")
        canonical = target
    if canonical.short_link:
        raise FetchFailed(f"the short link still redirects after {MAX_SHORT_LINK_HOPS} hops")
    return canonical


def extract_command(
    url: str, html: Path | None, settings: Settings | None = None
) -> dict[str, Any]:
    """``mirrorscan extract URL [--html FILE]``: the extracted profile as a JSON-ready dict.
    With ``html`` the page is read from that file and nothing touches the network."""
    canonical = canonicalize(url)
    if html is None:
        return asyncio.run(_fetch_and_extract(url, settings or Settings())).as_json()
    if canonical.short_link:
        raise InvalidInput(
            "a short link names no account until it is resolved over the network; "
            "paste the full profile URL or leave out --html"
        )
    return extract_profile(read_html(html), canonical).as_json()


def read_html(path: Path) -> str:
    """A saved page, size-capped, decoded as UTF-8 (undecodable bytes replaced)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_HTML_CHARS + 1)
    except OSError as err:
        raise InvalidInput(f"cannot read {path}: {err.strerror}") from None
    if len(data) > MAX_HTML_CHARS:
        raise PayloadTooLarge(f"{path} is larger than {MAX_HTML_CHARS:,} bytes")
    return data.decode("utf-8", errors="replace")


async def _fetch_and_extract(url: str, settings: Settings) -> ExtractedProfile:
    async with SafeFetcher(settings.fetch) as fetcher:
        _, extracted = await profile_from_url(url, fetcher)
    return extracted
