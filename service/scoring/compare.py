"""Pairwise comparison: for a (profile, banned account) pair, every channel's comparison features.

Each comparator looks at one channel and returns ``PairFeature``s; a channel with nothing on one
side returns none, so it contributes nothing to the score."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from service.domain import Features, PairFeature, Profile, StoredAccount, Vector
from service.features.keys import handle_key
from service.features.pdq import MATCH_BITS, MIN_QUALITY, hamming
from service.scoring.bio import compare_bios
from service.scoring.links import compare_links


@dataclass(frozen=True, slots=True)
class Side:
    profile: Profile
    features: Features


Comparator = Callable[[Side, Side], list[PairFeature]]


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _cosine(a: Vector | None, b: Vector | None) -> float | None:
    if a is None or b is None or not a.any() or not b.any():
        return None
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def _stretch(cos: float, floor: float) -> float:
    """Cosines of these encoders are compressed (unrelated text sits near ``floor``)."""
    return float(np.clip((cos - floor) / (1.0 - floor), 0.0, 1.0))


def identity(q: Side, c: Side) -> list[PairFeature]:
    qh, ch = handle_key(q.profile.handle), handle_key(c.profile.handle)
    if not qh or qh != ch:
        return []
    qp, cp = q.profile.platform.casefold(), c.profile.platform.casefold()
    if qp and qp == cp:
        return [
            PairFeature(
                "identity",
                "identity.same_account",
                1.0,
                f"same platform and handle as the banned account ({cp}/@{ch}): a re-activation",
            )
        ]
    where = f" on {cp}" if cp else ""
    return [
        PairFeature(
            "identity",
            "identity.same_handle",
            1.0,
            f"same handle @{ch} as the banned account{where}",
        )
    ]


def names(q: Side, c: Side) -> list[PairFeature]:
    out: list[PairFeature] = []
    qn, cn = q.profile.name_text, c.profile.name_text
    if qn and cn:
        ratio = fuzz.token_set_ratio(_fold(qn), _fold(cn)) / 100.0
        out.append(PairFeature("name", "name.fuzzy", ratio, f"name '{qn}' vs '{cn}': {ratio:.0%}"))
        cos = _cosine(q.features.name_vec, c.features.name_vec)
        if cos is not None:
            out.append(
                PairFeature(
                    "name", "name.embedding", _stretch(cos, 0.8), f"name meaning: cosine {cos:.2f}"
                )
            )
    qh, ch = handle_key(q.profile.handle), handle_key(c.profile.handle)
    if qh and ch:
        ratio = fuzz.ratio(qh, ch) / 100.0
        out.append(
            PairFeature("handle", "handle.fuzzy", ratio, f"handle @{qh} vs @{ch}: {ratio:.0%}")
        )
    return out


def bios(q: Side, c: Side) -> list[PairFeature]:
    return compare_bios(q.profile.bio, c.profile.bio, q.features.bio_vec, c.features.bio_vec)


def links(q: Side, c: Side) -> list[PairFeature]:
    return compare_links(
        q.profile.bio, q.profile.links, c.profile.bio, c.profile.links, c.profile.handle
    )


def avatars(q: Side, c: Side) -> list[PairFeature]:
    qa, ca = q.features.avatar, c.features.avatar
    if qa is None or ca is None:
        return []
    out: list[PairFeature] = []
    if qa.pdq_quality >= MIN_QUALITY and ca.pdq_quality >= MIN_QUALITY and ca.pdq:
        bits = min(hamming(h, ca.pdq[0]) for h in qa.pdq)
        value = max(0.0, 1.0 - bits / (MATCH_BITS + 1))
        verdict = "same image" if bits <= MATCH_BITS else "different image"
        out.append(
            PairFeature("avatar", "avatar.pdq", value, f"avatar: {verdict}, PDQ {bits} bits")
        )
    cos = _cosine(qa.embedding, ca.embedding)
    if cos is not None:
        out.append(
            PairFeature(
                "avatar", "avatar.embedding", _stretch(cos, 0.85), f"avatar look: cosine {cos:.2f}"
            )
        )
    return out


COMPARATORS: tuple[Comparator, ...] = (identity, names, bios, links, avatars)


def compare(query: Profile, features: Features, candidate: StoredAccount) -> list[PairFeature]:
    q, c = Side(query, features), Side(candidate.profile, candidate.features)
    return [f for comparator in COMPARATORS for f in comparator(q, c)]
