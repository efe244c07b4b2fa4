"""Mirror accounts: each re-creates one bank account by one evasion family (some mix several).

Every mirror starts as a fresh account of the same group (new handle, its own name, bio, links
and picture) and then carries over what its family says from the banned account, edited. Hard
families start from a bland page instead, so a single weak-ish signal survives.
"""

from __future__ import annotations

from . import handles
from . import mirror_edits as ed
from .bank import group_logos, make_account
from .groups import BY_KEY
from .mirror_families import FAMILY_FN, contacts
from .model import DISTINCTIVE_AVATARS, Account
from .util import apportion, chance, rng_for

# shares of the mirrors, in percent
FAMILIES: dict[str, float] = {
    "handle_sequel": 10,
    "handle_sequel_renamed": 6,
    "homoglyph_name": 7,
    "decorative_name": 4,
    "leet_separator_handle": 5,
    "script_change": 9,
    "bio_verbatim": 7,
    "bio_reworded": 6,
    "new_account_bio": 5,
    "same_contact": 5,
    "contact_suffix": 4,
    "handle_mention": 4,
    "avatar_edit": 8,
    "cross_platform": 5,
    "combo": 5,
    "hard:avatar_only": 3,
    "hard:bio_paraphrase": 3,
    "hard:contact_only": 2,
    "hard:translit_name": 2,
}
HANDLE_FAMILIES = frozenset(
    {
        "handle_sequel",
        "handle_sequel_renamed",
        "homoglyph_name",
        "decorative_name",
        "leet_separator_handle",
        "combo",
    }
)
ROLE_WEIGHT = {
    "official": 3.0,
    "media": 3.0,
    "news": 2.0,
    "spokesman": 2.0,
    "chapter": 1.5,
    "fan": 1.2,
    "member": 1.0,
}


def eligible(family: str, a: Account) -> bool:
    if family in ("bio_verbatim", "hard:bio_paraphrase"):
        return a.bio_spec is not None and len(a.bio) >= 80 and len(a.bio_spec.parts) >= 3
    if family == "bio_reworded":
        return len(a.bio) >= 40
    if family in ("same_contact", "hard:contact_only"):
        return bool(contacts(a))
    if family == "contact_suffix":
        return any(not c.startswith(("+", "0")) for c in contacts(a))
    if family == "avatar_edit":
        return a.avatar is not None
    if family == "hard:avatar_only":
        return (
            a.avatar is not None
            and a.avatar.kind in DISTINCTIVE_AVATARS
            and a.avatar.kind != "initials"
        )
    if family in (
        "handle_sequel",
        "handle_sequel_renamed",
        "leet_separator_handle",
        "cross_platform",
    ):
        return a.platform != "whatsapp"
    if family == "hard:translit_name":
        return a.role in ("member", "official", "chapter", "media") and len(a.names) > 1
    return True


def build(seed: int, total: int, bank: list[Account]) -> list[tuple[Account, Account, str]]:
    """(mirror, source, family) triples; mirror ids are assigned later with the legit ones."""
    counts = apportion(total, FAMILIES, minimum=1)
    logos = {}
    out: list[tuple[Account, Account, str]] = []
    for family, n in counts.items():
        pool = [a for a in bank if eligible(family, a)]
        weights = [ROLE_WEIGHT.get(a.role, 1.0) for a in pool]
        for i in range(n):
            rng = rng_for(seed, "mirror", family, i)
            src = rng.choices(pool, weights=weights, k=1)[0]
            g = BY_KEY[src.group or "TTP"]
            if g.key not in logos:
                logos[g.key] = group_logos(seed, g)
            platform = src.platform if chance(rng, 0.85) or family in HANDLE_FAMILIES else None
            m = make_account(rng, "pending", g, logos[g.key], role=src.role, platform=platform)
            m.handle = ed.fresh_handle(m, rng) if m.platform != "whatsapp" else m.handle
            FAMILY_FN[family](m, src, rng)
            m.handle = handles.fit(m.handle, m.platform) if m.platform != "whatsapp" else m.handle
            if m.platform == src.platform and m.handle.lower() == src.handle.lower():
                m.handle = handles.sequel(src.handle, rng, m.platform)
            out.append((m, src, family))
    return out
