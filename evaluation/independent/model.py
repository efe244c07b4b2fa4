"""The generator's records: an account as written out, plus what only the generator knows."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

PLATFORMS = ("x", "facebook", "instagram", "telegram", "tiktok", "youtube", "whatsapp")
PLATFORM_WEIGHTS = (0.26, 0.2, 0.1, 0.2, 0.1, 0.09, 0.05)

# avatar kinds that identify one account (a logo, a photo) rather than being shared by many
DISTINCTIVE_AVATARS = frozenset({"logo", "photo", "initials"})


@dataclass
class AvatarSpec:
    """How to draw an avatar: a base picture, edits in order, the output side and format."""

    base: list[Any]
    ops: list[list[Any]] = field(default_factory=list)
    size: int = 320
    fmt: str = "png"

    @property
    def kind(self) -> str:
        return str(self.base[0])

    def reuploaded(self, ops: list[list[Any]], size: int, fmt: str) -> AvatarSpec:
        """The picture as it was shown (at its size), then edited again by someone else."""
        return AvatarSpec(self.base, [*self.ops, ["resize", self.size], *ops], size, fmt)

    def as_json(self) -> dict[str, Any]:
        return {"base": self.base, "ops": self.ops, "size": self.size, "fmt": self.fmt}


@dataclass(frozen=True)
class Person:
    """A personal name in Latin and Arabic script, with the parts handles are made from."""

    latin: str
    arabic: str
    given: str
    surname: str
    female: bool = False


@dataclass
class BioSpec:
    """A bio as fragments that can be re-rendered in another language or reworded."""

    lang: str
    parts: list[tuple[str, int]]  # (meaning, variant)
    slots: dict[str, str]
    sep: str = " "
    tail: str = ""  # hashtags, emoji or a contact line added after the fragments


@dataclass
class Account:
    id: str
    platform: str
    handle: str
    display_name: str
    bio: str = ""
    links: list[str] = field(default_factory=list)
    avatar: AvatarSpec | None = None
    group: str | None = None
    role: str = ""
    names: dict[str, str] = field(default_factory=dict)  # the display name in other scripts
    person: Person | None = None
    bio_spec: BioSpec | None = None

    def clone(self, new_id: str) -> Account:
        other = copy.deepcopy(self)
        other.id = new_id
        return other

    def avatar_path(self) -> str | None:
        return None if self.avatar is None else f"avatars/{self.id}.{self.avatar.fmt}"

    def record(self, with_group: bool) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "handle": self.handle,
            "display_name": self.display_name,
            "bio": self.bio,
            "links": list(self.links),
            "avatar_path": self.avatar_path(),
            "avatar_url": None,
            "group": self.group if with_group else None,
        }
