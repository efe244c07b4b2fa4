"""Helpers shared by the legitimate-account generators."""

from __future__ import annotations

import random
import string
from typing import Any

from . import handles
from .groups import GROUPS
from .model import AvatarSpec, Person
from .orgs import PROVINCES, PROVINCES_UR
from .orgs_misc import BOOKS, THINK_TANKS, UNIVERSITIES
from .places import CITIES, region_ur
from .translit import slug
from .util import chance, pick

MENTION_WEIGHTS = [g.weight for g in GROUPS]
EMOJI_POPULAR = (
    "2764",
    "1F60A",
    "1F339",
    "1F981",
    "1F985",
    "1F54B",
    "262A",
    "1F319",
    "2B50",
    "26BD",
    "1F3CF",
    "1F451",
    "1F494",
    "1F525",
    "1F60E",
    "1F338",
    "1F98B",
    "1F3D4",
    "1F49A",
    "1F5A4",
    "1F932",
    "1F4FF",
    "1F1F5-1F1F0",
    "1F33A",
    "1F340",
    "1F4AF",
)
BG = ("#ffffff", "#000000", "#f5f5f5", "#1d5e2b", "#87ceeb", "#ffe4e1", "#222222", "#0a3d62")


class _Safe(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, ctx: dict[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Safe(ctx)).replace("  ", " ").strip()


def context(rng: random.Random) -> dict[str, str]:
    """Slot values for legitimate bios: groups they mention, places, institutions, contacts."""
    g1, g2 = rng.choices(GROUPS, weights=MENTION_WEIGHTS, k=2)
    if g2 is g1:
        g2 = pick(rng, GROUPS)
    province = pick(rng, PROVINCES[:5], (3, 3, 2, 2, 1))
    region = pick(rng, g1.regions)
    city = pick(rng, CITIES)
    return {
        "acr": g1.acronyms[0],
        "acr2": g2.acronyms[0],
        "group": g1.en[0],
        "group_ur": g1.ur[0],
        "province": province,
        "province_ur": PROVINCES_UR.get(province, province),
        "region": region,
        "region_ur": region_ur(region),
        "city": city,
        "city_ur": region_ur(city),
        "year": str(rng.randint(2007, 2023)),
        "book": pick(rng, BOOKS),
        "tank": pick(rng, THINK_TANKS),
        "uni": pick(rng, UNIVERSITIES),
        "phone": handles.phone(rng),
        "wa": f"whatsapp.com/channel/{handles.whatsapp_channel(rng)}",
        "n": str(rng.randint(1, 270)),
    }


def lang_of(
    rng: random.Random, weights: dict[str, float], table: dict[str, tuple[str, ...]]
) -> str:
    keys = [k for k in weights if k in table]
    return pick(rng, keys, [weights[k] for k in keys])


def size_fmt(rng: random.Random) -> tuple[int, str]:
    return pick(rng, (200, 240, 256, 300, 320, 360, 400)), pick(rng, ("png", "jpg"))


def person_avatar(rng: random.Random, platform: str, p: Person | None = None) -> AvatarSpec | None:
    size, fmt = size_fmt(rng)
    roll = rng.random()
    if roll < 0.55:
        kind = pick(
            rng, ("portrait", "portrait", "portrait", "landscape", "flower", "car", "skyline")
        )
        return AvatarSpec(["photo", kind, rng.randrange(10**9)], [], size, fmt)
    if roll < 0.68:
        return None
    if roll < 0.78:
        return AvatarSpec(["default", platform], [], size, fmt)
    if roll < 0.86:
        return AvatarSpec(["emoji", pick(rng, EMOJI_POPULAR), pick(rng, BG)], [], size, fmt)
    if roll < 0.93:
        layout = pick(rng, ("fill", "1x1", "white", "blur"))
        return AvatarSpec(
            ["flag", pick(rng, ("pk", "pk", "af", "ps", "sa", "tr")), layout], [], size, fmt
        )
    letters = "".join(w[0] for w in (p.latin.split()[:2] if p else ["A"])).upper()
    return AvatarSpec(["initials", letters, rng.randrange(7)], [], size, fmt)


def logo_avatar(
    rng: random.Random,
    style: str,
    key: str,
    main: str,
    sub: str,
    palette: tuple[str, str, str] | list[str],
    variants: int = 2,
) -> AvatarSpec:
    """An organisation's logo: a fixed design per organisation, with a few variants."""
    size, fmt = size_fmt(rng)
    seed = int.from_bytes(key.encode()[:6].ljust(6, b"_"), "big") + rng.randrange(variants)
    ops: list[list[object]] = [["circle", "#ffffff"]] if chance(rng, 0.15) else []
    return AvatarSpec(["logo", style, seed, main, sub, list(palette)], ops, size, fmt)


def handle_of(words: str, rng: random.Random, platform: str, number_p: float = 0.15) -> str:
    if platform == "whatsapp":
        return handles.whatsapp_channel(rng)
    return handles.from_words(words, rng, platform, number_p)


def slugged(text: str) -> str:
    return slug(text, "")
