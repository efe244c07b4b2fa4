"""Avatars and contact links of banned accounts, by role."""

from __future__ import annotations

import random

from . import handles
from .groups import Group
from .model import AvatarSpec
from .translit import slug
from .util import chance, pick

EMOJI_BANK = ("1F985", "1F3F4", "261D", "1F319", "1F525", "1F981", "1F54C", "2B50", "1F4E2")


def avatar_for(
    rng: random.Random, role: str, g: Group, logos: list[list[object]], region: str
) -> AvatarSpec | None:
    weights = {
        "member": {
            "photo": 45,
            "logo": 12,
            "banner": 10,
            "calligraphy": 6,
            "emoji": 8,
            "initials": 4,
            "default": 5,
            "none": 10,
        },
        "fan": {"logo": 35, "banner": 20, "emoji": 10, "calligraphy": 10, "photo": 10, "none": 15},
        "chapter": {"logo": 60, "banner": 18, "calligraphy": 5, "emoji": 3, "none": 14},
    }.get(role, {"logo": 66, "banner": 12, "calligraphy": 6, "emoji": 4, "default": 3, "none": 9})
    kind = pick(rng, list(weights), list(weights.values()))
    size, fmt = pick(rng, (320, 360, 400)), pick(rng, ("png", "jpg"))
    ops: list[list[object]] = []
    if chance(rng, 0.3):
        ops.append(
            pick(
                rng,
                (
                    ["circle", "#ffffff"],
                    ["jpeg", rng.randint(55, 85)],
                    ["border", 0.04, g.palette[1]],
                    ["scale", 0.6],
                ),
            )
        )
    if kind == "none":
        return None
    if kind == "logo":
        base = list(pick(rng, logos, (0.6, 0.25, 0.15)))
        if role == "chapter" and chance(rng, 0.5):
            base[4] = region  # the chapter's name under the group's mark
        return AvatarSpec(base, ops, size, fmt)
    if kind == "banner":
        b = g.banner
        return AvatarSpec(["flag", b, "fill"] if len(b) == 2 else ["banner", b], ops, size, fmt)
    if kind == "calligraphy":
        return AvatarSpec(["calligraphy", "", rng.randrange(4)], ops, size, fmt)
    if kind == "emoji":
        return AvatarSpec(
            ["emoji", pick(rng, EMOJI_BANK), pick(rng, ("#ffffff", "#000000", "#1d5e2b"))],
            ops,
            size,
            fmt,
        )
    if kind == "photo":
        return AvatarSpec(
            [
                "photo",
                pick(rng, ("portrait", "portrait", "landscape", "abstract")),
                rng.randrange(10**9),
            ],
            ops,
            size,
            fmt,
        )
    if kind == "initials":
        return AvatarSpec(["initials", "", rng.randrange(7)], [], size, fmt)
    return AvatarSpec(["default", "x"], [], size, fmt)


def links_for(rng: random.Random, role: str, h: str, platform: str, g: Group) -> list[str]:
    out: list[str] = []
    p_tg = {"member": 0.15, "fan": 0.35}.get(role, 0.45)
    if chance(rng, p_tg):
        tg = handles.fit(h if platform != "whatsapp" else slug(g.cause[0]), "telegram")
        if not tg.endswith("_ch"):
            tg += pick(rng, ("", "", "_ch", "1", "_official"))
        out.append(handles.tg_invite(rng) if chance(rng, 0.3) else f"t.me/{tg}")
    if chance(rng, 0.15):
        out.append(
            handles.whatsapp_group(rng)
            if role == "fan"
            else f"whatsapp.com/channel/{handles.whatsapp_channel(rng)}"
        )
    if chance(rng, 0.15 if role != "member" else 0.25):
        afghan = g.mix in ("pashtun", "global") and chance(rng, 0.3)
        out.append(handles.phone(rng, "af" if afghan else "pk"))
    if chance(rng, 0.12):
        out.append(handles.email(slug(h, "") or "media", rng))
    if chance(rng, 0.15) and platform != "whatsapp":  # its pages on other platforms
        other = pick(
            rng, [p for p in ("youtube", "instagram", "facebook", "x", "tiktok") if p != platform]
        )
        out.append(handles.profile_link(other, handles.fit(h, other)))
    return out
