"""Legitimate organisations and professionals: parties, outlets, journalists, researchers,
monitors, state bodies, and unrelated organisations sharing an acronym with a group."""

from __future__ import annotations

import random

from . import handles, names
from .legit_common import context, fill, handle_of, lang_of, logo_avatar, person_avatar, size_fmt
from .legit_text import JOURNALIST, MONITOR, OUTLET, PARTY, RESEARCHER, STATE_BIOS
from .model import Account, AvatarSpec, Person
from .orgs import OUTLETS, PARTIES, PARTY_WINGS, PROGRAMMES, PROVINCES_UR, STATE, STATE_TERMS
from .orgs_misc import ACRONYM_ORGS, LASHKAR_SURNAMES, MONITOR_NOUNS, MONITOR_TOPICS, THINK_TANKS
from .translit import slug
from .util import chance, digits, pick

LANGS_ORG = {"en": 0.55, "ur": 0.3, "ro": 0.1, "ps": 0.05}


def party(rng: random.Random, acc: Account) -> None:
    p = pick(rng, PARTIES)
    ctx = context(rng) | {"party": p.en, "party_ur": p.ur, "acr": p.acr, "slogan": p.slogan}
    wing = next((w for w in PARTY_WINGS if w[2] == p.acr), None)
    ctx["wing"] = wing[0] if wing else f"{p.acr} Youth"
    kind = pick(rng, ("official", "province", "wing", "person", "team"), (15, 25, 10, 40, 10))
    logo = logo_avatar(
        rng, p.style, p.acr, p.acr, p.ur if chance(rng, 0.5) else p.slogan, p.palette
    )
    if kind == "person":
        who = names.person(rng)
        role = pick(rng, ("MNA", "MPA", "Senator", "Spokesperson", "Information Secretary"))
        acc.display_name = pick(
            rng, (who.latin, who.arabic, f"{who.latin} {role}", f"{who.latin} ({p.acr})")
        )
        acc.handle = handles.from_person(who, rng, acc.platform)
        acc.avatar = logo if chance(rng, 0.3) else person_avatar(rng, acc.platform, who)
        acc.person = who
    else:
        prov = ctx["province"]
        acc.display_name = {
            "official": pick(rng, (p.en, p.ur, p.acr, f"{p.acr} Official")),
            "province": pick(rng, (f"{p.acr} {prov}", f"{p.ur} {PROVINCES_UR.get(prov, prov)}")),
            "wing": ctx["wing"],
            "team": f"{p.acr} Social Media Team",
        }[kind]
        words = {
            "official": p.handle + pick(rng, ("", "_official", "official", "pk")),
            "province": f"{p.handle} {slug(prov)}",
            "wing": slug(ctx["wing"]),
            "team": f"{p.handle} digital",
        }[kind]
        acc.handle = handle_of(words, rng, acc.platform, 0.05)
        acc.avatar = (
            logo if chance(rng, 0.85) else AvatarSpec(["flag", "pk", "fill"], [], 320, "png")
        )
    lang = lang_of(rng, LANGS_ORG, PARTY)
    acc.bio = fill(pick(rng, PARTY[lang]), ctx)
    if chance(rng, 0.15):
        acc.links = [pick(rng, (ctx["wa"], f"{p.handle}.org.pk", f"t.me/{p.handle}_official"))]


def outlet(rng: random.Random, acc: Account) -> None:
    o = pick(rng, OUTLETS)
    ctx = context(rng) | {
        "name": o.en,
        "name_ur": o.ur,
        "main": o.handle,
        "prog": pick(rng, PROGRAMMES),
    }
    ctx["tg"] = f"t.me/{o.handle}"
    if o.region:
        ctx["region"], ctx["region_ur"] = o.region, o.region
    kind = pick(rng, ("main", "bureau", "programme", "language", "backup"), (35, 25, 20, 15, 5))
    acc.display_name = {
        "main": pick(rng, (o.en, o.ur, f"{o.en} Official")),
        "bureau": f"{o.en} {ctx['region']}",
        "programme": ctx["prog"],
        "language": f"{o.en} {pick(rng, ('Urdu', 'English', 'Pashto', 'Live'))}",
        "backup": f"{o.en} (Backup)",
    }[kind]
    suffix = {
        "main": pick(rng, ("", "", "_official", "live")),
        "bureau": "_" + slug(ctx["region"]),
        "programme": "",
        "language": pick(rng, ("_urdu", "_english", "_live", "_ps")),
        "backup": pick(rng, ("_backup", "2", "_2", "backup")),
    }[kind]
    base = slug(ctx["prog"]) if kind == "programme" else o.handle
    acc.handle = handle_of(base + suffix, rng, acc.platform, 0.0)
    acc.avatar = logo_avatar(
        rng,
        o.style,
        o.acr,
        o.acr if chance(rng, 0.6) else o.en.split()[0],
        "NEWS" if chance(rng, 0.5) else o.ur,
        o.palette,
    )
    lang = lang_of(rng, {"en": 0.55, "ur": 0.3, "ro": 0.08, "ps": 0.07}, OUTLET)
    template = OUTLET[lang][-1] if kind == "backup" and lang == "en" else pick(rng, OUTLET[lang])
    acc.bio = fill(template, ctx)
    acc.links = [
        lk
        for lk, p in (
            (f"{o.handle.replace('_', '')}.com.pk", 0.4),
            (ctx["wa"], 0.2),
            (ctx["tg"], 0.15),
            (handles.phone(rng), 0.05),
        )
        if chance(rng, p)
    ]


