"""Edits a mirror applies to what it copies: display names, bios and avatars."""

from __future__ import annotations

import copy
import random
import re

from . import bios, handles
from .common_text import GENERIC_BIOS, GENERIC_PAGES
from .groups import BY_KEY, LANG_MIX
from .model import Account, AvatarSpec, BioSpec
from .translit import slug, vary
from .unicode_tricks import EMOJI
from .util import chance, digits, pick

BANNER_TEXTS = (
    "NEW",
    "NEW ACCOUNT",
    "Official",
    "BACKUP",
    "2.0",
    "Follow",
    "Join Telegram",
    "نیا اکاؤنٹ",
    "نیا چینل",
    "Re-upload",
    "OFFICIAL",
    "Back Again",
)
COLOURS = ("#ffffff", "#000000", "#c00000", "#1d5e2b", "#0a3d62", "#f2c200", "#7a0c0c")
NAME_SUFFIXES = (
    " 2",
    " Official",
    " (Backup)",
    " Backup",
    " II",
    " – New",
    " ✓",
    " 2.0",
    " Channel",
    " نیا",
    " (New)",
    " Real",
)
SYNONYMS_EN = (
    ("Official", "Real"),
    ("account", "page"),
    ("updates", "news"),
    ("Join", "Follow"),
    ("channel", "page"),
    ("Statements", "Announcements"),
    ("published", "posted"),
    ("Supporters", "Friends"),
    ("Latest", "Fresh"),
)


def display_variant(name: str, rng: random.Random) -> str:
    """A lightly changed display name: a suffix, a dropped word, a case change."""
    roll = rng.random()
    if roll < 0.55:
        return name + pick(rng, NAME_SUFFIXES)
    if roll < 0.7 and len(name.split()) > 2:
        words = name.split()
        del words[rng.randrange(len(words))]
        return " ".join(words)
    if roll < 0.85:
        return name.upper() if not name.isupper() else name.title()
    return f"{name} {pick(rng, EMOJI)}"


def other_script(acc: Account, rng: random.Random) -> str:
    """The account's name in another script (Urdu <-> Roman Urdu <-> English)."""
    forms = {k: v for k, v in acc.names.items() if v and v != acc.display_name}
    if "ro" in forms and acc.group and acc.role not in ("member", "media") and chance(rng, 0.7):
        forms["ro"] = _respell(acc, rng)
    if not forms:
        return display_variant(acc.display_name, rng)
    return forms[pick(rng, sorted(forms))]


def _respell(acc: Account, rng: random.Random) -> str:
    g = BY_KEY[acc.group or "TTP"]
    ro = acc.names.get("ro", "")
    canon = acc.bio_spec.slots.get("roman") if acc.bio_spec else None
    if canon and canon in ro:
        return ro.replace(canon, vary(g.roman, rng))
    return re.sub(r"\b[Tt]ehreek\b", pick(rng, ("Tahreek", "Tehrik", "Tahrik")), ro) or ro


def reword(spec: BioSpec, rng: random.Random, strength: float = 0.6) -> BioSpec:
    """The same bio in other words: other variants, another order, a fragment dropped or added."""
    new = copy.deepcopy(spec)
    parts = [(m, (v + rng.randrange(1, 3)) if chance(rng, strength) else v) for m, v in new.parts]
    intro, extras = parts[:1], parts[1:]
    rng.shuffle(extras)
    if extras and chance(rng, 0.3 * strength + 0.1):
        extras.pop()
    if chance(rng, 0.3):
        m = pick(
            rng,
            [e for e in bios.EXTRAS if e not in ("join", "nth") and e not in dict(parts)]
            or ["share"],
        )
        extras.append((m, rng.randrange(3)))
    new.parts = [*extras[:1], *intro, *extras[1:]] if chance(rng, 0.25) else [*intro, *extras]
    if chance(rng, 0.5):
        new.sep = pick(rng, (" ", " | ", "\n", " • "))
    if chance(rng, 0.5):
        new.tail = (
            ""
            if chance(rng, 0.5)
            else " ".join(
                rng.sample(
                    [
                        f"#{new.slots['group']}",
                        "#" + new.slots.get("region", "").replace(" ", ""),
                        "🔥",
                        "📢",
                    ],
                    2,
                )
            )
        )
    return new


def reword_text(text: str, rng: random.Random) -> str:
    """A plain-text bio reworded: English synonyms, sentences reordered, one dropped."""
    out = text
    for a, b in SYNONYMS_EN:
        if a in out and chance(rng, 0.5):
            out = out.replace(a, b, 1)
    sentences = [s for s in re.split(r"(?<=[.۔|!])\s+", out) if s]
    if len(sentences) > 2:
        rng.shuffle(sentences)
        sentences.pop()
    return " ".join(sentences)


def translate(spec: BioSpec, rng: random.Random) -> BioSpec:
    """The bio in another of the group's languages."""
    mix = LANG_MIX[BY_KEY[spec.slots["group"]].mix]
    langs = [lang for lang in mix if lang != spec.lang] or ["en"]
    new = copy.deepcopy(spec)
    new.lang = pick(rng, langs)
    if new.lang == "ro":
        new.slots["roman"] = vary(BY_KEY[spec.slots["group"]].roman, rng)
    return new


