"""Seeded synthetic profiles for the request-level benchmarks: banned accounts in the locales of
the bank's real population (Faker en_PK, ar, fa_IR), mirrors of them (edited names, handles with a
suffix, reworded bios) and unrelated profiles, plus textured avatar images.

The text is generated, never copied from real people: Faker draws from name lists, not accounts.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from faker import Faker
from PIL import Image, ImageFilter

LOCALES = ["en_PK", "ar", "fa_IR"]
GROUPS = [
    "Tehreek-e-Taliban Pakistan",
    "Lashkar-e-Taiba",
    "Jaish-e-Mohammed",
    "ISIS-K",
    "Al-Shabaab",
    "Baloch Liberation Army",
]
PLATFORMS = ["x", "telegram", "facebook", "instagram", "tiktok", "youtube"]
SUFFIXES = ["Media", "News", "Official", "Voice", "Updates", "میڈیا", "الإعلام", "خبر"]
GENERATOR_VERSION = 1


def _faker(seed: int) -> Faker:
    fake = Faker(LOCALES)
    fake.seed_instance(seed)
    return fake


def avatar_png(seed: int, size: int = 256) -> bytes:
    """A textured image unlike any other seed's (PDQ needs texture to reach full quality)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 255, (12, 12, 3), dtype=np.uint8)
    img = Image.fromarray(blocks).resize((size, size), Image.Resampling.BICUBIC)
    img = img.filter(ImageFilter.GaussianBlur(1.5))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def banned_accounts(n: int, seed: int = 0, avatar_every: int = 20) -> Iterator[dict[str, Any]]:
    """``n`` banned accounts; every ``avatar_every``-th has an avatar (key ``avatar_seed``)."""
    fake = _faker(seed)
    rng = random.Random(seed)
    for i in range(n):
        loc = fake[rng.choice(LOCALES)]
        if rng.random() < 0.5:
            name = loc.name()
        else:
            name = f"{loc.last_name()} {rng.choice(SUFFIXES)}"
        handle = loc.user_name() + (str(rng.randint(1, 999)) if rng.random() < 0.5 else "")
        bio = loc.text(max_nb_chars=rng.choice([60, 120, 160]))
        links = [f"https://t.me/{handle}"] if rng.random() < 0.3 else []
        yield {
            "id": f"bank-{i}",
            "platform": rng.choice(PLATFORMS),
            "handle": handle,
            "display_name": name,
            "bio": bio,
            "links": links,
            "group": rng.choice(GROUPS),
            "avatar_seed": i if avatar_every and i % avatar_every == 0 else None,
        }


def mirror_of(account: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A re-creation: the name with a small edit, the handle with a suffix, the bio reworded."""
    name = str(account["display_name"])
    edit = rng.choice(["digit", "swap", "emoji", "none"])
    if edit == "digit":
        name = f"{name} {rng.randint(2, 9)}"
    elif edit == "swap" and len(name) > 3:
        j = rng.randrange(len(name) - 1)
        name = name[:j] + name[j + 1] + name[j] + name[j + 2 :]
    elif edit == "emoji":
        name = f"{name} 🔴"
    words = str(account["bio"]).split()
    rng.shuffle(words)
    return {
        **account,
        "id": f"mirror-of-{account['id']}",
        "handle": f"{account['handle']}_{rng.randint(2, 99)}",
        "display_name": name,
        "bio": "Backup account. " + " ".join(words[: max(3, len(words) * 2 // 3)]),
    }


def query_profiles(bank: list[dict[str, Any]], n: int, seed: int = 1) -> list[dict[str, Any]]:
    """``n`` profiles to score: half mirrors of bank accounts, half unrelated new profiles."""
    rng = random.Random(seed)
    fresh = banned_accounts(n, seed=10_000 + seed, avatar_every=0)
    out = []
    for i, other in zip(range(n), fresh, strict=False):
        if i % 2 == 0:
            out.append(mirror_of(rng.choice(bank), rng))
        else:
            out.append({**other, "id": f"new-{i}", "group": None})
    fields = ("id", "platform", "handle", "display_name", "bio", "links")
    return [{k: item[k] for k in fields} for item in out]


def write_bank_jsonl(n: int, folder: Path, seed: int = 0) -> Path:
    """The bank as a JSON Lines file for ``mirrorscan bank import`` (avatars as PNG files)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "avatars").mkdir(exist_ok=True)
    path = folder / "bank.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for account in banned_accounts(n, seed):
            avatar_seed = account.pop("avatar_seed")
            account["avatar_path"] = None
            if avatar_seed is not None:
                rel = f"avatars/{avatar_seed}.png"
                (folder / rel).write_bytes(avatar_png(avatar_seed))
                account["avatar_path"] = rel
            fh.write(json.dumps(account, ensure_ascii=False) + "\n")
    return path
