"""Finishing touches on legitimate profiles: a longer bio, hashtags and contact links, at the
rates such accounts use them, so bio length, hashtags and links are no class tell."""

from __future__ import annotations

import random
import string

from . import handles
from .bios import MEANINGS
from .legit_common import context, fill
from .legit_text import JOURNALIST, MONITOR, ORDINARY, OUTLET, PARTY, RESEARCHER, STATE_BIOS
from .model import Account
from .translit import slug
from .util import chance, pick

EXTRA = {
    "journalist": JOURNALIST,
    "researcher": RESEARCHER,
    "monitor": MONITOR,
    "outlet": OUTLET,
    "party": PARTY,
    "state": STATE_BIOS,
}
TAGS = {
    "outlet": (
        "#BreakingNews",
        "#Pakistan",
        "#Balochistan",
        "#KP",
        "#Peshawar",
        "#Quetta",
        "#Karachi",
        "#Afghanistan",
        "#TTP",
        "#BLA",
        "#Urdu",
        "#LiveUpdates",
    ),
    "pro": (
        "#Pakistan",
        "#KP",
        "#Balochistan",
        "#TTP",
        "#ISKP",
        "#BLA",
        "#Terrorism",
        "#CT",
        "#Afghanistan",
        "#FATA",
        "#Khorasan",
        "#OSINT",
        "#Security",
    ),
    "party": ("#Pakistan", "#Elections", "#KP", "#Balochistan", "#Sindh", "#Punjab", "#Democracy"),
    "state": (
        "#PakistanArmy",
        "#Balochistan",
        "#KP",
        "#Police",
        "#CTD",
        "#FitnaAlKhawarij",
        "#FitnaAlHindustan",
        "#Pakistan",
        "#Peace",
    ),
    "business": ("#Lahore", "#Karachi", "#Quetta", "#Peshawar", "#business", "#Pakistan", "#sale"),
    "person": (
        "#PSL",
        "#Cricket",
        "#Pakistan",
        "#Karachi",
        "#Lahore",
        "#Peshawar",
        "#Pashtun",
        "#Baloch",
        "#Islam",
        "#Kashmir",
        "#Palestine",
        "#Sindh",
        "#Quetta",
        "#Swat",
    ),
    "religious": (
        "#Islam",
        "#Quran",
        "#Hadith",
        "#JummaMubarak",
        "#Labbaik",
        "#YaHussain",
        "#Allah",
        "#Deen",
    ),
}
TAG_KIND = {
    "outlet": "outlet",
    "journalist": "pro",
    "researcher": "pro",
    "monitor": "pro",
    "party": "party",
    "state": "state",
    "acronym": "business",
    "shared_symbol": "religious",
}
# kind -> (probability of links, probability of a contact line in the bio)
RATES = {
    "outlet": (0.85, 0.2),
    "party": (0.6, 0.15),
    "state": (0.65, 0.25),
    "journalist": (0.55, 0.2),
    "researcher": (0.5, 0.15),
    "monitor": (0.7, 0.2),
    "acronym": (0.7, 0.3),
    "shared_symbol": (0.45, 0.2),
}