def _professional(
    rng: random.Random,
    acc: Account,
    table: dict[str, tuple[str, ...]],
    handle_words: tuple[str, ...],
) -> dict[str, str]:
    who = names.person(rng, female=chance(rng, 0.3))
    o = pick(rng, OUTLETS)
    ctx = context(rng) | {"outlet": o.en, "email": handles.email(slug(who.latin, "."), rng)}
    acc.display_name = who.arabic if chance(rng, 0.15) else who.latin
    if chance(rng, 0.25):
        first = slug(who.given.split()[-1], "")
        acc.handle = handle_of(
            f"{pick(rng, handle_words)}{pick(rng, ('_', ''))}{first}", rng, acc.platform, 0.3
        )
    else:
        acc.handle = handles.from_person(who, rng, acc.platform)
    acc.person = who
    acc.avatar = person_avatar(rng, acc.platform, who)
    lang = lang_of(rng, {"en": 0.65, "ur": 0.2, "ro": 0.08, "ps": 0.07}, table)
    acc.bio = fill(pick(rng, table[lang]), ctx)
    if chance(rng, 0.25):
        acc.links = [
            pick(
                rng,
                (
                    ctx["email"],
                    f"{slug(who.latin, '')}.substack.com",
                    f"youtube.com/@{slug(who.latin, '')}",
                ),
            )
        ]
    return ctx


def journalist(rng: random.Random, acc: Account) -> None:
    _professional(rng, acc, JOURNALIST, ("reporter", "journo", "journalist", "anchor"))


def researcher(rng: random.Random, acc: Account) -> None:
    if chance(rng, 0.2):
        tank = pick(rng, THINK_TANKS)
        ctx = context(rng) | {"tank": tank}
        acc.display_name = tank
        acc.handle = handle_of(tank, rng, acc.platform, 0.0)
        acc.avatar = logo_avatar(
            rng,
            pick(rng, ("wordmark", "emblem", "badge")),
            tank,
            tank[:8],
            "Research",
            ("#ffffff", "#0d47a1", "#c62828"),
        )
        acc.bio = fill(pick(rng, RESEARCHER["en"][3:4] + MONITOR["en"][2:5]), ctx)
        return
    _professional(rng, acc, RESEARCHER, ("dr", "analyst", "research"))


def monitor(rng: random.Random, acc: Account) -> None:
    topic, noun = pick(rng, MONITOR_TOPICS), pick(rng, MONITOR_NOUNS)
    ctx = context(rng)
    if topic in ("TTP", "BLA", "ISKP", "ISK", "AQIS", "LeJ"):
        ctx["acr"] = topic
    acc.display_name = pick(rng, (f"{topic} {noun}", f"{topic} {noun}", f"The {topic} {noun}"))
    acc.handle = handle_of(f"{topic} {noun}", rng, acc.platform, 0.1)
    ctx["tg"] = f"t.me/{handles.fit(acc.handle, 'telegram')}" if chance(rng, 0.4) else ""
    lang = lang_of(rng, {"en": 0.75, "ur": 0.12, "ro": 0.08, "ps": 0.05}, MONITOR)
    acc.bio = fill(pick(rng, MONITOR[lang]), ctx)
    if ctx["tg"] and chance(rng, 0.6):
        acc.links = [ctx["tg"]]
    roll = rng.random()
    size, fmt = size_fmt(rng)
    if roll < 0.5:
        acc.avatar = logo_avatar(
            rng,
            pick(rng, ("roundel", "wordmark", "badge", "shield", "emblem")),
            acc.display_name,
            topic,
            noun.upper(),
            pick(
                rng,
                (
                    ("#111111", "#ffffff", "#c62828"),
                    ("#ffffff", "#0d47a1", "#111111"),
                    ("#0b3d0b", "#f2c200", "#ffffff"),
                ),
            ),
        )
    elif roll < 0.7:
        acc.avatar = AvatarSpec(
            ["emoji", pick(rng, ("1F4E1", "1F50D", "1F5FA", "1F4CA")), "#ffffff"], [], size, fmt
        )
    elif roll < 0.85:
        acc.avatar = AvatarSpec(["photo", "abstract", rng.randrange(10**9)], [], size, fmt)


