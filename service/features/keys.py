"""Exact lookup keys of a profile: its handle, its (platform, handle) identity and its contacts.
They find candidates that no vector would (a new name with the same Telegram link)."""

from __future__ import annotations

import unicodedata

from service.domain import Profile
from service.features.contacts import STRONG_KINDS, extract_contacts


def handle_key(handle: str) -> str:
    return unicodedata.normalize("NFKC", handle).strip().lstrip("@").casefold()


def profile_keys(profile: Profile) -> frozenset[str]:
    """The keys a banned account is stored under."""
    keys: set[str] = set()
    handle = handle_key(profile.handle)
    if handle:
        keys.add(f"handle:{handle}")
        if profile.platform:
            keys.add(f"account:{profile.platform.casefold()}/{handle}")
    for contact in extract_contacts(profile.bio, profile.links):
        if contact.kind in STRONG_KINDS:
            keys.add(f"contact:{contact.key}")
    return frozenset(keys)


def lookup_keys(profile: Profile) -> frozenset[str]:
    """The keys a checked profile looks up: its own, plus the handles its bio mentions or links
    to (a mirror often names the account it replaces: "backup of @ttp_media", t.me/ttp_media)."""
    mentions = {
        f"handle:{c.value}"
        for c in extract_contacts(profile.bio, profile.links)
        if c.kind in ("mention", "telegram")
    }
    return profile_keys(profile) | mentions
