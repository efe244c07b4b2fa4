"""The bank: banned accounts of the groups, by role (official pages, media wings, regional
chapters, spokesmen, members, fan and news pages)."""

from __future__ import annotations

import random

from . import bios, handles
from .bank_extras import avatar_for, links_for
from .groups import GROUPS, Group
from .model import PLATFORM_WEIGHTS, PLATFORMS, Account
from .names import BALOCH, PASHTUN, SINDHI, person
from .places import region_ur
from .translit import slug, vary
from .util import apportion, chance, digits, pick, rng_for

ROLES = {
    "official": 0.12,
    "media": 0.2,
    "chapter": 0.17,
    "spokesman": 0.08,
    "member": 0.25,
    "fan": 0.12,
    "news": 0.06,
}
LOGO_STYLES = (
    "roundel",
    "shield",
    "emblem",
    "badge",
    "calligraphic",
    "split",
    "wordmark",
    "stripes",
)
TITLES = (
    ("Abu", "ابو"),
    ("Commander", "کمانڈر"),
    ("Mufti", "مفتی"),
    ("Maulana", "مولانا"),
    ("Qari", "قاری"),
    ("Mullah", "ملا"),
    ("Ustad", "استاد"),
    ("Sarmachar", "سرمچار"),
)


def group_logos(seed: int, g: Group) -> list[list[object]]:
    """Three logo designs per group; its accounts share them (with small variations)."""
    rng = rng_for(seed, "logos", g.key)
    styles = rng.sample(LOGO_STYLES, 3)
    wing = g.wings[0] if g.wings else (g.en[0], g.ur[0])
    mains = [g.acronyms[0], g.ur[0] if len(g.ur[0]) < 22 else wing[1], wing[0]]
    subs = [wing[0] if g.wings else g.cause[0], g.acronyms[0], g.cause[0]]
    pal = list(g.palette)
    return [
        [
            "logo",
            styles[i],
            rng.randrange(10**6),
            mains[i],
            subs[i],
            pal if i != 1 else [pal[1], pal[0], pal[2]],
        ]
        for i in range(3)
    ]


def _names(
    rng: random.Random, g: Group, role: str, region: str, wing: tuple[str, str]
) -> dict[str, str]:
    """The account's display name in English, Urdu script and Roman Urdu."""
    acr, roman = g.acronyms[0], vary(g.roman, rng)
    if role == "official":
        return {
            "en": pick(rng, (f"{acr} Official", g.en[0], f"{g.en[0]} ({acr})", acr)),
            "ur": pick(rng, (g.ur[0], f"{g.ur[0]} آفیشل", g.ur[-1])),
            "ro": pick(rng, (roman, f"{roman} Official", f"{roman} ({acr})")),
        }
    if role == "media":
        lang = pick(rng, ("", "", " Urdu", " English", " Pashto", " Official", " Studio"))
        return {"en": wing[0] + lang, "ur": wing[1], "ro": wing[0] + lang}
    if role == "chapter":
        return {
            "en": pick(rng, (f"{acr} {region}", f"{g.en[0]} – {region}")),
            "ur": f"{g.ur[0]} {region_ur(region)}",
            "ro": f"{roman} {region}",
        }
    if role == "spokesman":
        return {
            "en": pick(rng, (f"Spokesman {acr}", f"{acr} Spokesperson", f"{acr} Media Cell")),
            "ur": pick(rng, (f"ترجمان {g.ur[0]}", f"{g.ur[0]} ترجمان")),
            "ro": pick(rng, (f"Tarjuman {acr}", f"{roman} Tarjuman")),
        }
    if role == "fan":
        c, cu = g.cause
        return {
            "en": pick(
                rng,
                (
                    f"Voice of {c}",
                    f"{c} Lovers",
                    f"{acr} Supporters",
                    f"Sons of {c}",
                    f"{c} Zindabad",
                ),
            ),
            "ur": pick(rng, (f"صدائے {cu}", f"{cu} کے چاہنے والے", f"{cu} زندہ باد")),
            "ro": pick(rng, (f"Sada-e-{c}", f"{c} ke Diwane", f"{c} Zindabad")),
        }
    c, cu = g.cause
    return {
        "en": pick(rng, (f"{c} News", f"{c} Updates", f"{c} Times", f"{c} News Agency")),
        "ur": pick(rng, (f"{cu} نیوز", f"{cu} اپڈیٹس", f"{cu} ٹائمز")),
        "ro": pick(rng, (f"{c} Khabrain", f"{c} News", f"{c} Updates")),
    }


