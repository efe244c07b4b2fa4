"""Exact lookup keys of a profile: its handle, its (platform, handle) identity and its contacts.
They find candidates that no vector would (a new name with the same Telegram link)."""

from __future__ import annotations

import re
import unicodedata

from service.domain import Profile

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def handle_key(handle: str) -> str:
    return unicodedata.normalize("NFKC", handle).strip().lstrip("@").casefold()


def link_key(link: str) -> str:
    """``https://www.T.me/Foo/`` -> ``t.me/foo``: scheme, ``www.``, query and trailing ``/`` go."""
    s = unicodedata.normalize("NFKC", link).strip().casefold()
    s = _SCHEME.sub("", s)
    s = s.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return s.removeprefix("www.")


def profile_keys(profile: Profile) -> frozenset[str]:
    keys: set[str] = set()
    handle = handle_key(profile.handle)
    if handle:
        keys.add(f"handle:{handle}")
        if profile.platform:
            keys.add(f"account:{profile.platform.casefold()}/{handle}")
    for link in profile.links:
        key = link_key(link)
        if key:
            keys.add(f"contact:{key}")
    return frozenset(keys)
