"""The platforms the service reads, one module each (URL rules, page reading, hosts, placeholder
avatars, label), registered here in the order URLs are tried and forms list them. Adding a
platform is one module and one line below."""

from __future__ import annotations

from service.ingest.platforms import (
    bluesky,
    facebook,
    instagram,
    telegram,
    tiktok,
    whatsapp,
    x,
    youtube,
)
from service.ingest.platforms.base import CanonicalURL, Platform

__all__ = ["PLATFORMS", "CanonicalURL", "Platform", "get", "image_hosts", "page_hosts"]

PLATFORMS: tuple[Platform, ...] = tuple(
    m.PLATFORM for m in (x, instagram, facebook, telegram, whatsapp, tiktok, youtube, bluesky)
)
_BY_KEY = {p.key: p for p in PLATFORMS}


def get(key: str) -> Platform | None:
    return _BY_KEY.get(key)


def page_hosts() -> dict[str, tuple[str, ...]]:
    """Each platform's page hosts: the fetcher's allow-list unless settings replace it."""
    return {p.key: p.page_hosts for p in PLATFORMS}


def image_hosts() -> dict[str, tuple[str, ...]]:
    """Each platform's avatar hosts: the fetcher's allow-list unless settings replace it."""
    return {p.key: p.image_hosts for p in PLATFORMS}


def supported() -> str:
    """The profile links the service reads, for people: "X (x.com/<handle>), … and Bluesky …"."""
    phrases = [p.supported for p in PLATFORMS]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]
