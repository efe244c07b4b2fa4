"""Legitimate accounts, built to collide with the bank the way real ones do."""

from __future__ import annotations

import random
from collections.abc import Callable

from . import handles, legit_orgs, names
from . import unicode_tricks as ut
from .common_text import GENERIC_PAGES, MENTION_PERSONAL, NEW_ACCOUNT_PERSONAL
from .legit_common import BG, EMOJI_POPULAR, context, fill, handle_of, person_avatar, size_fmt
from .legit_enrich import enrich
from .legit_text import ORDINARY, RELIGIOUS, RELIGIOUS_NAMES
from .model import PLATFORM_WEIGHTS, PLATFORMS, Account, AvatarSpec, Person
from .places import FLAG_COUNTRIES
from .util import apportion, chance, pick, rng_for

KINDS: dict[str, float] = {
    "namesake": 650,
    "flag_avatar": 450,
    "party": 420,
    "outlet": 420,
    "journalist": 330,
    "researcher": 200,
    "monitor": 200,
    "state": 250,
    "acronym": 330,
    "emoji_default": 400,
    "ordinary": 1200,
    "shared_symbol": 150,
}
SHARED_BANNERS = (
    "balochistan",
    "shahada_white",
    "shahada_black",
    "sindhudesh",
    "labbaik",
    "hussain",
    "sahaba",
)


def _ordinary_bio(rng: random.Random, script: str, old_handle: str) -> str:
    lang = {
        "latin": pick(rng, ("en", "en", "ro")),
        "urdu": pick(rng, ("ur", "ur", "ps")),
        "arabic": "ar",
    }[script]
    roll = rng.random()
    if roll < 0.05:
        return pick(rng, NEW_ACCOUNT_PERSONAL.get(lang, NEW_ACCOUNT_PERSONAL["en"]))
    if roll < 0.07 and old_handle:
        return pick(rng, MENTION_PERSONAL).format(old=old_handle)
    if roll < 0.2:
        return ""
    ctx = context(rng)
    parts = rng.sample(ORDINARY[lang], min(len(ORDINARY[lang]), pick(rng, (1, 1, 2, 3))))
    return pick(rng, (" | ", " ", "\n", " • ")).join(fill(p, ctx) for p in parts)


def _person_profile(rng: random.Random, acc: Account, p: Person, script: str) -> None:
    """Name, handle and bio of a private person."""
    acc.person = p
    acc.handle = (
        handles.from_person(p, rng, acc.platform)
        if acc.platform != "whatsapp"
        else handles.whatsapp_channel(rng)
    )
    if script == "latin":
        name = p.latin if chance(rng, 0.8) else p.given.split()[-1]
    else:
        name = p.arabic
    roll = rng.random()
    if roll < 0.07 and name.isascii():
        name = ut.fancy(name, rng)
    elif roll < 0.14:
        name = ut.decorate(name, rng)
    elif roll < 0.17:
        name = f"{name} {pick(rng, ('Official', 'Vlogs', 'Khan', 'Baloch', '786'))}"
    acc.display_name = name
    own = acc.handle if acc.platform != "whatsapp" else handles.from_person(p, rng, "instagram")
    old = handles.sequel(own, rng, "instagram") if chance(rng, 0.5) else own + "1"
    acc.bio = _ordinary_bio(rng, script, old)
    if chance(rng, 0.12):
        acc.links = [
            pick(
                rng,
                (
                    f"instagram.com/{own}",
                    f"youtube.com/@{own}",
                    handles.phone(rng),
                    f"wa.me/92{rng.randrange(3000000000, 3499999999)}",
                ),
            )
        ]


def _random_person(rng: random.Random) -> tuple[Person, str]:
    roll = rng.random()
    if roll < 0.12:
        return names.person(rng, region="gulf"), "arabic"
    prefer = pick(rng, (frozenset(), names.PASHTUN, names.BALOCH, names.SINDHI), (5, 3, 1, 1))
    return names.person(rng, prefer=prefer), "latin" if chance(rng, 0.62) else "urdu"


def namesake(rng: random.Random, acc: Account, bank: list[Account]) -> None:
    members = [a for a in bank if a.person is not None]
    src = pick(rng, members)
    p = src.person
    assert p is not None
    if chance(rng, 0.4):
        acc.platform = src.platform if src.platform != "whatsapp" else "facebook"
    script = (
        "urdu"
        if (not src.display_name.isascii() and chance(rng, 0.6)) or chance(rng, 0.15)
        else "latin"
    )
    _person_profile(rng, acc, p, script)
    acc.display_name = p.arabic if script == "urdu" else p.latin
    acc.avatar = person_avatar(rng, acc.platform, p)


def ordinary(rng: random.Random, acc: Account, bank: list[Account]) -> None:
    if chance(rng, 0.1):  # a small page rather than a person
        acc.display_name = pick(rng, GENERIC_PAGES)
        acc.handle = handle_of(
            acc.display_name if acc.display_name.isascii() else "updates", rng, acc.platform, 0.4
        )
        acc.bio = _ordinary_bio(rng, pick(rng, ("latin", "urdu")), "")
        size, fmt = size_fmt(rng)
        acc.avatar = pick(
            rng,
            (
                None,
                AvatarSpec(["photo", "landscape", rng.randrange(10**9)], [], size, fmt),
                AvatarSpec(["default", acc.platform], [], size, fmt),
            ),
        )
        return
    p, script = _random_person(rng)
    _person_profile(rng, acc, p, script)
    acc.avatar = person_avatar(rng, acc.platform, p)


