"""Profile URLs in canonical form: which platform, which account, and the one URL to fetch.

A pasted URL is only read, never fetched: the fetch URL is rebuilt from the validated
(platform, handle or id), so nothing the user typed (query, fragment, odd host spellings, path
tricks) reaches the network. Handles are lower-cased where the platform treats them so."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from service.errors import FetchRefused, InvalidInput

SUPPORTED = (
    "X (x.com/<handle>), Instagram (instagram.com/<user>), Facebook (facebook.com/<name> or "
    "profile.php?id=<id>), Telegram (t.me/<name>), WhatsApp channels (whatsapp.com/channel/<id>), "
    "TikTok (tiktok.com/@<user>), YouTube (youtube.com/@<handle> or /channel/<id>) and Bluesky "
    "(bsky.app/profile/<handle>)"
)


_BARE_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+\-]*):(?!\d)")


@dataclass(frozen=True, slots=True)
class CanonicalURL:
    """A profile reference. ``short_link`` URLs (TikTok vm./vt.) name no account until the
    fetcher resolves their redirect; ``page_url`` is then the short link itself."""

    platform: str
    handle: str | None
    account_id: str | None
    page_url: str
    short_link: bool = False

    @property
    def key(self) -> str:
        """Stable identity ``platform:handle`` (or ``platform:id``): the Profile id."""
        return f"{self.platform}:{self.handle or self.account_id or ''}"


def canonicalize(url: str) -> CanonicalURL:
    """Parse a pasted profile URL; raise ``FetchRefused`` for anything that is not a web link to
    a supported platform and ``InvalidInput`` for a supported site's link that names no profile."""
    text = url.strip()
    if not text:
        raise InvalidInput(f"empty URL; paste a profile link on {SUPPORTED}")
    if len(text) > 2048:
        raise InvalidInput("the URL is longer than 2048 characters")
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\\" for ch in text):
        raise InvalidInput("the URL contains spaces, control characters or backslashes")
    if "://" not in text:
        bare_scheme = _BARE_SCHEME.match(text)
        if bare_scheme:  # mailto:, javascript:, tg: … (but not host:port)
            raise FetchRefused(
                f"{bare_scheme.group(1).lower()}: links are not supported; paste a "
                f"web link to {SUPPORTED}"
            )
        text = "https://" + text.removeprefix("//")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as err:
        raise InvalidInput(f"the URL cannot be parsed: {err}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"{scheme}:// links are not supported; paste a web link to {SUPPORTED}")
    if "@" in parts.netloc:
        raise FetchRefused("URLs with a user:password@ part are refused")
    if port not in (None, 80, 443):
        raise FetchRefused(f"profile links use the standard port, not {port}")
    host = (parts.hostname or "").rstrip(".")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    query = _query(parts.query)
    for parse in _PARSERS:
        result = parse(host, segments, query)
        if result is not None:
            return result
    raise FetchRefused(
        f"{host[:100] or 'this URL'!r} is not a supported site; paste a link to "
        f"a profile on {SUPPORTED}"
    )


def _query(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in raw.split("&"):
        key, _, value = pair.partition("=")
        if key and key not in out:
            out[key] = unquote(value)
    return out


def _not_profile(platform: str, what: str, example: str) -> InvalidInput:
    return InvalidInput(f"this {platform} link points to {what}, not to a profile; paste {example}")


# --- X -------------------------------------------------------------------------------------------
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


def _x(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    if _strip(host, ("www.", "mobile.", "m.")) not in _X_HOSTS:
        return None
    example = "x.com/<handle>"
    if not seg:
        raise _not_profile("X", "the home page", example)
    match = _X_HANDLE.match(seg[0])
    if match is None or match.group(1).lower() in _X_RESERVED:
        raise _not_profile("X", f"a /{seg[0][:40]} page", example)
    handle = match.group(1).lower()
    return CanonicalURL("x", handle, None, f"https://x.com/{handle}")


# --- Instagram -----------------------------------------------------------------------------------
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


def _instagram(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    if _strip(host, ("www.", "m.")) not in ("instagram.com", "instagr.am"):
        return None
    example = "instagram.com/<user>"
    if seg[:1] == ["_u"]:
        seg = seg[1:]
    elif seg[:1] == ["stories"] and len(seg) >= 2:
        seg = seg[1:]  # /stories/<user>/<id> names its author
    if not seg:
        raise _not_profile("Instagram", "the home page", example)
    match = _IG_USER.match(seg[0])
    if match is None or match.group(1).lower() in _IG_RESERVED:
        raise _not_profile("Instagram", f"a /{seg[0][:40]} page (a post, reel or story)", example)
    user = match.group(1).lower()
    return CanonicalURL("instagram", user, None, f"https://www.instagram.com/{user}/")


# --- Facebook ------------------------------------------------------------------------------------
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


def _facebook(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
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
        raise _not_profile("Facebook", "the home page", example)
    if _FB_ID.match(seg[0]):
        return _fb_id(seg[0], example)
    match = _FB_VANITY.match(seg[0])
    if match is None or seg[0].lower() in _FB_RESERVED:
        raise _not_profile("Facebook", f"a /{seg[0][:40]} page", example)
    name = match.group(1).lower()
    return CanonicalURL("facebook", name, None, f"https://m.facebook.com/{name}")


def _fb_id(value: str, example: str) -> CanonicalURL:
    if not _FB_ID.match(value):
        raise _not_profile("Facebook", "a page without a valid numeric profile id", example)
    return CanonicalURL("facebook", None, value, f"https://m.facebook.com/profile.php?id={value}")


# --- Telegram ------------------------------------------------------------------------------------
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


def _telegram(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    sub = _TG_SUBDOMAIN.match(host)
    if sub:
        seg = [sub.group(1)]
    elif _strip(host, ("www.",)) not in _TG_HOSTS:
        return None
    example = "t.me/<name>"
    if seg[:1] == ["s"]:
        seg = seg[1:]
    if not seg:
        raise _not_profile("Telegram", "the home page", example)
    first = seg[0]
    if first.startswith("+") or first.lower() == "joinchat":
        raise _not_profile(
            "Telegram", "a private invite link (it names no public account)", example
        )
    match = _TG_NAME.match(first)
    if match is None or first.lower() in _TG_RESERVED:
        raise _not_profile("Telegram", f"a /{first[:40]} link", example)
    name = match.group(1).lower()
    return CanonicalURL("telegram", name, None, f"https://t.me/{name}")


# --- WhatsApp channels ---------------------------------------------------------------------------
_WA_CHANNEL = re.compile(r"^[A-Za-z0-9]{10,40}$")


def _whatsapp(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    bare = _strip(host, ("www.",))
    example = "whatsapp.com/channel/<id>"
    if bare in ("chat.whatsapp.com", "wa.me", "api.whatsapp.com"):
        raise _not_profile("WhatsApp", "a chat or group-invite link", example)
    if bare != "whatsapp.com":
        return None
    if len(seg) < 2 or seg[0] != "channel" or not _WA_CHANNEL.match(seg[1]):
        raise _not_profile("WhatsApp", "a page other than a channel", example)
    return CanonicalURL("whatsapp", None, seg[1], f"https://www.whatsapp.com/channel/{seg[1]}")


# --- TikTok --------------------------------------------------------------------------------------
_TT_USER = re.compile(r"^@([A-Za-z0-9_.]{2,24})$")
_TT_CODE = re.compile(r"^[A-Za-z0-9]{5,20}$")


def _tiktok(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    example = "tiktok.com/@<user>"
    if host in ("vm.tiktok.com", "vt.tiktok.com"):
        if len(seg) != 1 or not _TT_CODE.match(seg[0]):
            raise _not_profile("TikTok", "a malformed short link", example)
        return CanonicalURL("tiktok", None, None, f"https://{host}/{seg[0]}/", short_link=True)
    if _strip(host, ("www.", "m.")) != "tiktok.com":
        return None
    if len(seg) == 2 and seg[0] == "t" and _TT_CODE.match(seg[1]):
        return CanonicalURL(
            "tiktok", None, None, f"https://www.tiktok.com/t/{seg[1]}/", short_link=True
        )
    match = _TT_USER.match(seg[0]) if seg else None
    if match is None:
        raise _not_profile("TikTok", "a page other than a profile or a video", example)
    user = match.group(1).lower()
    return CanonicalURL("tiktok", user, None, f"https://www.tiktok.com/@{user}")


# --- YouTube -------------------------------------------------------------------------------------
_YT_HANDLE = re.compile(r"^@([\w.\-·]{3,30})$")
_YT_CHANNEL = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_YT_NAME = re.compile(r"^([A-Za-z0-9_.\-]{1,100})$")


def _youtube(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    example = "youtube.com/@<handle> or youtube.com/channel/<UC…id>"
    if host in ("youtu.be", "www.youtu.be"):
        raise _not_profile("YouTube", "a video link", example)
    if _strip(host, ("www.", "m.", "music.")) != "youtube.com":
        return None
    if not seg:
        raise _not_profile("YouTube", "the home page", example)
    handle = _YT_HANDLE.match(seg[0])
    if handle:
        name = handle.group(1).lower()
        return CanonicalURL("youtube", name, None, f"https://www.youtube.com/@{quote(name)}")
    if seg[0] == "channel" and len(seg) >= 2 and _YT_CHANNEL.match(seg[1]):
        return CanonicalURL("youtube", None, seg[1], f"https://www.youtube.com/channel/{seg[1]}")
    if seg[0] in ("c", "user") and len(seg) >= 2 and _YT_NAME.match(seg[1]):
        name = seg[1].lower()
        return CanonicalURL("youtube", name, None, f"https://www.youtube.com/{seg[0]}/{name}")
    raise _not_profile("YouTube", f"a /{seg[0][:40]} page", example)


# --- Bluesky -------------------------------------------------------------------------------------
_BSKY_HANDLE = re.compile(r"^@?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61})$")
_BSKY_DID = re.compile(r"^did:(?:plc:[a-z2-7]{24}|web:[a-z0-9.\-]{1,253})$")


def _bluesky(host: str, seg: list[str], query: dict[str, str]) -> CanonicalURL | None:
    if _strip(host, ("www.",)) != "bsky.app":
        return None
    example = "bsky.app/profile/<handle>"
    if len(seg) < 2 or seg[0] != "profile":
        raise _not_profile("Bluesky", "a page other than a profile", example)
    actor = seg[1].lower()
    if _BSKY_DID.match(actor):
        return CanonicalURL("bluesky", None, actor, f"https://bsky.app/profile/{actor}")
    match = _BSKY_HANDLE.match(actor)
    if match is None:
        raise _not_profile("Bluesky", "a profile without a valid handle", example)
    handle = match.group(1)
    return CanonicalURL("bluesky", handle, None, f"https://bsky.app/profile/{handle}")


def _strip(host: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


_PARSERS: tuple[Callable[[str, list[str], dict[str, str]], CanonicalURL | None], ...] = (
    _x,
    _instagram,
    _facebook,
    _telegram,
    _whatsapp,
    _tiktok,
    _youtube,
    _bluesky,
)
