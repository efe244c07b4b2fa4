"""Handles, links and contacts: how platforms spell them and how people choose them."""

from __future__ import annotations

import random
import re

from .model import Person
from .translit import slug
from .util import alnum, chance, digits, pick

MAX_LEN = {
    "x": 15,
    "instagram": 30,
    "tiktok": 24,
    "telegram": 32,
    "facebook": 50,
    "youtube": 30,
    "whatsapp": 24,
}
SEQUEL_SUFFIXES = (
    "2",
    "_2",
    "02",
    "1",
    "3",
    "_new",
    "new",
    "_backup",
    "backup",
    "_official",
    "official",
    "real",
    "_real",
    "_re",
    "_v2",
    "_bk",
    "_ii",
    "_3",
    "x",
    "_pk",
    "_urdu",
    "_tv",
    "_0",
    "1_",
    "_",
)
FILLER = frozenset({"e", "i", "ul", "ut", "ud", "al", "of", "the", "ka", "ki", "ke", "and"})
SEQUEL_PREFIXES = ("new_", "the", "real_", "its", "official_", "re_", "x")


def fit(handle: str, platform: str) -> str:
    """A handle as the platform would accept it."""
    h = handle
    if platform in ("x", "telegram"):
        h = h.replace(".", "_").replace("-", "_")
    elif platform in ("instagram", "tiktok"):
        h = h.replace("-", "_")
    elif platform == "facebook":
        h = h.replace("_", ".").replace("-", ".")
    h = re.sub(r"[^A-Za-z0-9_.\-]", "", h).strip(".")
    if platform == "telegram":
        h = h.lstrip("0123456789_")
        h = h if len(h) >= 5 else h + "_ch"
    h = h[: MAX_LEN.get(platform, 30)]
    return h.rstrip(".") or "user"


def claim(handle: str, platform: str, taken: set[tuple[str, str]], rng: random.Random) -> str:
    """`handle`, or the next free variant of it: a handle is unique on its platform."""
    h = handle
    while (platform, h.lower()) in taken:
        h = sequel(h, rng, platform) if chance(rng, 0.5) else fit(h + digits(rng, 2), platform)
    taken.add((platform, h.lower()))
    return h


def whatsapp_channel(rng: random.Random) -> str:
    return "0029Va" + alnum(rng, 18)


def from_person(p: Person, rng: random.Random, platform: str) -> str:
    """The usual ways people turn their name into a handle: ahmad.khan92, AhmadKhan_, ..."""
    first = slug(p.given.replace("Syed ", "")).split("_")
    last = slug(p.surname).replace("_", "")
    f = (
        first[-1]
        if first[0] in ("muhammad", "mohammad", "muhammed", "mohammed")
        and len(first) > 1
        and chance(rng, 0.6)
        else "".join(first)
    )
    num = pick(
        rng,
        (
            digits(rng, 2),
            digits(rng, 3),
            "786",
            "007",
            str(rng.randrange(1985, 2008)),
            "1",
            "_pk",
            "12",
            "99",
        ),
    )
    sep = pick(rng, (".", "_", ""))
    patterns = (
        f"{f}{sep}{last}{num}",
        f"{f}{sep}{last}",
        f"{f.capitalize()}{last.capitalize()}_",
        f"{f.capitalize()}{last.capitalize()}",
        f"{f}{num}",
        f"{last}{sep}{f}",
        f"{f}_{last[:1]}",
        f"its{f}{last}",
        f"{f}{sep}{last}{sep}official",
        f"{f}{last}.pk",
        f"im{f}{num}",
        f"{f}{sep}{last}{sep}{digits(rng, 1)}",
        f"mr{sep}{f}",
        f"{f[:1]}{last}{num}",
    )
    weights = (18, 10, 6, 8, 8, 4, 3, 3, 2, 2, 3, 4, 2, 4)
    return fit(pick(rng, patterns, weights), platform)


def from_words(words: str, rng: random.Random, platform: str, number_p: float = 0.25) -> str:
    """A handle from the words of an organisation's name, often shortened."""
    parts = slug(words).split("_")
    if chance(rng, 0.6):
        parts = [p for p in parts if p not in FILLER] or parts
    if len(parts) > 3 and chance(rng, 0.7):
        parts = parts[: rng.randint(2, 3)]
    s = pick(rng, ("_", "", ".")).join(parts)
    if chance(rng, number_p):
        s += pick(rng, (digits(rng, 1), digits(rng, 2), digits(rng, 3), "_" + digits(rng, 2)))
    return fit(s, platform)


