"""What one platform is, and the helpers its module shares with the others: a canonical profile
reference, the refusal for a link that names no profile, and small readers of embedded JSON."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.errors import InvalidInput
from service.ingest.page import Fields, Page


@dataclass(frozen=True, slots=True)
class CanonicalURL:
    """A profile reference. ``short_link`` URLs (TikTok vm./vt.) name no account until the
    fetcher resolves their redirect; ``page_url`` is then the short link itself."""

    platform: str
    handle: str | None
    account_id: str | None
    page_url: str
    short_link: bool = False

    @property
    def key(self) -> str:
        """Stable identity ``platform:handle`` (or ``platform:id``): the Profile id."""
        return f"{self.platform}:{self.handle or self.account_id or ''}"


# (host, path segments, query) -> the profile it names; None: not this platform's host; raises
# ``InvalidInput`` for this platform's links that name no profile
Canonicalise = Callable[[str, list[str], dict[str, str]], CanonicalURL | None]


@dataclass(frozen=True, slots=True)
class Platform:
    """Everything the service knows of one platform. Host entries are exact names; a leading dot
    (``.fbcdn.net``) allows any subdomain."""

    key: str  # "x": the ``platform`` field of profiles
    label: str  # for people: "X (Twitter)"
    supported: str  # the profile links it reads, for error messages: "X (x.com/<handle>)"
    page_hosts: tuple[str, ...]  # where its profile pages may be fetched from
    image_hosts: tuple[str, ...]  # where its avatars may be fetched from
    placeholder_avatars: tuple[str, ...]  # substrings of its default pictures: no avatar
    canonicalise: Canonicalise
    extract: Callable[[Page], Fields]  # its own reading of a profile page (OpenGraph fills in)


def not_profile(platform: str, what: str, example: str) -> InvalidInput:
    return InvalidInput(f"this {platform} link points to {what}, not to a profile; paste {example}")


def strip_prefix(host: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def thumbnail_width(thumbnail: dict[str, Any]) -> int:
    width = thumbnail.get("width")
    return width if isinstance(width, int) else 0


def find_key(value: Any, key: str, depth: int) -> list[Any]:
    """Every value stored under ``key`` within ``depth`` levels (YouTube moves things about)."""
    if depth < 0:
        return []
    found: list[Any] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend([v] if k == key else find_key(v, key, depth - 1))
    elif isinstance(value, list):
        for v in value:
            found.extend(find_key(v, key, depth - 1))
    return found
