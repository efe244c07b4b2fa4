"""Hashed character n-gram vectors of names: the "name n-gram" candidate channel.

A name is turned into a fixed-size float32 vector, L2-normalised, so that the inner product of two
vectors is their cosine and a FAISS inner-product index returns the nearest names. Three groups of
features, each normalised, weighted, summed, and normalised again:

* character 3-grams of each word's look-alike key (``visual``), with start and end marks: catches
  typos, homoglyphs, leetspeak and affixes (stripped first); words run together (``ttpmedia``)
  share all but their boundary grams with the words apart (``ttp media``);
* character 3-grams of each word's consonant skeleton: catches vowel spellings and
  transliterations (``tehreek`` / ``tahrik`` / ``تحریک``);
* the words themselves (look-alike keys);
* at half weight, character 3-grams of the words run together, so that word order still counts
  a little and the right name more often comes first.

Measured on generated evasions of a 100k bank (``benchmarks/names.py``): per-word grams alone
give the best recall@50 (grams of the words run together alone lose reordered names: 0.994);
adding the run-together grams at half weight costs 0.04 points of recall@50 and gains 1.2 points
of recall@1.

Hashing (signed, CRC-32) needs no vocabulary, so vectors of new names never require refitting and
the index is built once. The dimension was chosen by measurement (``benchmarks/names.py``).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

import numpy as np

from service.domain import Vector
from service.normalize.names import NameForms, analyse_handle, analyse_name

# 256: recall@50 of generated evasions 0.9966 against 0.9978 at 1024 (both above the 0.995 goal,
# benchmarks/names.py), at a quarter of the memory: at a million accounts the channel's inverted
# file holds 0.5 GB in fp16 instead of 2 GB, which keeps the whole service under its 4 GB budget.
DIM = 256
_WEIGHTS = {"v": 1.0, "j": 0.5, "c": 0.6, "t": 0.5}
# Arabic script writes no short vowels, so its Latin spelling is a poor guess and its consonant
# skeleton the reliable part: such names lean on the skeleton grams (measured on Dakshina train).
_WEIGHTS_ARABIC = {"v": 1.0, "j": 0.5, "c": 1.2, "t": 0.5}


def _grams(text: str, n: int = 3) -> Iterable[str]:
    padded = f"^{text}$"
    if len(padded) <= n:
        yield padded
        return
    for i in range(len(padded) - n + 1):
        yield padded[i : i + n]


def _features(forms: NameForms) -> dict[str, list[str]]:
    return {
        "v": [g for word in forms.visual for g in _grams(word)],
        "j": list(_grams(forms.visual_joined)) if forms.visual_joined else [],
        "c": [g for word in forms.consonants if word for g in _grams(word)],
        "t": list(forms.visual),
    }


def _add(vec: np.ndarray, grams: Sequence[str], prefix: str, weight: float, dim: int) -> None:
    if not grams:
        return
    part = np.zeros(dim, dtype=np.float32)
    for gram in grams:
        h = zlib.crc32(f"{prefix}:{gram}".encode())
        part[h % dim] += 1.0 if (h >> 31) & 1 else -1.0
    norm = float(np.linalg.norm(part))
    if norm > 0:
        vec += part * (weight / norm)


def forms_vector(forms: Sequence[NameForms], dim: int = DIM) -> Vector:
    """One L2-normalised vector for one or more analysed names (zeros when all are empty)."""
    vec = np.zeros(dim, dtype=np.float32)
    for f in forms:
        if f.empty:
            continue
        part = np.zeros(dim, dtype=np.float32)
        weights = _WEIGHTS_ARABIC if "arabic" in f.scripts else _WEIGHTS
        for prefix, grams in _features(f).items():
            _add(part, grams, prefix, weights[prefix], dim)
        norm = float(np.linalg.norm(part))
        if norm > 0:
            vec += part / norm
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 0 else vec


def name_vector(display_name: str, handle: str = "", dim: int = DIM) -> Vector:
    """The n-gram vector of a profile's display name and handle (both, equally weighted; either
    may be empty). Index the bank's vectors in a FAISS inner-product index and query with this."""
    forms = [analyse_name(display_name)]
    if handle.strip():
        forms.append(analyse_handle(handle))
    return forms_vector(forms, dim)


def name_vectors(names: Sequence[tuple[str, str]], dim: int = DIM) -> np.ndarray:
    """``(n, dim)`` float32 matrix of :func:`name_vector` for (display_name, handle) pairs."""
    out = np.zeros((len(names), dim), dtype=np.float32)
    for i, (name, handle) in enumerate(names):
        out[i] = name_vector(name, handle, dim)
    return out