def random_edits(rng: random.Random, n: int, name: str = "") -> list[list[object]]:
    """`n` avatar edits of the kinds evaders use."""
    ops: list[list[object]] = []
    kinds = [
        "jpeg",
        "scale",
        "crop",
        "circle",
        "border",
        "ring",
        "banner",
        "text",
        "flip",
        "rotate",
        "hsv",
        "gray",
        "screenshot",
        "pad",
        "noise",
        "sticker",
        "contrast",
    ]
    weights = [8, 4, 8, 7, 6, 3, 5, 3, 5, 4, 4, 2, 3, 3, 2, 3, 3]
    chosen: list[str] = []
    while len(chosen) < n:
        k = pick(rng, kinds, weights)
        if k not in chosen:
            chosen.append(k)
    for k in chosen:
        if k == "jpeg":
            ops.append(["jpeg", rng.randint(18, 70)])
        elif k == "scale":
            ops.append(["scale", round(rng.uniform(0.3, 0.7), 2)])
        elif k == "crop":
            w = rng.uniform(0.72, 0.92)
            x, y = rng.uniform(0, 1 - w), rng.uniform(0, 1 - w)
            ops.append(["crop", round(x, 3), round(y, 3), round(x + w, 3), round(y + w, 3)])
        elif k in ("circle",):
            ops.append(["circle", pick(rng, ("#ffffff", "#000000", "#f0f0f0"))])
        elif k == "border":
            ops.append(["border", round(rng.uniform(0.03, 0.1), 3), pick(rng, COLOURS)])
        elif k == "ring":
            ops.append(["ring", "#feda75", pick(rng, ("#d62976", "#962fbf", "#4f5bd5"))])
        elif k == "banner":
            ops.append(
                [
                    "banner",
                    pick(rng, BANNER_TEXTS),
                    pick(rng, ("top", "bottom")),
                    pick(rng, COLOURS),
                ]
            )
        elif k == "text":
            ops.append(
                [
                    "text",
                    name or pick(rng, BANNER_TEXTS),
                    pick(rng, ("tl", "br", "bl", "tr")),
                    pick(rng, ("#ffffff", "#ff0000", "#000000", "#f2c200")),
                ]
            )
        elif k == "flip":
            ops.append(["flip"])
        elif k == "rotate":
            ops.append(
                [
                    "rotate",
                    round(rng.choice((-1, 1)) * rng.uniform(3, 12), 1),
                    pick(rng, ("#ffffff", "#000000", "crop")),
                ]
            )
        elif k == "hsv":
            ops.append(
                [
                    "hsv",
                    round(rng.uniform(-0.15, 0.15), 3),
                    round(rng.uniform(-0.4, 0.3), 2),
                    round(rng.uniform(-0.2, 0.15), 2),
                ]
            )
        elif k == "gray":
            ops.append(["gray"])
        elif k == "screenshot":
            ops.append(["screenshot", rng.randrange(10**6), name or "Profile"])
        elif k == "pad":
            ops.append(
                [
                    "pad",
                    round(rng.uniform(0.15, 0.35), 2),
                    pick(rng, ("blur", "#ffffff", "#000000")),
                ]
            )
        elif k == "noise":
            ops.append(["noise", round(rng.uniform(4, 12), 1), rng.randrange(10**6)])
        elif k == "sticker":
            ops.append(
                [
                    "sticker",
                    pick(rng, ("1F525", "2705", "1F4E2", "1F195", "2B50")),
                    pick(rng, ("tl", "br", "bl", "tr")),
                ]
            )
        else:
            ops.append(["contrast", round(rng.uniform(0.7, 1.35), 2)])
    return ops


def reupload(src: AvatarSpec, rng: random.Random, n_edits: int, name: str = "") -> AvatarSpec:
    ops = (
        random_edits(rng, n_edits, name)
        if n_edits
        else ([["jpeg", rng.randint(60, 92)]] if chance(rng, 0.6) else [])
    )
    return src.reuploaded(ops, pick(rng, (200, 240, 256, 300, 320, 400)), pick(rng, ("png", "jpg")))


def neutral(acc: Account, rng: random.Random) -> None:
    """Wipe an account down to a bland page: generic name and bio, no links, a plain picture."""
    acc.display_name = pick(rng, GENERIC_PAGES)
    words = (
        acc.display_name if acc.display_name.isascii() else pick(rng, ("updates", "news", "awaz"))
    )
    acc.handle = (
        handles.from_words(words, rng, acc.platform, number_p=0.6)
        if acc.platform != "whatsapp"
        else handles.whatsapp_channel(rng)
    )
    lang = pick(rng, ("en", "ur", "ro", "ps"), (4, 3, 3, 1))
    acc.bio = pick(rng, GENERIC_BIOS[lang]) if chance(rng, 0.7) else ""
    acc.bio_spec = None
    acc.links = []
    roll = rng.random()
    size, fmt = pick(rng, (200, 256, 320, 400)), pick(rng, ("png", "jpg"))
    if roll < 0.45:
        acc.avatar = None
    elif roll < 0.65:
        acc.avatar = AvatarSpec(
            ["emoji", pick(rng, ("1F4F0", "1F4E2", "1F30D", "2B50", "1F319")), pick(rng, COLOURS)],
            [],
            size,
            fmt,
        )
    elif roll < 0.8:
        acc.avatar = AvatarSpec(["default", acc.platform], [], size, fmt)
    else:
        acc.avatar = AvatarSpec(
            ["photo", pick(rng, ("landscape", "skyline", "abstract")), rng.randrange(10**9)],
            [],
            size,
            fmt,
        )
    acc.names = {}


def fresh_handle(acc: Account, rng: random.Random) -> str:
    base = slug(pick(rng, [v for v in acc.names.values() if v.isascii()] or [acc.display_name]))
    base = base or "news"
    return handles.from_words(
        base + pick(rng, ("", "_" + digits(rng, 2), "_pk")), rng, acc.platform
    )
