"""X (Twitter): profile URLs, page reading, hosts and placeholder avatars."""

from __future__ import annotations

import re

from service.ingest.page import Fields, Page, clean, image_url, person, text
from service.ingest.platforms.base import CanonicalURL, Platform, not_profile, strip_prefix

_X_HOSTS = {"x.com", "twitter.com"}
_X_HANDLE = re.compile(r"^@?([A-Za-z0-9_]{1,15})$")
_X_RESERVED = {
    "home",
    "i",
    "search",
    "intent",
    "explore",
    "notifications",
    "messages",
    "settings",
    "login",
    "logout",
    "signup",
    "share",
    "hashtag",
    "tos",
    "privacy",
    "compose",
    "account",
    "about",
    "download",
    "jobs",
    "lists",
    "topics",
    "bookmarks",
    "communities",
    "premium",
    "follower_requests",
    "who_to_follow",
    "connect_people",
    "oauth",
    "signin",
    "help",
    "en",
    "status",
    "statuses",
}


def _canonical(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    if strip_prefix(host, ("www.", "mobile.", "m.")) not in _X_HOSTS:
        return None
    example = "x.com/<handle>"
    if not seg:
        raise not_profile("X", "the home page", example)
    match = _X_HANDLE.match(seg[0])
    if match is None or match.group(1).lower() in _X_RESERVED:
        raise not_profile("X", f"a /{seg[0][:40]} page", example)
    handle = match.group(1).lower()
    return CanonicalURL("x", handle, None, f"https://x.com/{handle}")


_X_TITLE = re.compile(
    r"^(?P<name>.*?)\s*\(@(?P<handle>[A-Za-z0-9_]{1,15})\)\s*"
    r"(?:on X|/ X|on Twitter|/ Twitter)?\s*$",
    re.DOTALL,
)
_X_SIZE = re.compile(r"(/profile_images/[^/]+/[^/?]+?)_(?:normal|bigger|mini|200x200|400x400)\.")


def _extract(page: Page) -> Fields:
    fields = Fields()
    title = page.meta("og:title", "title", "twitter:title") or page.title or ""
    match = _X_TITLE.match(title.strip())
    if match:
        fields.display_name, fields.handle = match.group("name"), match.group("handle")
        fields.bio = page.meta("og:description", "description")
    entity = person(page)
    if entity is not None:
        fields.bio = text(entity.get("description")) or fields.bio
        fields.avatar_url = image_url(entity.get("image"))
    avatar = fields.avatar_url or page.meta("og:image", "twitter:image")
    if avatar and "pbs.twimg.com" in avatar:  # ask for the 400x400 rendition, as X's UI does
        avatar = _X_SIZE.sub(r"\1_400x400.", avatar)
    fields.avatar_url = avatar
    # X shortens every link to t.co; a rendered page shows the real address in the anchor text.
    for anchor in page.tree.css(
        '[data-testid="UserDescription"] a, [data-testid="UserUrl"] a, a[data-testid="UserUrl"]'
    ):
        href, shown = anchor.attributes.get("href") or "", clean(anchor.text())
        if href.startswith("https://t.co/") and "." in shown and " " not in shown:
            fields.expansions[href] = shown if "://" in shown else "https://" + shown
    return fields


PLATFORM = Platform(
    key="x",
    label="X (Twitter)",
    supported="X (x.com/<handle>)",
    page_hosts=("x.com", "twitter.com", "mobile.x.com", "mobile.twitter.com"),
    image_hosts=("pbs.twimg.com",),
    placeholder_avatars=("abs.twimg.com/", "default_profile_images"),
    canonicalise=_canonical,
    extract=_extract,
)