def sequel(handle: str, rng: random.Random, platform: str) -> str:
    """The next account in a series: `abc040`->`abc041`, `reporter1`->`reporter2`, `+_2`, `new`."""
    m = re.search(r"(\d+)$", handle)
    if m and chance(rng, 0.75):
        n = m.group(1)
        nxt = str(int(n) + pick(rng, (1, 1, 1, 2, 3))).zfill(len(n))
        return fit(handle[: m.start()] + nxt, platform)
    limit = MAX_LEN.get(platform, 30)
    if chance(rng, 0.8):
        suf = pick(rng, SEQUEL_SUFFIXES)
        base = handle[: max(3, limit - len(suf))]
        return fit(base + suf, platform)
    pre = pick(rng, SEQUEL_PREFIXES)
    return fit(pre + handle[: max(3, limit - len(pre))], platform)


def profile_link(platform: str, handle: str) -> str:
    return {
        "x": f"x.com/{handle}",
        "facebook": f"facebook.com/{handle}",
        "instagram": f"instagram.com/{handle}",
        "telegram": f"t.me/{handle}",
        "tiktok": f"tiktok.com/@{handle}",
        "youtube": f"youtube.com/@{handle}",
        "whatsapp": f"whatsapp.com/channel/{handle}",
    }[platform]


def phone(rng: random.Random, country: str = "pk") -> str:
    if country == "af":
        return pick(rng, ("+93 7{} {} {}", "+937{}{}{}")).format(
            digits(rng, 1), digits(rng, 3), digits(rng, 4)
        )
    net = pick(
        rng,
        (
            "300",
            "301",
            "303",
            "305",
            "311",
            "312",
            "315",
            "321",
            "331",
            "333",
            "336",
            "340",
            "342",
            "345",
            "347",
            "302",
            "313",
        ),
    )
    tail = digits(rng, 7)
    fmt = pick(rng, ("+92{}{}", "+92 {} {}", "0{}-{}", "+92-{}-{}", "0{}{}"), (4, 4, 3, 2, 1))
    return fmt.format(net, tail)


def email(local: str, rng: random.Random, business: str = "") -> str:
    if business:
        return f"{pick(rng, ('info', 'contact', 'news', 'desk', 'media'))}@{business}"
    dom = pick(
        rng,
        (
            "gmail.com",
            "protonmail.com",
            "proton.me",
            "yahoo.com",
            "outlook.com",
            "tutanota.com",
            "hotmail.com",
        ),
        (40, 10, 8, 8, 8, 3, 5),
    )
    return f"{local}@{dom}"


def contact_lead(link: str, rng: random.Random) -> str:
    """The words people put before a contact in a bio, matching its kind."""
    if link.startswith("t.me/"):
        options: tuple[str, ...] = ("Telegram:", "Join:", "Channel:", "➡️", "")
    elif "whatsapp" in link or link.startswith("wa.me"):
        options = ("WhatsApp:", "Join:", "📲", "")
    elif link.startswith(("+", "0")):
        options = ("📞", "Call/WhatsApp:", "Contact:", "WhatsApp:", "")
    elif "@" in link and "/" not in link:
        options = ("✉️", "Email:", "Contact:", "Tips:", "")
    else:
        options = ("🔗", "More:", "Visit:", "")
    return pick(rng, options)


def tg_invite(rng: random.Random) -> str:
    return pick(rng, ("t.me/+", "t.me/joinchat/")) + alnum(
        rng, 16, "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789_-"
    )


def whatsapp_group(rng: random.Random) -> str:
    return "chat.whatsapp.com/" + alnum(rng, 22)


def link_suffix(link: str, rng: random.Random) -> str:
    """t.me/xyz -> t.me/xyz2, xyz_backup; a mail box or channel with a sequel suffix."""
    if "@" in link and "/" not in link:
        local, dom = link.split("@", 1)
        return f"{sequel(local, rng, 'instagram')}@{dom}"
    head, _, tail = link.rpartition("/")
    if tail.startswith("+") or head.endswith("joinchat") or "whatsapp" in head:
        return f"{head}/{tail[:-3]}{alnum(rng, 3)}"
    return f"{head}/{sequel(tail, rng, 'telegram')}"
