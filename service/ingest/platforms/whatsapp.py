"""WhatsApp channel: profile URLs, page reading, hosts and placeholder avatars."""

from __future__ import annotations

import re

from service.ingest.page import Fields, Page
from service.ingest.platforms.base import CanonicalURL, Platform, not_profile, strip_prefix

_WA_CHANNEL = re.compile(r"^[A-Za-z0-9]{10,40}$")


def _canonical(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    bare = strip_prefix(host, ("www.",))
    example = "whatsapp.com/channel/<id>"
    if bare in ("chat.whatsapp.com", "wa.me", "api.whatsapp.com"):
        raise not_profile("WhatsApp", "a chat or group-invite link", example)
    if bare != "whatsapp.com":
        return None
    if len(seg) < 2 or seg[0] != "channel" or not _WA_CHANNEL.match(seg[1]):
        raise not_profile("WhatsApp", "a page other than a channel", example)
    return CanonicalURL("whatsapp", None, seg[1], f"https://www.whatsapp.com/channel/{seg[1]}")


def _extract(page: Page) -> Fields:
    """Channel pages are plain OpenGraph; the generic reader does the work."""
    return Fields()


PLATFORM = Platform(
    key="whatsapp",
    label="WhatsApp channel",
    supported="WhatsApp channels (whatsapp.com/channel/<id>)",
    page_hosts=("www.whatsapp.com", "whatsapp.com"),
    image_hosts=("pps.whatsapp.net", "mmg.whatsapp.net"),
    placeholder_avatars=("static.whatsapp.net/rsrc.php",),
    canonicalise=_canonical,
    extract=_extract,
)
