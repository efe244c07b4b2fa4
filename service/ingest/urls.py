"""Profile URLs in canonical form: which platform, which account, and the one URL to fetch.

A pasted URL is only read, never fetched: the fetch URL is rebuilt from the validated
(platform, handle or id), so nothing the user typed (query, fragment, odd host spellings, path
tricks) reaches the network. Handles are lower-cased where the platform treats them so. Each
platform's own rules live in its module under ``service/ingest/platforms/``."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from service.errors import FetchRefused, InvalidInput
from service.ingest import platforms
from service.ingest.platforms import CanonicalURL

__all__ = ["SUPPORTED", "CanonicalURL", "canonicalize"]

SUPPORTED = platforms.supported()


_BARE_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+\-]*):(?!\d)")


def canonicalize(url: str) -> CanonicalURL:
    """Parse a pasted profile URL; raise ``FetchRefused`` for anything that is not a web link to
    a supported platform and ``InvalidInput`` for a supported site's link that names no profile."""
    text = url.strip()
    if not text:
        raise InvalidInput(f"empty URL; paste a profile link on {SUPPORTED}")
    if len(text) > 2048:
        raise InvalidInput("the URL is longer than 2048 characters")
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\\" for ch in text):
        raise InvalidInput("the URL contains spaces, control characters or backslashes")
    if "://" not in text:
        bare_scheme = _BARE_SCHEME.match(text)
        if bare_scheme:  # mailto:, javascript:, tg: … (but not host:port)
            raise FetchRefused(
                f"{bare_scheme.group(1).lower()}: links are not supported; paste a "
                f"web link to {SUPPORTED}"
            )
        text = "https://" + text.removeprefix("//")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as err:
        raise InvalidInput(f"the URL cannot be parsed: {err}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"{scheme}:// links are not supported; paste a web link to {SUPPORTED}")
    if "@" in parts.netloc:
        raise FetchRefused("URLs with a user:password@ part are refused")
    if port not in (None, 80, 443):
        raise FetchRefused(f"profile links use the standard port, not {port}")
    host = (parts.hostname or "").rstrip(".")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    query = _query(parts.query)
    for platform in platforms.PLATFORMS:
        result = platform.canonicalise(host, segments, query)
        if result is not None:
            return result
    raise FetchRefused(
        f"{host[:100] or 'this URL'!r} is not a supported site; paste a link to "
        f"a profile on {SUPPORTED}"
    )


def _query(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in raw.split("&"):
        key, _, value = pair.partition("=")
        if key and key not in out:
            out[key] = unquote(value)
    return out
