"""TikTok: profile URLs, page reading, hosts and placeholder avatars."""

from __future__ import annotations

import re

from service.ingest.page import Fields, Page, text
from service.ingest.platforms.base import CanonicalURL, Platform, dig, not_profile, strip_prefix

_TT_USER = re.compile(r"^@([A-Za-z0-9_.]{2,24})$")
_TT_CODE = re.compile(r"^[A-Za-z0-9]{5,20}$")


def _canonical(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    example = "tiktok.com/@<user>"
    if host in ("vm.tiktok.com", "vt.tiktok.com"):
        if len(seg) != 1 or not _TT_CODE.match(seg[0]):
            raise not_profile("TikTok", "a malformed short link", example)
        return CanonicalURL("tiktok", None, None, f"https://{host}/{seg[0]}/", short_link=True)
    if strip_prefix(host, ("www.", "m.")) != "tiktok.com":
        return None
    if len(seg) == 2 and seg[0] == "t" and _TT_CODE.match(seg[1]):
        return CanonicalURL(
            "tiktok", None, None, f"https://www.tiktok.com/t/{seg[1]}/", short_link=True
        )
    match = _TT_USER.match(seg[0]) if seg else None
    if match is None:
        raise not_profile("TikTok", "a page other than a profile or a video", example)
    user = match.group(1).lower()
    return CanonicalURL("tiktok", user, None, f"https://www.tiktok.com/@{user}")


_TT_TITLE = re.compile(
    r"^(?P<name>.*?)\s*\(@(?P<handle>[A-Za-z0-9_.]{2,24})\)\s*(?:\|\s*TikTok|on TikTok)?\s*$"
)
_TT_DESCRIPTION = re.compile(
    r"^.*?\bon TikTok\s*\|\s*[\d.,]+[KMB]?\s+Likes\.\s*[\d.,]+[KMB]?\s+Followers\.\s*(?P<bio>.*?)"
    r"(?:\s*Watch the latest video from .*|\s*Watch [^.]*?popular videos: .*)?$",
    re.DOTALL,
)


def _extract(page: Page) -> Fields:
    fields = Fields()
    data = page.script_json("script#__UNIVERSAL_DATA_FOR_REHYDRATION__")
    detail = dig(data, "__DEFAULT_SCOPE__", "webapp.user-detail")
    user = dig(detail, "userInfo", "user")
    if isinstance(user, dict) and text(user.get("uniqueId")):
        fields.display_name = text(user.get("nickname"))
        fields.handle = text(user.get("uniqueId"))
        fields.bio = text(user.get("signature"))
        fields.account_id = text(user.get("id")) or None
        avatars = [text(user.get(k)) for k in ("avatarMedium", "avatarLarger", "avatarThumb")]
        fields.avatar_url = next((a for a in avatars if a), None)
        link = dig(user, "bioLink", "link")
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


PLATFORM = Platform(
    key="tiktok",
    label="TikTok",
    supported="TikTok (tiktok.com/@<user>)",
    page_hosts=("www.tiktok.com", "m.tiktok.com", "vm.tiktok.com", "vt.tiktok.com"),
    image_hosts=(".tiktokcdn.com", ".tiktokcdn-eu.com", ".tiktokcdn-us.com"),
    placeholder_avatars=("tiktok.com/api/img/",),
    canonicalise=_canonical,
    extract=_extract,
)
