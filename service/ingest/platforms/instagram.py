"""Instagram: profile URLs, page reading, hosts and placeholder avatars."""

from __future__ import annotations

import re

from service.ingest.page import Fields, Page
from service.ingest.platforms.base import CanonicalURL, Platform, not_profile, strip_prefix

_IG_USER = re.compile(r"^@?([A-Za-z0-9._]{1,30})$")
_IG_RESERVED = {
    "p",
    "reel",
    "reels",
    "tv",
    "stories",
    "explore",
    "accounts",
    "direct",
    "about",
    "legal",
    "developer",
    "web",
    "challenge",
    "emails",
    "session",
    "privacy",
    "graphql",
    "api",
    "static",
    "press",
    "directory",
    "topics",
    "lite",
    "download",
    "oauth",
    "ar",
    "highlights",
    "_n",
}


def _canonical(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    if strip_prefix(host, ("www.", "m.")) not in ("instagram.com", "instagr.am"):
        return None
    example = "instagram.com/<user>"
    if seg[:1] == ["_u"]:
        seg = seg[1:]
    elif seg[:1] == ["stories"] and len(seg) >= 2:
        seg = seg[1:]  # /stories/<user>/<id> names its author
    if not seg:
        raise not_profile("Instagram", "the home page", example)
    match = _IG_USER.match(seg[0])
    if match is None or match.group(1).lower() in _IG_RESERVED:
        raise not_profile("Instagram", f"a /{seg[0][:40]} page (a post, reel or story)", example)
    user = match.group(1).lower()
    return CanonicalURL("instagram", user, None, f"https://www.instagram.com/{user}/")


_IG_TITLE = re.compile(
    r"^(?:(?P<name>.*?)\s*\()?@(?P<handle>[A-Za-z0-9._]{1,30})\)?\s*[•·]\s*Instagram\b.*$",
    re.DOTALL,
)
_IG_BIO = re.compile(r"\bon Instagram:\s*[\"“](?P<bio>.*)[\"”]\s*$", re.DOTALL)
_IG_COUNTS = re.compile(
    r"^[\d.,]+[KMB]? Followers?, [\d.,]+[KMB]? Following, [\d.,]+[KMB]? Posts?\b"
)


def _extract(page: Page) -> Fields:
    fields = Fields()
    match = _IG_TITLE.match((page.meta("og:title") or page.title or "").strip())
    if match:
        fields.display_name = match.group("name") or ""
        fields.handle = match.group("handle")
    description = page.meta("description") or ""
    bio = _IG_BIO.search(description)
    if bio:
        fields.bio = bio.group("bio")
    elif _IG_COUNTS.match(page.meta("og:description", "description") or ""):
        fields.bio = ""  # only follower counts and "See Instagram photos and videos from …"
    return fields


PLATFORM = Platform(
    key="instagram",
    label="Instagram",
    supported="Instagram (instagram.com/<user>)",
    page_hosts=("www.instagram.com", "instagram.com"),
    image_hosts=(".cdninstagram.com", ".fbcdn.net"),
    placeholder_avatars=(
        "44884218_345707102882519_2446069589734326272_n",
        "static.cdninstagram.com/",
    ),
    canonicalise=_canonical,
    extract=_extract,
)
