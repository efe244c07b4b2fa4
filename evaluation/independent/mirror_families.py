"""The evasion families: each edits a fresh account of the source's group (`m`) so that it
re-creates one banned account (`src`), by its own recipe."""

from __future__ import annotations

import random
from collections.abc import Callable

from . import bios, handles
from . import mirror_edits as ed
from . import unicode_tricks as ut
from .common_text import MENTION_OLD, NEW_ACCOUNT
from .model import PLATFORMS, Account
from .util import chance, pick


def _lang(acc: Account) -> str:
    return acc.bio_spec.lang if acc.bio_spec else pick(random.Random(acc.id), ("en", "ur", "ro"))


def _carry(m: Account, src: Account, rng: random.Random, p: dict[str, float]) -> None:
    """Keep some of the source's other signals, as most re-creations do."""
    if src.avatar is not None and chance(rng, p.get("avatar", 0.5)):
        m.avatar = ed.reupload(src.avatar, rng, pick(rng, (0, 0, 1, 2)))
    if src.bio and chance(rng, p.get("bio", 0.45)):
        if src.bio_spec and chance(rng, 0.4):
            m.bio_spec = ed.reword(src.bio_spec, rng, 0.4)
            m.bio = bios.render(m.bio_spec)
        else:
            m.bio, m.bio_spec = src.bio, src.bio_spec
    if src.links and chance(rng, p.get("links", 0.35)):
        m.links = list(src.links)
    if chance(rng, p.get("name", 0.0)):
        m.display_name = (
            src.display_name if chance(rng, 0.6) else ed.display_variant(src.display_name, rng)
        )


def _new_handle(m: Account, src: Account, rng: random.Random, p_sequel: float = 0.4) -> None:
    if src.platform == "whatsapp" or m.platform == "whatsapp":
        m.handle = handles.whatsapp_channel(rng)
    elif chance(rng, p_sequel):
        m.handle = handles.sequel(src.handle, rng, m.platform)


def handle_sequel(m: Account, src: Account, rng: random.Random) -> None:
    m.handle = handles.sequel(src.handle, rng, m.platform)
    m.display_name = (
        src.display_name if chance(rng, 0.65) else ed.display_variant(src.display_name, rng)
    )
    _carry(m, src, rng, {"avatar": 0.65, "bio": 0.55, "links": 0.35})


def handle_sequel_renamed(m: Account, src: Account, rng: random.Random) -> None:
    m.handle = handles.sequel(src.handle, rng, m.platform)
    _carry(m, src, rng, {"avatar": 0.4, "bio": 0.35, "links": 0.25})


def homoglyph_name(m: Account, src: Account, rng: random.Random) -> None:
    name = src.display_name
    m.display_name = (
        ut.homoglyphs(name, rng)
        if chance(rng, 0.8) or not name.isascii()
        else ut.leet(name, rng, 0.3, ut.LEET_NAME)
    )
    if src.platform != "whatsapp":
        m.handle = (
            ut.lookalike_handle(src.handle, rng)
            if chance(rng, 0.6)
            else handles.sequel(src.handle, rng, m.platform)
        )
    _carry(m, src, rng, {"avatar": 0.5, "bio": 0.5, "links": 0.3})


def decorative_name(m: Account, src: Account, rng: random.Random) -> None:
    name = src.display_name
    roll = rng.random()
    if name.isascii() and roll < 0.45:
        name = ut.fancy(name, rng)
    elif roll < 0.6:
        name = ut.invisible(name, rng, rng.randint(1, 3))
    elif not name.isascii() and roll < 0.75:
        name = ut.urdu_tatweel(name, rng)
    m.display_name = (
        ut.decorate(name, rng) if chance(rng, 0.6) or name == src.display_name else name
    )
    _new_handle(m, src, rng, 0.5)
    _carry(m, src, rng, {"avatar": 0.5, "bio": 0.5, "links": 0.3})


