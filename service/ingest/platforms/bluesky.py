"""Bluesky: profile URLs, page reading, hosts and placeholder avatars."""

from __future__ import annotations

import re

from service.ingest.page import Fields, Page, node_text
from service.ingest.platforms.base import CanonicalURL, Platform, not_profile, strip_prefix

_BSKY_HANDLE = re.compile(r"^@?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61})$")
_BSKY_DID = re.compile(r"^did:(?:plc:[a-z2-7]{24}|web:[a-z0-9.\-]{1,253})$")


def _canonical(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    if strip_prefix(host, ("www.",)) != "bsky.app":
        return None
    example = "bsky.app/profile/<handle>"
    if len(seg) < 2 or seg[0] != "profile":
        raise not_profile("Bluesky", "a page other than a profile", example)
    actor = seg[1].lower()
    if _BSKY_DID.match(actor):
        return CanonicalURL("bluesky", None, actor, f"https://bsky.app/profile/{actor}")
    match = _BSKY_HANDLE.match(actor)
    if match is None:
        raise not_profile("Bluesky", "a profile without a valid handle", example)
    handle = match.group(1)
    return CanonicalURL("bluesky", handle, None, f"https://bsky.app/profile/{handle}")


_BSKY_TITLE = re.compile(r"^(?P<name>.*?)\s*\(@(?P<handle>[^()\s]+)\)\s*(?:[—-]\s*Bluesky)?$")


def _extract(page: Page) -> Fields:
    fields = Fields()
    match = _BSKY_TITLE.match((page.meta("og:title") or page.title or "").strip())
    if match:
        fields.display_name, fields.handle = match.group("name"), match.group("handle")
    fields.handle = page.meta("profile:username") or page.text_of("#bsky_handle") or fields.handle
    name = page.text_of("#bsky_display_name")
    if name:
        fields.display_name = name
    summary = page.tree.css_first("#bsky_profile_description")
    if summary is not None:
        fields.bio = node_text(summary)
    return fields


PLATFORM = Platform(
    key="bluesky",
    label="Bluesky",
    supported="Bluesky (bsky.app/profile/<handle>)",
    page_hosts=("bsky.app",),
    image_hosts=("cdn.bsky.app",),
    placeholder_avatars=("web-cdn.bsky.app/static/", "bsky.app/static/"),
    canonicalise=_canonical,
    extract=_extract,
)
