"""Naive peers measured in the same run as mirrorscan: a name-only fuzzy matcher (rapidfuzz
WRatio over NFKC-casefolded display names) and an avatar-only perceptual hash (64-bit DCT pHash,
as in the imagehash library). Each scores a candidate by its best bank match."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError
from rapidfuzz import fuzz, process
from scipy.fft import dct

from service.domain import Profile
from service.training.fit import Labelled
from service.training.metrics import Scored, summary


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def name_only(
    bank: Sequence[Profile], cands: Sequence[Profile], labels: dict[str, Labelled]
) -> list[Scored]:
    names = [_fold(b.name_text) for b in bank]
    out = []
    for c in cands:
        lab = labels[c.id]
        query = _fold(c.name_text)
        hit = process.extractOne(query, names, scorer=fuzz.WRatio) if query else None
        if hit is None:
            out.append(Scored(c.id, lab.family, lab.account, lab.group, 0.0, None, None))
            continue
        _, score, idx = hit
        b = bank[idx]
        out.append(Scored(c.id, lab.family, lab.account, lab.group, score / 100.0, b.id, b.group))
    return out


def phash(data: bytes) -> np.ndarray | None:
    try:
        img = Image.open(io.BytesIO(data)).convert("L").resize((32, 32), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    pixels = np.asarray(img, dtype=np.float64)
    low = dct(dct(pixels, axis=0, norm="ortho"), axis=1, norm="ortho")[:8, :8]
    bits: np.ndarray = (low > np.median(low)).reshape(-1)
    return bits


def avatar_only(
    bank: Sequence[Profile], cands: Sequence[Profile], labels: dict[str, Labelled]
) -> list[Scored]:
    hashed = [(b, phash(b.avatar)) for b in bank if b.avatar]
    known = [(b, h) for b, h in hashed if h is not None]
    matrix = np.stack([h for _, h in known]) if known else np.zeros((0, 64), dtype=bool)
    out = []
    for c in cands:
        lab = labels[c.id]
        h = phash(c.avatar) if c.avatar else None
        if h is None or not len(matrix):
            out.append(Scored(c.id, lab.family, lab.account, lab.group, 0.0, None, None))
            continue
        dist = (matrix != h).sum(axis=1)
        i = int(dist.argmin())
        b = known[i][0]
        out.append(
            Scored(c.id, lab.family, lab.account, lab.group, 1.0 - dist[i] / 64.0, b.id, b.group)
        )
    return out


def run_all(
    bank: Sequence[Profile], cands: Sequence[Profile], labels: dict[str, Labelled]
) -> dict[str, Any]:
    """Each peer's summary; its bands are its own thresholds at precision 0.995 and 0.9."""
    from service.training.metrics import threshold_at_precision

    out = {}
    for name, items in (("rapidfuzz_name_only", name_only(bank, cands, labels)),
                        ("phash_avatar_only", avatar_only(bank, cands, labels))):  # fmt: skip
        block = min(threshold_at_precision(items, 0.995), 1.0)
        review = min(threshold_at_precision(items, 0.9), block)
        out[name] = summary(items, block=block, review=review)
    return out
