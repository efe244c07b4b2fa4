"""YouTube: profile URLs, page reading, hosts and placeholder avatars."""

from __future__ import annotations

import re
from urllib.parse import quote

from service.ingest.page import Fields, Page, strings, text
from service.ingest.platforms.base import (
    CanonicalURL,
    Platform,
    as_list,
    dig,
    find_key,
    not_profile,
    strip_prefix,
    thumbnail_width,
)

_YT_HANDLE = re.compile(r"^@([\w.\-·]{3,30})$")
_YT_CHANNEL = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_YT_NAME = re.compile(r"^([A-Za-z0-9_.\-]{1,100})$")


def _canonical(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    example = "youtube.com/@<handle> or youtube.com/channel/<UC…id>"
    if host in ("youtu.be", "www.youtu.be"):
        raise not_profile("YouTube", "a video link", example)
    if strip_prefix(host, ("www.", "m.", "music.")) != "youtube.com":
        return None
    if not seg:
        raise not_profile("YouTube", "the home page", example)
    handle = _YT_HANDLE.match(seg[0])
    if handle:
        name = handle.group(1).lower()
        return CanonicalURL("youtube", name, None, f"https://www.youtube.com/@{quote(name)}")
    if seg[0] == "channel" and len(seg) >= 2 and _YT_CHANNEL.match(seg[1]):
        return CanonicalURL("youtube", None, seg[1], f"https://www.youtube.com/channel/{seg[1]}")
    if seg[0] in ("c", "user") and len(seg) >= 2 and _YT_NAME.match(seg[1]):
        name = seg[1].lower()
        return CanonicalURL("youtube", name, None, f"https://www.youtube.com/{seg[0]}/{name}")
    raise not_profile("YouTube", f"a /{seg[0][:40]} page", example)


_YT_PAGE_HANDLE = re.compile(r"/@([^/?#]+)")


def _extract(page: Page) -> Fields:
    fields = Fields()
    data = page.assigned_json("var ytInitialData = ") or page.assigned_json(
        'window["ytInitialData"] = '
    )
    channel = dig(data, "metadata", "channelMetadataRenderer")
    if isinstance(channel, dict):
        fields.display_name = text(channel.get("title"))
        fields.bio = text(channel.get("description"))
        fields.account_id = text(channel.get("externalId")) or None
        thumbs = dig(channel, "avatar", "thumbnails")
        sized = [
            (thumbnail_width(t), text(t.get("url"))) for t in as_list(thumbs) if isinstance(t, dict)
        ]
        fields.avatar_url = (max(sized)[1] or None) if sized else None
        for url in strings(channel.get("vanityChannelUrl")) + strings(channel.get("ownerUrls")):
            handle = _YT_PAGE_HANDLE.search(url)
            if handle:
                fields.handle = handle.group(1)
                break
    for links in find_key(dig(data, "header"), "channelHeaderLinksViewModel", depth=6):
        for key in ("firstLink", "moreLink"):
            content = dig(links, key, "content")
            if isinstance(content, str) and "." in content and " " not in content:
                fields.links.append(content)
    if fields.display_name is None:
        fields.display_name = re.sub(r"\s*-\s*YouTube\s*$", "", page.meta("og:title") or "") or None
    return fields


PLATFORM = Platform(
    key="youtube",
    label="YouTube",
    supported="YouTube (youtube.com/@<handle> or /channel/<id>)",
    page_hosts=("www.youtube.com", "m.youtube.com", "youtube.com"),
    image_hosts=("yt3.googleusercontent.com", "yt3.ggpht.com"),
    placeholder_avatars=("/a/default-user", "www.youtube.com/s/", "www.youtube.com/img/"),
    canonicalise=_canonical,
    extract=_extract,
)
