"""Per-platform readers of server-rendered profile pages. Each reads its platform's own markup or
embedded JSON first and strips the platform's boilerplate (" on X", "• Instagram photos and
videos", follower counts); the generic OpenGraph reader fills whatever a platform reader leaves."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from service.ingest.page import (
    Fields,
    Page,
    clean,
    image_url,
    node_text,
    person,
    strings,
    text,
)

# --- X -------------------------------------------------------------------------------------------
_X_TITLE = re.compile(
    r"^(?P<name>.*?)\s*\(@(?P<handle>[A-Za-z0-9_]{1,15})\)\s*"
    r"(?:on X|/ X|on Twitter|/ Twitter)?\s*$",
    re.DOTALL,
)
_X_SIZE = re.compile(r"(/profile_images/[^/]+/[^/?]+?)_(?:normal|bigger|mini|200x200|400x400)\.")


def x(page: Page) -> Fields:
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


# --- Instagram -----------------------------------------------------------------------------------
_IG_TITLE = re.compile(
    r"^(?:(?P<name>.*?)\s*\()?@(?P<handle>[A-Za-z0-9._]{1,30})\)?\s*[•·]\s*Instagram\b.*$",
    re.DOTALL,
)
_IG_BIO = re.compile(r"\bon Instagram:\s*[\"“](?P<bio>.*)[\"”]\s*$", re.DOTALL)
_IG_COUNTS = re.compile(
    r"^[\d.,]+[KMB]? Followers?, [\d.,]+[KMB]? Following, [\d.,]+[KMB]? Posts?\b"
)


def instagram(page: Page) -> Fields:
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


# --- Facebook ------------------------------------------------------------------------------------
_FB_TITLE_TAIL = re.compile(
    r"\s*(?:[-–|]\s*(?:Home|Posts|About|Photos|Videos))?\s*\|\s*Facebook\s*$"
)
_FB_STAT = re.compile(
    r"^\s*[\d.,]+\s*[KkMm]?\s+(?:likes?|followers?|people follow this|talking about this|"
    r"were here|check-ins?)\s*[·.,]?\s*",
)
_FB_APP_ID = re.compile(r"fb://(?:page|profile)/(?:\?id=)?(\d{3,20})")
_FB_PAGE_ID = re.compile(r"(?<![A-Za-z])page_?id\W{1,12}(\d{6,20})", re.IGNORECASE)


def facebook(page: Page) -> Fields:
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


# --- Telegram ------------------------------------------------------------------------------------
_TG_DOMAIN = re.compile(r"tg://resolve\?domain=([A-Za-z0-9_]{4,32})")


def telegram(page: Page) -> Fields:
    fields = Fields()
    title = page.text_of(".tgme_page_title") or page.text_of(".tgme_channel_info_header_title")
    if title is None:  # t.me answers a generic "Contact @name" page for unknown names
        fields.notes.append("Telegram shows no public account under this name")
        return Fields(display_name="", bio="", avatar_url="", notes=fields.notes)
    fields.display_name = title
    fields.bio = (
        page.text_of(".tgme_page_description")
        or page.text_of(".tgme_channel_info_description")
        or ""
    )
    fields.avatar_url = page.attr_of("img.tgme_page_photo_image", "src")
    extra = page.text_of(".tgme_page_extra") or page.text_of(".tgme_channel_info_header_username")
    domain = _TG_DOMAIN.search(page.meta("al:android:url") or page.html)
    if extra and extra.startswith("@"):
        fields.handle = extra[1:].split()[0]
    elif domain:
        fields.handle = domain.group(1)
    return fields


# --- TikTok --------------------------------------------------------------------------------------
_TT_TITLE = re.compile(
    r"^(?P<name>.*?)\s*\(@(?P<handle>[A-Za-z0-9_.]{2,24})\)\s*(?:\|\s*TikTok|on TikTok)?\s*$"
)
_TT_DESCRIPTION = re.compile(
    r"^.*?\bon TikTok\s*\|\s*[\d.,]+[KMB]?\s+Likes\.\s*[\d.,]+[KMB]?\s+Followers\.\s*(?P<bio>.*?)"
    r"(?:\s*Watch the latest video from .*|\s*Watch [^.]*?popular videos: .*)?$",
    re.DOTALL,
)


def tiktok(page: Page) -> Fields:
    fields = Fields()
    data = page.script_json("script#__UNIVERSAL_DATA_FOR_REHYDRATION__")
    detail = _dig(data, "__DEFAULT_SCOPE__", "webapp.user-detail")
    user = _dig(detail, "userInfo", "user")
    if isinstance(user, dict) and text(user.get("uniqueId")):
        fields.display_name = text(user.get("nickname"))
        fields.handle = text(user.get("uniqueId"))
        fields.bio = text(user.get("signature"))
        fields.account_id = text(user.get("id")) or None
        avatars = [text(user.get(k)) for k in ("avatarMedium", "avatarLarger", "avatarThumb")]
        fields.avatar_url = next((a for a in avatars if a), None)
        link = _dig(user, "bioLink", "link")
        if isinstance(link, str):
            fields.links.append(link)
        return fields
    if isinstance(detail, dict) and detail.get("statusCode") not in (None, 0):
        fields.notes.append(f"TikTok reports status {detail.get('statusCode')} for this account")
    match = _TT_TITLE.match((page.meta("og:title", "twitter:title") or page.title or "").strip())
    if match:
        fields.display_name, fields.handle = match.group("name"), match.group("handle")
    description = _TT_DESCRIPTION.match(page.meta("og:description", "description") or "")
    if description:
        fields.bio = description.group("bio")
    return fields


# --- YouTube -------------------------------------------------------------------------------------
_YT_HANDLE = re.compile(r"/@([^/?#]+)")


def youtube(page: Page) -> Fields:
    fields = Fields()
    data = page.assigned_json("var ytInitialData = ") or page.assigned_json(
        'window["ytInitialData"] = '
    )
    channel = _dig(data, "metadata", "channelMetadataRenderer")
    if isinstance(channel, dict):
        fields.display_name = text(channel.get("title"))
        fields.bio = text(channel.get("description"))
        fields.account_id = text(channel.get("externalId")) or None
        thumbs = _dig(channel, "avatar", "thumbnails")
        sized = [(_width(t), text(t.get("url"))) for t in _list(thumbs) if isinstance(t, dict)]
        fields.avatar_url = (max(sized)[1] or None) if sized else None
        for url in strings(channel.get("vanityChannelUrl")) + strings(channel.get("ownerUrls")):
            handle = _YT_HANDLE.search(url)
            if handle:
                fields.handle = handle.group(1)
                break
    for links in _find_key(_dig(data, "header"), "channelHeaderLinksViewModel", depth=6):
        for key in ("firstLink", "moreLink"):
            content = _dig(links, key, "content")
            if isinstance(content, str) and "." in content and " " not in content:
                fields.links.append(content)
    if fields.display_name is None:
        fields.display_name = re.sub(r"\s*-\s*YouTube\s*$", "", page.meta("og:title") or "") or None
    return fields


# --- Bluesky -------------------------------------------------------------------------------------
_BSKY_TITLE = re.compile(r"^(?P<name>.*?)\s*\(@(?P<handle>[^()\s]+)\)\s*(?:[—-]\s*Bluesky)?$")


def bluesky(page: Page) -> Fields:
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


def whatsapp(page: Page) -> Fields:
    """Channel pages are plain OpenGraph; the generic reader does the work."""
    return Fields()


# --- shared --------------------------------------------------------------------------------------
def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _width(thumbnail: dict[str, Any]) -> int:
    width = thumbnail.get("width")
    return width if isinstance(width, int) else 0


def _find_key(value: Any, key: str, depth: int) -> list[Any]:
    """Every value stored under ``key`` within ``depth`` levels (YouTube moves things about)."""
    if depth < 0:
        return []
    found: list[Any] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend([v] if k == key else _find_key(v, key, depth - 1))
    elif isinstance(value, list):
        for v in value:
            found.extend(_find_key(v, key, depth - 1))
    return found


READERS: dict[str, Callable[[Page], Fields]] = {
    "x": x,
    "instagram": instagram,
    "facebook": facebook,
    "telegram": telegram,
    "tiktok": tiktok,
    "youtube": youtube,
    "bluesky": bluesky,
    "whatsapp": whatsapp,
}

# Substrings of platform placeholder images: an account with one of these has no avatar.
DEFAULT_AVATARS: dict[str, tuple[str, ...]] = {
    "x": ("abs.twimg.com/", "default_profile_images"),
    "instagram": ("44884218_345707102882519_2446069589734326272_n", "static.cdninstagram.com/"),
    "facebook": ("static.xx.fbcdn.net/rsrc.php",),
    "telegram": ("telegram.org/img/t_logo", "telegram.org/img/"),
    "tiktok": ("tiktok.com/api/img/",),
    "youtube": ("/a/default-user", "www.youtube.com/s/", "www.youtube.com/img/"),
    "bluesky": ("web-cdn.bsky.app/static/", "bsky.app/static/"),
    "whatsapp": ("static.whatsapp.net/rsrc.php",),
}