def leet_separator_handle(m: Account, src: Account, rng: random.Random) -> None:
    if src.platform == "whatsapp":
        m.platform = "telegram"
    h = src.handle
    roll = rng.random()
    if roll < 0.4:
        h = ut.leet(h, rng, 0.4)
    elif roll < 0.75:
        h = ut.separators(h, rng, "_." if m.platform in ("instagram", "tiktok", "youtube") else "_")
    else:
        h = ut.separators(ut.leet(h, rng, 0.3), rng, "_")
    m.handle = handles.fit(h, m.platform)
    if m.handle.lower() == src.handle.lower():
        m.handle = handles.fit(ut.leet(src.handle + "_", rng, 0.5), m.platform)
    if chance(rng, 0.3) and src.display_name.isascii():
        m.display_name = ut.leet(src.display_name, rng, 0.3, ut.LEET_NAME)
    _carry(m, src, rng, {"avatar": 0.45, "bio": 0.45, "links": 0.3, "name": 0.5})


def script_change(m: Account, src: Account, rng: random.Random) -> None:
    m.display_name = ed.other_script(src, rng)
    if src.bio_spec and chance(rng, 0.7):
        m.bio_spec = ed.translate(src.bio_spec, rng)
        m.bio = bios.render(m.bio_spec)
    if m.display_name.isascii() and m.platform != "whatsapp" and chance(rng, 0.6):
        m.handle = handles.from_words(m.display_name, rng, m.platform, 0.3)
    else:
        _new_handle(m, src, rng, 0.5)
    _carry(m, src, rng, {"avatar": 0.45, "bio": 0.0, "links": 0.3})


def bio_verbatim(m: Account, src: Account, rng: random.Random) -> None:
    m.bio, m.bio_spec = src.bio, src.bio_spec
    _carry(m, src, rng, {"avatar": 0.25, "bio": 0.0, "links": 0.3})


def bio_reworded(m: Account, src: Account, rng: random.Random) -> None:
    if src.bio_spec:
        m.bio_spec = ed.reword(src.bio_spec, rng, 0.7)
        m.bio = bios.render(m.bio_spec)
    else:
        m.bio = ed.reword_text(src.bio, rng)
    if chance(rng, 0.5):
        m.display_name = (
            src.display_name if chance(rng, 0.5) else ed.display_variant(src.display_name, rng)
        )
    _new_handle(m, src, rng, 0.35)
    _carry(m, src, rng, {"avatar": 0.35, "bio": 0.0, "links": 0.3})


def new_account_bio(m: Account, src: Account, rng: random.Random) -> None:
    lang = _lang(src)
    line = pick(rng, NEW_ACCOUNT[lang]).format(n=rng.randint(2, 45))
    rest = src.bio if chance(rng, 0.5) else m.bio
    m.bio = f"{line} {rest}".strip() if chance(rng, 0.7) else f"{rest}\n{line}".strip()
    m.bio_spec = None
    m.display_name = (
        src.display_name if chance(rng, 0.5) else ed.display_variant(src.display_name, rng)
    )
    _new_handle(m, src, rng, 0.5)
    _carry(m, src, rng, {"avatar": 0.45, "bio": 0.0, "links": 0.3})


def contacts(src: Account) -> list[str]:
    return [
        lk
        for lk in src.links
        if lk.startswith(("t.me/", "chat.whatsapp", "whatsapp.com/", "+", "0"))
        or ("@" in lk and "/" not in lk)
    ]


def same_contact(m: Account, src: Account, rng: random.Random) -> None:
    contact = pick(rng, contacts(src))
    if chance(rng, 0.65):
        m.links = [contact, *[lk for lk in m.links if lk != contact]][: rng.randint(1, 3)]
    else:
        m.bio = f"{m.bio} {handles.contact_lead(contact, rng)} {contact}".strip()
    _carry(m, src, rng, {"avatar": 0.3, "bio": 0.2, "links": 0.0})


def contact_suffix(m: Account, src: Account, rng: random.Random) -> None:
    contact = pick(rng, [c for c in contacts(src) if not c.startswith(("+", "0"))])
    m.links = [ed_link := handles.link_suffix(contact, rng)]
    if chance(rng, 0.3):
        m.bio = f"{m.bio} {ed_link}".strip()
    _carry(m, src, rng, {"avatar": 0.4, "bio": 0.3, "links": 0.0, "name": 0.4})


