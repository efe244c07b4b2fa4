"""Telegram: profile URLs, page reading, hosts and placeholder avatars."""

from __future__ import annotations

import re

from service.ingest.page import Fields, Page
from service.ingest.platforms.base import CanonicalURL, Platform, not_profile, strip_prefix

_TG_HOSTS = {"t.me", "telegram.me", "telegram.dog"}
_TG_NAME = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{3,31})$")
_TG_RESERVED = {
    "joinchat",
    "addstickers",
    "addemoji",
    "share",
    "proxy",
    "socks",
    "iv",
    "setlanguage",
    "addtheme",
    "login",
    "bg",
    "confirmphone",
    "invoice",
    "contact",
    "addlist",
    "boost",
    "c",
    "web",
    "apps",
    "blog",
    "faq",
    "privacy",
    "auth",
    "giftcode",
    "addpremium",
    "premium",
}
_TG_SUBDOMAIN = re.compile(r"^([a-z][a-z0-9_]{3,31})\.t\.me$")


def _canonical(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    sub = _TG_SUBDOMAIN.match(host)
    if sub:
        seg = [sub.group(1)]
    elif strip_prefix(host, ("www.",)) not in _TG_HOSTS:
        return None
    example = "t.me/<name>"
    if seg[:1] == ["s"]:
        seg = seg[1:]
    if not seg:
        raise not_profile("Telegram", "the home page", example)
    first = seg[0]
    if first.startswith("+") or first.lower() == "joinchat":
        raise not_profile("Telegram", "a private invite link (it names no public account)", example)
    match = _TG_NAME.match(first)
    if match is None or first.lower() in _TG_RESERVED:
        raise not_profile("Telegram", f"a /{first[:40]} link", example)
    name = match.group(1).lower()
    return CanonicalURL("telegram", name, None, f"https://t.me/{name}")


_TG_DOMAIN = re.compile(r"tg://resolve\?domain=([A-Za-z0-9_]{4,32})")


def _extract(page: Page) -> Fields:
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


PLATFORM = Platform(
    key="telegram",
    label="Telegram",
    supported="Telegram (t.me/<name>)",
    page_hosts=("t.me", "telegram.me"),
    image_hosts=(".telesco.pe", ".telegram-cdn.org", ".cdn-telegram.org"),
    placeholder_avatars=("telegram.org/img/t_logo", "telegram.org/img/"),
    canonicalise=_canonical,
    extract=_extract,
)
