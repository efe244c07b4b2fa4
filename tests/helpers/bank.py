"""Banks of banned accounts for tests."""

from __future__ import annotations

import numpy as np

from service.domain import Avatar, Features, Profile
from service.store.bank import Upsert
from tests.helpers.images import png_bytes

BANK = [
    Profile(id="ttp-x", platform="x", handle="TTP_Media", display_name="TTP Media",
            bio="Official media of Tehreek-e-Taliban Pakistan", links=("https://t.me/ttpmedia",),
            group="TTP", avatar=png_bytes(1)),
    Profile(id="blf-x", platform="x", handle="Gwahram_BLF", display_name="Major Gwahram Baloch",
            bio="Spokesperson of the Balochistan Liberation Front", group="BLF"),
    Profile(id="iskp-tg", platform="telegram", handle="alazaim_foundation",
            display_name="Al-Azaim Foundation", bio="Khorasan media", group="ISKP",
            avatar=png_bytes(2)),
]  # fmt: skip


def many(n: int, prefix: str = "acct") -> list[Profile]:
    return [Profile(id=f"{prefix}-{i}", platform="x", handle=f"{prefix}_{i}",
                    display_name=f"{prefix.title()} Number {i}", bio=f"bio {i}")
            for i in range(n)]  # fmt: skip


def upsert_item(
    id_: str,
    name: str = "TTP Media",
    *,
    version: str = "v1",
    keys: set[str] | None = None,
    avatar: bool = False,
) -> Upsert:
    """A store write with small made-up vectors (the store tests need no encoder)."""
    vec = np.ones(4, dtype=np.float32) / 2
    av = Avatar(tuple(bytes([i]) * 32 for i in range(8)), 80, vec, b"thumb") if avatar else None
    profile = Profile(id=id_, platform="x", handle=id_, display_name=name, links=("t.me/a",),
                      group="G")  # fmt: skip
    return Upsert(profile, Features(vec, None, av), frozenset(keys or set()), name, version)