def handle_mention(m: Account, src: Account, rng: random.Random) -> None:
    old = src.handle if src.platform != "whatsapp" else src.display_name.replace(" ", "")
    if chance(rng, 0.75):
        line = pick(rng, MENTION_OLD[_lang(src)]).format(old=old)
        m.bio = f"{line} {m.bio}".strip() if chance(rng, 0.6) else f"{m.bio} {line}".strip()
    else:
        m.links = [handles.profile_link(src.platform, src.handle), *m.links][:3]
    _carry(m, src, rng, {"avatar": 0.35, "bio": 0.0, "links": 0.1, "name": 0.4})


def avatar_edit(m: Account, src: Account, rng: random.Random) -> None:
    assert src.avatar is not None
    m.avatar = ed.reupload(src.avatar, rng, rng.randint(1, 3), src.display_name)
    if chance(rng, 0.6):
        m.display_name = (
            src.display_name if chance(rng, 0.5) else ed.display_variant(src.display_name, rng)
        )
    _new_handle(m, src, rng, 0.4)
    _carry(m, src, rng, {"avatar": 0.0, "bio": 0.35, "links": 0.25})


def cross_platform(m: Account, src: Account, rng: random.Random) -> None:
    m.platform = pick(rng, [p for p in PLATFORMS if p not in (src.platform, "whatsapp")])
    h = src.handle
    m.handle = handles.fit(h.lower() if chance(rng, 0.3) else h, m.platform)
    _carry(m, src, rng, {"avatar": 0.5, "bio": 0.5, "links": 0.35, "name": 0.75})


def combo(m: Account, src: Account, rng: random.Random) -> None:
    steps: list[Callable[[Account, Account, random.Random], None]] = [
        homoglyph_name,
        script_change,
        bio_reworded,
        handle_sequel,
    ]
    if src.avatar is not None:
        steps.append(avatar_edit)
    if any(not c.startswith(("+", "0")) for c in contacts(src)):
        steps.append(contact_suffix)
    chosen = rng.sample(steps, min(3, len(steps)))
    snapshot = m.clone(m.id)
    for step in chosen:  # each step edits the source's fields; keep the union of the edits
        trial = snapshot.clone(m.id)
        step(trial, src, rng)
        for f in ("display_name", "handle", "bio", "links", "avatar", "platform"):
            if getattr(trial, f) != getattr(snapshot, f):
                setattr(m, f, getattr(trial, f))


def hard_avatar_only(m: Account, src: Account, rng: random.Random) -> None:
    ed.neutral(m, rng)
    assert src.avatar is not None
    m.avatar = ed.reupload(src.avatar, rng, rng.randint(1, 2))


def hard_bio_paraphrase(m: Account, src: Account, rng: random.Random) -> None:
    ed.neutral(m, rng)
    assert src.bio_spec is not None
    m.bio_spec = ed.reword(src.bio_spec, rng, 0.9)
    m.bio = bios.render(m.bio_spec)


def hard_contact_only(m: Account, src: Account, rng: random.Random) -> None:
    ed.neutral(m, rng)
    contact = pick(rng, contacts(src))
    if chance(rng, 0.5):
        m.links = [contact]
    else:
        m.bio = f"{m.bio} {contact}".strip()


def hard_translit_name(m: Account, src: Account, rng: random.Random) -> None:
    ed.neutral(m, rng)
    m.display_name = ed.other_script(src, rng)


FAMILY_FN: dict[str, Callable[[Account, Account, random.Random], None]] = {
    "handle_sequel": handle_sequel,
    "handle_sequel_renamed": handle_sequel_renamed,
    "homoglyph_name": homoglyph_name,
    "decorative_name": decorative_name,
    "leet_separator_handle": leet_separator_handle,
    "script_change": script_change,
    "bio_verbatim": bio_verbatim,
    "bio_reworded": bio_reworded,
    "new_account_bio": new_account_bio,
    "same_contact": same_contact,
    "contact_suffix": contact_suffix,
    "handle_mention": handle_mention,
    "avatar_edit": avatar_edit,
    "cross_platform": cross_platform,
    "combo": combo,
    "hard:avatar_only": hard_avatar_only,
    "hard:bio_paraphrase": hard_bio_paraphrase,
    "hard:contact_only": hard_contact_only,
    "hard:translit_name": hard_translit_name,
}
