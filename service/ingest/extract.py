"""Profile fields from a saved or fetched profile page: pure, no network.

The platform's own reader runs first, the generic OpenGraph/JSON-LD reader fills the gaps, then
one pass settles the handle (the page's own spelling, else the URL's), drops placeholder avatars,
normalises links and caps every field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from service.errors import InvalidInput, MirrorscanError
from service.ingest import platforms
from service.ingest.page import Fields, Page, clean, generic, image_url, person
from service.ingest.urls import CanonicalURL, canonicalize

MAX_HTML_CHARS = 8_000_000
MAX_NAME_CHARS = 300
MAX_BIO_CHARS = 5_000
MAX_LINKS = 50
MAX_URL_CHARS = 2_048

_LOGIN_TITLE = re.compile(r"\b(?:log ?in|log into|sign ?up|sign ?in)\b", re.IGNORECASE)
# Titles of a platform's generic pages (home, login, consent): never an account's name.
_SITE_TITLES = {
    "x",
    "twitter",
    "instagram",
    "facebook",
    "telegram",
    "whatsapp",
    "tiktok",
    "youtube",
    "bluesky",
    "tiktok - make your day",
    "telegram messenger",
    "telegram – a new era of messaging",
    "facebook – log in or sign up",
    "facebook - log in or sign up",
    "log in or sign up to view",
    "x. it’s what’s happening / x",
    "x. it's what's happening / x",
    "before you continue",
}
_BARE_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)+(?:/\S*)?$")


@dataclass(frozen=True, slots=True)
class ExtractedProfile:
    """What a profile page says about its account; ``notes`` say what could not be read."""

    platform: str
    handle: str
    display_name: str
    bio: str
    links: tuple[str, ...]
    avatar_url: str | None
    account_id: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.display_name or self.bio or self.avatar_url)

    def as_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "handle": self.handle,
            "display_name": self.display_name,
            "bio": self.bio,
            "links": list(self.links),
            "avatar_url": self.avatar_url,
            "account_id": self.account_id,
            "notes": list(self.notes),
        }


def extract_profile(html: str, canonical: CanonicalURL) -> ExtractedProfile:
    """Read the profile of ``canonical``'s account from ``html`` (the page at its ``page_url``)."""
    if len(html) > MAX_HTML_CHARS:
        raise InvalidInput(f"the page is larger than {MAX_HTML_CHARS:,} characters")
    page = Page(html, canonical.page_url)
    platform = platforms.get(canonical.platform)
    fields = platform.extract(page) if platform is not None else Fields()
    own_avatar = fields.avatar_url
    fields.fill(generic(page))
    handle = _handle(fields, page, canonical)
    notes = list(dict.fromkeys(fields.notes))
    if canonical.handle and handle.lower() != canonical.handle.lower():
        notes.append(f"the page names @{handle}, the URL @{canonical.handle}")
    avatar = _avatar(page, canonical.platform, own_avatar)
    bio = clean(fields.bio)
    for short, shown in fields.expansions.items():
        bio = bio.replace(short, shown)
    return ExtractedProfile(
        platform=canonical.platform,
        handle=handle[:MAX_NAME_CHARS],
        display_name=_name(fields.display_name),
        bio=bio[:MAX_BIO_CHARS],
        links=_links([fields.expansions.get(u, u) for u in fields.links], canonical),
        avatar_url=avatar,
        account_id=(fields.account_id or canonical.account_id or None),
        notes=tuple(notes),
    )


def wall_reason(html: str) -> str | None:
    """Why a fetched page is a login wall, a generic site page or a script-only shell rather
    than a profile; None when it looks like a profile page."""
    page = Page(html[:MAX_HTML_CHARS], "https://invalid/")
    og_title = clean(page.meta("og:title", "twitter:title"))
    if (og_title and not _site_title(og_title)) or person(page) is not None:
        return None
    if page.text_of(".tgme_page_title") or "ytInitialData" in html or "__UNIVERSAL_DATA" in html:
        return None
    title = clean(page.title) or og_title
    if _LOGIN_TITLE.search(title) or _site_title(title):
        return f"the site answered with a login or generic page ({title[:60]!r})"
    if "JavaScript is not available" in html or "enable JavaScript" in html:
        return "the site answered with a script-only page that carries no profile data"
    return None


def _site_title(title: str) -> bool:
    return title.strip().lower() in _SITE_TITLES


def _name(raw: str | None) -> str:
    name = clean(raw)
    return "" if _site_title(name) else name[:MAX_NAME_CHARS]


def _handle(fields: Fields, page: Page, canonical: CanonicalURL) -> str:
    """The page's own spelling of the handle, else the one in the canonical URL."""
    if fields.handle:
        return fields.handle.strip().lstrip("@")
    for url in _declared_urls(page):
        try:
            declared = canonicalize(url)
        except MirrorscanError:
            continue
        if declared.platform == canonical.platform and declared.handle:
            at = url.lower().find(declared.handle)
            return url[at : at + len(declared.handle)] if at >= 0 else declared.handle
    return canonical.handle or ""


def _declared_urls(page: Page) -> list[str]:
    urls = [
        page.meta("og:url"),
        page.attr_of('link[rel="canonical"]', "href"),
        page.meta("al:web:url", "twitter:url"),
    ]
    for item in page.json_ld():
        urls += [item.get("@id"), item.get("url")]
    return [u for u in urls if isinstance(u, str) and u.startswith("http")]


def _avatar(page: Page, platform: str, own: str | None) -> str | None:
    """The first avatar candidate that is an absolute URL and not a platform placeholder. A
    platform reader that found the avatar empty (``""``) means the account has none."""
    if own == "":
        return None
    entity = person(page)
    candidates = [
        own,
        image_url(entity.get("image")) if entity else None,
        page.meta("og:image", "og:image:secure_url"),
        page.meta("twitter:image", "twitter:image:src"),
    ]
    known = platforms.get(platform)
    placeholders = known.placeholder_avatars if known is not None else ()
    for candidate in candidates:
        url = page.absolute(candidate)
        if url and len(url) <= MAX_URL_CHARS and not any(p in url for p in placeholders):
            return url
    return None


def _links(raw: list[str], canonical: CanonicalURL) -> tuple[str, ...]:
    out: dict[str, str] = {}  # scheme-less, case-folded form -> first spelling seen
    for link in raw:
        link = link.strip()
        if not link or len(link) > MAX_URL_CHARS:
            continue
        if "://" not in link and _BARE_DOMAIN.match(link):
            link = "https://" + link
        if not link.startswith(("https://", "http://")):
            continue
        try:
            if canonicalize(link).key == canonical.key:
                continue  # the profile's own address is not a link it shares
        except MirrorscanError:
            pass
        out.setdefault(link.split("://", 1)[1].rstrip("/").lower(), link)
    return tuple(out.values())[:MAX_LINKS]