def _slots(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _link(rng: random.Random, kind: str, acc: Account) -> str:
    name = acc.handle
    if acc.platform == "whatsapp":
        name = acc.person.latin if acc.person else acc.display_name
    base = slug(name, "")[:24] or "page"
    if kind in ("outlet", "party", "state"):
        return pick(
            rng,
            (
                f"{base}.com.pk" if kind != "state" else f"{base}.gov.pk",
                f"whatsapp.com/channel/{handles.whatsapp_channel(rng)}",
                f"t.me/{handles.fit(base, 'telegram')}",
                f"youtube.com/@{base}",
                f"facebook.com/{base}",
                handles.phone(rng),
            ),
            (4, 3, 3, 2, 1, 1),
        )
    if kind in ("journalist", "researcher", "monitor"):
        return pick(
            rng,
            (
                handles.email(base, rng),
                f"{base}.substack.com",
                f"linktr.ee/{base}",
                f"t.me/{handles.fit(base, 'telegram')}",
                f"youtube.com/@{base}",
                handles.email(base, rng, "proton.me"),
            ),
            (4, 2, 2, 3 if kind == "monitor" else 1, 1, 1),
        )
    if kind == "acronym":
        return pick(
            rng,
            (
                handles.phone(rng),
                f"{base}.pk",
                f"instagram.com/{base}",
                f"wa.me/92{rng.randrange(3000000000, 3499999999)}",
                handles.email(base, rng),
            ),
        )
    return pick(
        rng,
        (
            f"instagram.com/{base}",
            f"youtube.com/@{base}",
            f"tiktok.com/@{base}",
            f"wa.me/92{rng.randrange(3000000000, 3499999999)}",
            handles.phone(rng),
            f"t.me/{handles.fit(base, 'telegram')}",
            handles.email(base, rng),
            f"facebook.com/{base}",
        ),
        (4, 3, 2, 2, 2, 3, 1, 2),
    )


GENERIC_MEANINGS = ("first", "only", "join", "since", "share", "langs", "region")
PAGE_KINDS = ("outlet", "party", "state", "monitor", "acronym", "shared_symbol", "researcher")


def generic_fragment(rng: random.Random, lang: str, acc: Account) -> str:
    """A line that pages of every kind write ("beware of fake pages", "join our Telegram")."""
    meaning = pick(rng, GENERIC_MEANINGS, (3, 4, 2, 2, 2, 1, 2))
    variant = pick(rng, MEANINGS[meaning])
    tg = next((lk for lk in acc.links if lk.startswith("t.me/")), "")
    if meaning == "join" and not tg:
        base = slug(acc.display_name if acc.platform == "whatsapp" else acc.handle, "")[:24]
        tg = f"t.me/{handles.fit(base or 'channel', 'telegram')}"
        acc.links.append(tg)
    ctx = context(rng)
    region = ctx["region"] if lang in ("en", "ro") else ctx["region_ur"]
    return variant[lang].format(tg=tg, year=ctx["year"], region=region)


def enrich(rng: random.Random, acc: Account, kind: str) -> None:
    if kind in PAGE_KINDS and chance(rng, 0.45):
        lang = pick(rng, ("en", "ur", "ro", "ps"), (5, 3, 2, 1))
        for _ in range(pick(rng, (1, 1, 2))):
            line = generic_fragment(rng, lang, acc)
            if line not in acc.bio:
                acc.bio = f"{acc.bio}{pick(rng, (' ', ' | ', chr(10), ' • '))}{line}".strip()
    table = EXTRA.get(kind)
    if table and acc.bio and chance(rng, 0.55):
        lang = "en" if acc.bio.isascii() or "ur" not in table else "ur"
        ctx = context(rng)
        usable = [t for t in table[lang] if _slots(t) <= set(ctx)]
        extra = fill(pick(rng, usable), ctx) if usable else ""
        if extra and extra not in acc.bio:
            sep = " " if acc.bio.endswith((".", "۔")) else pick(rng, (" | ", ". ", " ", "\n"))
            acc.bio = f"{acc.bio}{sep}{extra}"
    elif kind in ("ordinary", "namesake", "flag_avatar", "emoji_default") and chance(rng, 0.25):
        extra = fill(pick(rng, ORDINARY["en"]), context(rng))
        acc.bio = f"{acc.bio} | {extra}".strip(" |")
    tag_kind = TAG_KIND.get(kind, "person")
    if chance(rng, 0.45 if tag_kind != "person" else 0.15):
        tags = " ".join(rng.sample(TAGS[tag_kind], rng.randint(1, 3)))
        acc.bio = f"{acc.bio} {tags}".strip()
    p_links, p_inline = RATES.get(kind, (0.3, 0.06))
    if chance(rng, p_links):
        for _ in range(pick(rng, (1, 1, 1, 2, 2, 3))):
            link = _link(rng, kind, acc)
            if link not in acc.links:
                acc.links.append(link)
    if chance(rng, p_inline):
        link = _link(rng, kind, acc)
        acc.bio = f"{acc.bio} {handles.contact_lead(link, rng)} {link}".strip()
