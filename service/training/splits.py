"""A generated split (bank, candidates, labels, avatars) and how it is written, the split a group
falls in, the image pool the generator draws from, and image encodings."""

from __future__ import annotations

import hashlib
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from service.training.sources import Group

ImageEdit = Callable[[Image.Image, random.Random], bytes]
SPLITS = (("train", 0.6), ("validation", 0.2), ("test", 0.2))


@dataclass
class Images:
    """Real images: one logo per group, shared avatars (flags, platform defaults, popular
    emoji), personal avatars, and the edits evaders apply."""

    logos: list[Image.Image]
    common: list[Image.Image]
    personal: list[Image.Image]
    edits: dict[str, ImageEdit]


@dataclass
class Split:
    name: str
    bank: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    avatars: dict[str, bytes] = field(default_factory=dict)

    def add_avatar(self, data: bytes) -> str:
        name = hashlib.sha256(data).hexdigest()[:20] + ".img"
        self.avatars[name] = data
        return f"avatars/{name}"

    def write(self, folder: Path) -> None:
        (folder / "avatars").mkdir(parents=True, exist_ok=True)
        for name, data in self.avatars.items():
            (folder / "avatars" / name).write_bytes(data)
        for fname, rows in (("bank", self.bank), ("candidates", self.candidates),
                            ("labels", self.labels)):  # fmt: skip
            with (folder / f"{fname}.jsonl").open("w", encoding="utf-8") as fh:
                for row in rows:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def split_of(group: Group, seed: int) -> str:
    h = int(hashlib.sha256(f"{seed}:{group.key}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    edge = 0.0
    for name, share in SPLITS:
        edge += share
        if h < edge:
            return name
    return SPLITS[-1][0]


def png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def jpeg(img: Image.Image, quality: int = 88) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()
