"""Bio comparison: meaning (multilingual embedding cosine), copied text (character-shingle
containment) and evasion phrases ("new account", "old one suspended", in English, Urdu and Roman
Urdu) that re-created accounts announce themselves with."""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from service.domain import PairFeature, Vector

SHINGLE = 5
COPIED_SCALE = 60.0  # distinctive characters copied at which bio.copied_length is 1 - 1/e
_URLISH = re.compile(r"\S*(?:https?://|www\.|\.com|\.me/|t\.me)\S*", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_PUNCT = ".,;:!?'\"()[]{}|-–—“”‘’«»"

# Phrases a re-created account uses to reach its old audience. Matched on the folded text
# (NFKC, casefold, collapsed spaces); Urdu in Arabic script and Roman Urdu spellings.
EVASION_PHRASES = (
    "new account", "new acc", "new id", "new channel", "new page", "backup", "back up",
    "second account", "2nd account", "alternate account", "alt account", "reserve account",
    "old account", "old one", "previous account", "was suspended", "got suspended",
    "suspended", "was banned", "got banned", "banned again", "removed again", "deleted again",
    "restricted again", "follow our new", "we are back", "we're back", "back again",
    "main account", "official backup", "mirror",
    "naya account", "nya account", "naya channel", "purana account", "purana channel",
    "account band", "band ho gaya", "band hogaya", "delete ho gaya", "suspend ho gaya",
    "dobara", "wapas",
    "نیا اکاؤنٹ", "نیا اکانٹ", "نیا چینل", "پرانا اکاؤنٹ", "پرانا چینل", "بیک اپ",
    "اکاؤنٹ بند", "بند ہو گیا", "معطل", "دوبارہ",
)  # fmt: skip


def fold(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


@lru_cache(maxsize=8192)
def shingles(text: str) -> frozenset[str]:
    body = _SPACE.sub(" ", _URLISH.sub(" ", fold(text))).strip()
    if len(body) < SHINGLE:
        return frozenset([body]) if body else frozenset()
    return frozenset(body[i : i + SHINGLE] for i in range(len(body) - SHINGLE + 1))


def _runs_without(text: str, words: frozenset[str]) -> list[str]:
    """The text's runs of words that are not in ``words``, each to be shingled on its own so
    that no shingle spans a cut; runs shorter than a shingle are dropped."""
    runs: list[list[str]] = [[]]
    for token in fold(text).split(" "):
        if token.strip(_PUNCT) in words:
            runs.append([])
        else:
            runs[-1].append(token)
    return [r for r in (" ".join(run) for run in runs) if len(r) >= SHINGLE]


@lru_cache(maxsize=8192)
def evasion_phrases(text: str) -> tuple[str, ...]:
    folded = fold(text)
    return tuple(p for p in EVASION_PHRASES if p in folded)


class ShingleFrequency:
    """How many banned accounts' bios contain each shingle (hashed into a fixed table, so memory
    stays bounded at any bank size). Copying a group's boilerplate ("Official account of …",
    "Follow for updates") is weak evidence; copying the rare parts of one bio is strong. Counts
    only grow between reloads: an edited or removed bio is forgotten at the next start."""

    BUCKETS = 1 << 22

    def __init__(self) -> None:
        self.counts = np.zeros(self.BUCKETS, dtype=np.uint32)
        self.docs = 0

    @staticmethod
    def hashes(text: str) -> npt.NDArray[np.int64]:
        grams = shingles(text)
        return np.unique(
            np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.int64, count=len(grams))
            % ShingleFrequency.BUCKETS
        )

    @classmethod
    def _hashes_of_runs(cls, runs: list[str]) -> npt.NDArray[np.int64]:
        if not runs:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate([cls.hashes(r) for r in runs]))

    def add(self, text: str) -> None:
        if text.strip():
            self.counts[self.hashes(text)] += 1
            self.docs += 1

    def idf(self, hashes: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = np.log((self.docs + 1.0) / (self.counts[hashes] + 1.0))
        return out

    def rare_shared(self, a: str, b: str, names: Sequence[str] = ()) -> tuple[float, float]:
        """``(share, amount)`` of the distinctive text the two bios have in common: the share
        of the less distinctive bio's rarity weight the other repeats, and how much text that
        is, in shingles of one banked bio: each shared shingle counts 1 / the number of banked
        bios holding it, so a shingle of this bio alone counts 1 and boilerplate of a hundred
        bios 0.01, the same in a bank of a thousand bios as of a million (a weight relative to
        the bank's size, as the idf is, would shrink the same copied text as the bank grows).
        Text in either account's name is left out (see ``rare_containment``)."""
        if names:
            words = frozenset(w for n in names for w in _WORD.findall(fold(n)))
            ha, hb = (self._hashes_of_runs(_runs_without(t, words)) for t in (a, b))
        else:
            ha, hb = self.hashes(a), self.hashes(b)
        if not len(ha) or not len(hb):
            return 0.0, 0.0
        common = np.intersect1d(ha, hb, assume_unique=True)
        shared = float(self.idf(common).sum())
        smaller = min(float(self.idf(ha).sum()), float(self.idf(hb).sum()))
        share = shared / smaller if smaller > 0 else 0.0
        amount = float((1.0 / np.maximum(self.counts[common], 1).astype(np.float64)).sum())
        return share, amount if self.docs > 1 else 0.0

    def rare_containment(self, a: str, b: str, names: Sequence[str] = ()) -> float:
        """Share of the less distinctive bio's rarity weight that the other bio repeats. Text
        that is in either account's name ("The official page of <name>") is left out: the name
        features already weigh it, and counting it again would make two organisations with
        similar names look like a copied bio."""
        return self.rare_shared(a, b, names)[0]


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def compare_bios(
    query_bio: str,
    cand_bio: str,
    query_vec: Vector | None,
    cand_vec: Vector | None,
    frequency: ShingleFrequency | None = None,
    names: Sequence[str] = (),
) -> list[PairFeature]:
    """``names``: both accounts' display names, whose words in a bio are not copied text."""
    out: list[PairFeature] = []
    phrases = evasion_phrases(query_bio) if query_bio else ()
    if phrases:
        shown = ", ".join(f"'{p}'" for p in phrases[:3])
        out.append(
            PairFeature("bio", "bio.evasion_phrase", 1.0, f"bio announces a re-creation: {shown}")
        )
    if not query_bio.strip() or not cand_bio.strip():
        return out
    if query_vec is not None and cand_vec is not None:
        cos = float(np.dot(query_vec, cand_vec))
        out.append(
            PairFeature("bio", "bio.embedding", cos, f"bios mean similar things: cosine {cos:.2f}")
        )
    copied = containment(shingles(query_bio), shingles(cand_bio))
    if copied > 0:
        out.append(
            PairFeature(
                "bio", "bio.copied", copied, f"{copied:.0%} of the shorter bio is copied text"
            )
        )
        if frequency is not None and frequency.docs:
            rare, amount = frequency.rare_shared(query_bio, cand_bio, names)
            out.append(
                PairFeature(
                    "bio",
                    "bio.copied_rare",
                    rare,
                    f"{rare:.0%} of what is distinctive in the shorter bio is copied "
                    "(wording many banned accounts share, and the names, weigh little)",
                )
            )
            # how much distinctive text: a copied sentence of its own is strong evidence, a
            # copied tagline weak, whatever share of a short bio it is
            length = 1.0 - math.exp(-amount / COPIED_SCALE)
            out.append(
                PairFeature(
                    "bio",
                    "bio.copied_length",
                    length,
                    f"about {amount:.0f} characters of distinctive text (found in no other "
                    "banned account's bio) are copied",
                )
            )
    return out