def emoji_default(rng: random.Random, acc: Account, bank: list[Account]) -> None:
    p, script = _random_person(rng)
    _person_profile(rng, acc, p, script)
    size, fmt = size_fmt(rng)
    roll = rng.random()
    if roll < 0.4:
        acc.avatar = AvatarSpec(["default", acc.platform], [], size, fmt)
    elif roll < 0.8:
        acc.avatar = AvatarSpec(["emoji", pick(rng, EMOJI_POPULAR), pick(rng, BG)], [], size, fmt)
    elif roll < 0.9:
        letters = "".join(w[0] for w in p.latin.split()[:2]).upper()
        acc.avatar = AvatarSpec(["initials", letters, rng.randrange(7)], [], size, fmt)
    else:
        acc.avatar = AvatarSpec(["solid", pick(rng, BG)], [], size, fmt)


def flag_avatar(rng: random.Random, acc: Account, bank: list[Account]) -> None:
    if chance(rng, 0.8):
        p, script = _random_person(rng)
        _person_profile(rng, acc, p, script)
    else:
        ordinary(rng, acc, bank)
    size, fmt = size_fmt(rng)
    roll = rng.random()
    if roll < 0.2:  # the same drawn banner some banned accounts use
        acc.avatar = AvatarSpec(
            ["banner", pick(rng, SHARED_BANNERS[:4], (5, 2, 1, 1))], [], size, fmt
        )
    elif roll < 0.3:
        acc.avatar = AvatarSpec(["flag", "pk", "fill"], [], size, fmt)
    else:
        code = pick(rng, [c for c, _ in FLAG_COUNTRIES], [w for _, w in FLAG_COUNTRIES])
        layout = pick(rng, ("fill", "1x1", "white", "blur", "black"), (40, 25, 15, 10, 10))
        acc.avatar = AvatarSpec(["flag", code, layout], [], size, fmt)
    if chance(rng, 0.15):
        acc.avatar.ops.append(pick(rng, (["circle", "#ffffff"], ["jpeg", rng.randint(50, 85)])))


def shared_symbol(rng: random.Random, acc: Account, bank: list[Account]) -> None:
    ctx = context(rng) | {
        "name": pick(
            rng, ("Farooqia", "Ashrafia", "Rehmania", "Nomania", "Haqqania Taleem", "Darul Uloom")
        )
    }
    if chance(rng, 0.75):
        acc.display_name = pick(rng, RELIGIOUS_NAMES)
        words = acc.display_name if acc.display_name.isascii() else "islamic_baatein"
        acc.handle = handle_of(words, rng, acc.platform, 0.35)
    else:
        p = names.person(rng, female=False)
        title = pick(rng, ("Maulana", "Mufti", "Qari", "Hafiz"))
        acc.display_name = f"{title} {p.latin}"
        acc.handle = handles.from_person(p, rng, acc.platform)
    lang = pick(rng, ("en", "ur", "ro", "ps", "ar"), (3, 4, 2, 1, 1))
    acc.bio = fill(pick(rng, RELIGIOUS[lang]), ctx)
    size, fmt = size_fmt(rng)
    roll = rng.random()
    if roll < 0.5:
        acc.avatar = AvatarSpec(["calligraphy", "", rng.randrange(4)], [], size, fmt)
    elif roll < 0.9:
        acc.avatar = AvatarSpec(
            ["banner", pick(rng, SHARED_BANNERS[1:], (3, 1, 0.5, 3, 3, 2))], [], size, fmt
        )
    else:
        acc.avatar = AvatarSpec(
            ["emoji", pick(rng, ("1F54B", "1F54C", "262A", "1F4FF")), "#ffffff"], [], size, fmt
        )


def _org(
    fn: Callable[[random.Random, Account], None],
) -> Callable[[random.Random, Account, list[Account]], None]:
    return lambda rng, acc, bank: fn(rng, acc)


KIND_FN: dict[str, Callable[[random.Random, Account, list[Account]], None]] = {
    "namesake": namesake,
    "flag_avatar": flag_avatar,
    "party": _org(legit_orgs.party),
    "outlet": _org(legit_orgs.outlet),
    "journalist": _org(legit_orgs.journalist),
    "researcher": _org(legit_orgs.researcher),
    "monitor": _org(legit_orgs.monitor),
    "state": _org(legit_orgs.state),
    "acronym": _org(legit_orgs.acronym),
    "emoji_default": emoji_default,
    "ordinary": ordinary,
    "shared_symbol": shared_symbol,
}


def build(seed: int, total: int, bank: list[Account]) -> list[tuple[Account, str]]:
    counts = apportion(total, KINDS, minimum=1)
    out: list[tuple[Account, str]] = []
    for kind, n in counts.items():
        for i in range(n):
            rng = rng_for(seed, "legit", kind, i)
            acc = Account("pending", pick(rng, PLATFORMS, PLATFORM_WEIGHTS), "", "")
            KIND_FN[kind](rng, acc, bank)
            enrich(rng, acc, kind)
            if acc.platform == "whatsapp":
                acc.handle = handles.whatsapp_channel(rng)
            out.append((acc, f"legit:{kind}"))
    return out