def _handle(
    rng: random.Random,
    role: str,
    names: dict[str, str],
    g: Group,
    platform: str,
    region: str,
    wing: tuple[str, str],
) -> str:
    acr = slug(g.acronyms[0], "")
    if platform == "whatsapp":
        return handles.whatsapp_channel(rng)
    if role == "official":
        words = pick(
            rng,
            (
                f"{acr} official",
                f"{acr} pk",
                slug(names["ro"]),
                f"{acr}",
                f"{acr} {pick(rng, ('urdu', 'eng', 'ps', 'media'))}",
            ),
        )
    elif role == "media":
        words = slug(wing[0]) + pick(rng, ("", "", "_urdu", "_eng", "_official", "_tv"))
    elif role == "chapter":
        words = pick(rng, (f"{acr} {region}", f"{slug(g.cause[0])} {region}", f"{region} {acr}"))
    elif role == "spokesman":
        words = pick(
            rng, (f"{acr} spokesman", f"tarjuman {acr}", f"spokesman {acr}", f"{acr} media cell")
        )
    else:
        words = slug(names["en"])
    h = handles.from_words(words, rng, platform, number_p=0.2)
    if chance(rng, 0.18):  # accounts that were themselves re-created already carry a number
        h = handles.fit(
            h + pick(rng, (digits(rng, 2), digits(rng, 3), "0" + digits(rng, 2))), platform
        )
    return h


def make_account(
    rng: random.Random,
    acc_id: str,
    g: Group,
    logos: list[list[object]],
    role: str | None = None,
    platform: str | None = None,
) -> Account:
    """One account of group `g`; `role` and `platform` are drawn when not given."""
    if role is None:
        role = pick(rng, list(ROLES), list(ROLES.values()))
        if role == "media" and not g.wings and chance(rng, 0.6):
            role = "official"
    platform = platform or pick(rng, PLATFORMS, PLATFORM_WEIGHTS)
    region = pick(rng, g.regions)
    wing = pick(rng, g.wings) if g.wings else (f"{g.acronyms[0]} Media", f"{g.acronyms[0]} میڈیا")
    p = None
    if role == "member":
        prefer = {"baloch": BALOCH, "pashtun": PASHTUN, "sindhi": SINDHI}.get(g.mix, frozenset())
        p = person(rng, prefer=prefer, female=chance(rng, 0.05))
        names = {"en": p.latin, "ur": p.arabic, "ro": p.latin}
        if chance(rng, 0.35):
            t = pick(rng, TITLES)
            names = {
                "en": f"{t[0]} {p.latin}",
                "ur": f"{t[1]} {p.arabic}",
                "ro": f"{t[0]} {p.latin}",
            }
    else:
        names = _names(rng, g, role, region, wing)
    script = pick(
        rng, ("ur", "en", "ro"), (3, 4, 3) if g.mix in ("baloch", "sindhi") else (4, 3, 3)
    )
    display = names[script]
    h = _handle(rng, role, names, g, platform, region, wing)
    if role == "member" and p is not None and platform != "whatsapp":
        h = handles.from_person(p, rng, platform) if chance(rng, 0.7) else h
    links = links_for(rng, role, h, platform, g)
    slots = {
        "group": g.key,
        "region": region,
        "wing": str(g.wings.index(wing)) if wing in g.wings else "0",
        "year": str(rng.randint(2008, 2024)),
        "n": str(rng.randint(2, 40)),
        "name_idx": str(rng.randrange(3)),
        "roman": vary(g.roman, rng),
    }
    tg = next((lk for lk in links if lk.startswith("t.me/")), "")
    if tg and chance(rng, 0.6):
        slots["tg"] = tg
    spec = None if chance(rng, 0.08) else bios.make(rng, g.key, role, slots, long=chance(rng, 0.35))
    bio = bios.render(spec) if spec else ""
    if links and chance(rng, 0.25) and spec is not None:
        extra = pick(rng, links)
        if extra not in bio:
            spec.tail = f"{spec.tail} {handles.contact_lead(extra, rng)} {extra}".strip()
            bio = bios.render(spec)
    return Account(
        acc_id,
        platform,
        h,
        display,
        bio,
        links,
        avatar_for(rng, role, g, logos, region),
        g.key,
        role,
        names,
        p,
        spec,
    )


def build(seed: int, total: int) -> list[Account]:
    counts = apportion(total, {g.key: g.weight for g in GROUPS}, minimum=2)
    accounts: list[Account] = []
    idx = 0
    for g in GROUPS:
        logos = group_logos(seed, g)
        mine: list[Account] = []
        for _ in range(counts[g.key]):
            rng = rng_for(seed, "bank-sequel", idx)
            if mine and chance(rng, 0.07):  # an earlier re-creation that was banned too
                src = pick(rng, mine)
                acc = src.clone(f"b{idx:06d}")
                acc.handle = (
                    handles.sequel(src.handle, rng, src.platform)
                    if src.platform != "whatsapp"
                    else handles.whatsapp_channel(rng)
                )
            else:
                acc = make_account(rng_for(seed, "bank", idx), f"b{idx:06d}", g, logos)
            mine.append(acc)
            idx += 1
        accounts.extend(mine)
    taken: set[tuple[str, str]] = set()
    for acc in accounts:
        acc.handle = handles.claim(acc.handle, acc.platform, taken, rng_for(seed, "claim", acc.id))
    return accounts
