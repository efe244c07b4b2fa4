"""Facebook: profile URLs, page reading, hosts and placeholder avatars."""

from __future__ import annotations

import re

from service.ingest.page import Fields, Page, clean
from service.ingest.platforms.base import CanonicalURL, Platform, not_profile

_FB_LOCALE = re.compile(r"^(?:www|m|mbasic|web|touch|business|[a-z]{2}-[a-z]{2}|[a-z]{2})\.")
_FB_VANITY = re.compile(r"^([A-Za-z0-9.\-]{1,80})$")
_FB_ID = re.compile(r"^[0-9]{1,20}$")
_FB_RESERVED = {
    "groups",
    "events",
    "watch",
    "marketplace",
    "gaming",
    "login",
    "login.php",
    "help",
    "share",
    "sharer",
    "sharer.php",
    "photo",
    "photo.php",
    "photos",
    "story.php",
    "permalink.php",
    "hashtag",
    "dialog",
    "plugins",
    "privacy",
    "policies",
    "settings",
    "notifications",
    "messages",
    "friends",
    "reel",
    "reels",
    "videos",
    "video.php",
    "stories",
    "search",
    "home.php",
    "l.php",
    "business",
    "ads",
    "fundraisers",
    "media",
    "legal",
    "terms",
    "recover",
    "checkpoint",
    "bookmarks",
    "saved",
    "live",
    "news",
    "jobs",
    "places",
    "lite",
    "mobile",
    "l",
    "public",
    "pages",
    "pg",
    "people",
    "profile.php",
    "p",
    "watchparty",
    "feeds",
    "composer",
    "tr",
    "r.php",
    "ajax",
}


def _canonical(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    prefix = _FB_LOCALE.match(host)
    base = host[prefix.end() :] if prefix else host
    if base not in ("facebook.com", "fb.com") and host not in ("facebook.com", "fb.com"):
        return None
    example = "facebook.com/<name> or facebook.com/profile.php?id=<number>"
    if seg[:1] == ["profile.php"]:
        return _fb_id(query.get("id", ""), example)
    if seg[:1] in (["people"], ["pages"]) and len(seg) >= 2:
        return _fb_id(seg[2] if len(seg) > 2 else "", example)  # /people/<name>/<id>
    if seg[:1] == ["p"] and len(seg) >= 2:
        return _fb_id(seg[1].rsplit("-", 1)[-1], example)  # /p/<Name>-<id>/
    if seg[:1] == ["pg"] and len(seg) >= 2:
        seg = seg[1:]
    if not seg:
        raise not_profile("Facebook", "the home page", example)
    if _FB_ID.match(seg[0]):
        return _fb_id(seg[0], example)
    match = _FB_VANITY.match(seg[0])
    if match is None or seg[0].lower() in _FB_RESERVED:
        raise not_profile("Facebook", f"a /{seg[0][:40]} page", example)
    name = match.group(1).lower()
    return CanonicalURL("facebook", name, None, f"https://m.facebook.com/{name}")


def _fb_id(value: str, example: str) -> CanonicalURL:
    if not _FB_ID.match(value):
        raise not_profile("Facebook", "a page without a valid numeric profile id", example)
    return CanonicalURL("facebook", None, value, f"https://m.facebook.com/profile.php?id={value}")


_FB_TITLE_TAIL = re.compile(
    r"\s*(?:[-–|]\s*(?:Home|Posts|About|Photos|Videos))?\s*\|\s*Facebook\s*$"
)
_FB_STAT = re.compile(
    r"^\s*[\d.,]+\s*[KkMm]?\s+(?:likes?|followers?|people follow this|talking about this|"
    r"were here|check-ins?)\s*[·.,]?\s*",
)
_FB_APP_ID = re.compile(r"fb://(?:page|profile)/(?:\?id=)?(\d{3,20})")
_FB_PAGE_ID = re.compile(r"(?<![A-Za-z])page_?id\W{1,12}(\d{6,20})", re.IGNORECASE)


def _extract(page: Page) -> Fields:
    fields = Fields()
    name = page.meta("og:title") or _FB_TITLE_TAIL.sub("", page.title or "") or None
    fields.display_name = name
    bio = clean(page.meta("og:description", "description"))
    if name and bio.startswith(f"{name}."):
        bio = bio[len(name) + 1 :]
    while (stat := _FB_STAT.match(bio)) is not None:
        bio = bio[stat.end() :]
    fields.bio = bio if bio or page.meta("og:description") else None
    app_link = page.meta("al:android:url", "al:ios:url") or ""
    app_id = _FB_APP_ID.search(app_link)
    if app_id:
        fields.account_id = app_id.group(1)
    else:  # mobile pages carry the page id in their scripts; trust it only when unambiguous
        ids = set(_FB_PAGE_ID.findall(page.html))
        fields.account_id = ids.pop() if len(ids) == 1 else None
    return fields


PLATFORM = Platform(
    key="facebook",
    label="Facebook",
    supported="Facebook (facebook.com/<name> or profile.php?id=<id>)",
    page_hosts=("m.facebook.com", "www.facebook.com", "facebook.com"),
    image_hosts=(".fbcdn.net",),
    placeholder_avatars=("static.xx.fbcdn.net/rsrc.php",),
    canonicalise=_canonical,
    extract=_extract,
)