def state(rng: random.Random, acc: Account) -> None:
    o = pick(rng, STATE)
    ctx = context(rng) | {"org": o.en, "org_ur": o.ur}
    term = pick(rng, STATE_TERMS)
    ctx |= {"term": term, "term_ur": "فتنۃ الخوارج" if "Khawarij" in term else "دہشت گردی"}
    prov = ctx["province"]
    short = {"Khyber Pakhtunkhwa": "KP", "Balochistan": "Balochistan"}.get(prov, prov)
    if o.acr in ("CTD", "POLICE", "FC", "LEVIES", "HOME"):
        acc.display_name = pick(
            rng,
            (
                f"{short} Police" if o.acr == "POLICE" else f"{o.acr} {short}",
                f"{o.en} {prov}",
                f"{o.ur} {ctx['province_ur']}",
            ),
        )
        acc.handle = handle_of(f"{o.handle} {slug(short)}", rng, acc.platform, 0.0)
    elif o.acr == "DC":
        acc.display_name = f"Deputy Commissioner {ctx['region']}"
        acc.handle = handle_of(f"dc {ctx['region']}", rng, acc.platform, 0.0)
    else:
        acc.display_name = pick(rng, (o.en, o.ur, o.acr))
        acc.handle = handle_of(o.handle, rng, acc.platform, 0.0)
    lang = lang_of(rng, {"en": 0.6, "ur": 0.3, "ro": 0.06, "ps": 0.04}, STATE_BIOS)
    acc.bio = fill(pick(rng, STATE_BIOS[lang]), ctx)
    acc.avatar = (
        logo_avatar(rng, o.style, o.acr, o.acr if o.acr != "POLICE" else short, o.ur, o.palette)
        if chance(rng, 0.75)
        else AvatarSpec(["flag", "pk", pick(rng, ("fill", "1x1"))], [], 320, "png")
    )
    if chance(rng, 0.2):
        acc.links = [pick(rng, (ctx["wa"], f"{o.handle}.gov.pk"))]


def acronym(rng: random.Random, acc: Account) -> None:
    if chance(rng, 0.15):
        latin, arabic = pick(rng, LASHKAR_SURNAMES)
        acc.display_name = latin if chance(rng, 0.7) else arabic
        given, _, surname = latin.partition(" ")
        acc.handle = handles.from_person(Person(latin, arabic, given, surname), rng, acc.platform)
        acc.avatar = person_avatar(rng, acc.platform)
        acc.bio = fill(
            pick(
                rng,
                (
                    "Student | {city}",
                    "Engineer",
                    "Proud Pakistani",
                    "{city} ❤️",
                    "Cricket lover",
                    "",
                ),
            ),
            context(rng),
        )
        return
    display, h, bio, word = pick(rng, ACRONYM_ORGS)
    acc.display_name = display
    acc.handle = handle_of(h + (digits(rng, 2) if chance(rng, 0.1) else ""), rng, acc.platform, 0.0)
    acc.bio = bio
    main = word if len(word) <= 5 else display.split()[0]
    sub = " ".join(display.split()[-2:]) if chance(rng, 0.6) else ""
    roll = rng.random()
    if roll < 0.6:
        acc.avatar = logo_avatar(
            rng,
            pick(rng, ("wordmark", "roundel", "badge", "split", "emblem")),
            display,
            main,
            sub,
            pick(
                rng,
                (
                    ("#ffffff", "#1565c0", "#f57c00"),
                    ("#111111", "#f2c200", "#ffffff"),
                    ("#f5f5f5", "#2e7d32", "#c62828"),
                ),
            ),
        )
    elif roll < 0.8:
        size, fmt = size_fmt(rng)
        acc.avatar = AvatarSpec(
            ["photo", pick(rng, ("skyline", "car", "flower", "abstract")), rng.randrange(10**9)],
            [],
            size,
            fmt,
        )
    if chance(rng, 0.35):
        acc.links = [pick(rng, (handles.phone(rng), f"{slug(h, '')}.pk", f"instagram.com/{h}"))]
