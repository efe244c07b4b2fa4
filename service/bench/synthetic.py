"""Seeded synthetic banks for the scale benchmark: vectors clustered like real embeddings and PDQ
hashes with near-duplicate families, generated in chunks so a million rows never sit in memory
twice, and with no model calls.

Why not random Gaussians: uniform random vectors defeat every approximate index (there are no
neighbourhoods to find), so their recall says nothing about a bank of real profiles. Real sentence
and image embeddings are anisotropic (they share a common direction: two unrelated e5 names have a
cosine of about 0.8) and clustered at several scales (script, language, topic, then near-identical
texts), with clusters of very uneven size. The generator reproduces those three properties:

    x = normalise(common + centre[topic] + offset[family] + noise)

with log-normally distributed family sizes. Its parameters were set so that the nearest-neighbour
statistics of 20,000 synthetic vectors match those of 20,000 real e5 name embeddings (see
``benchmarks/synthetic_vs_real.py``). Queries are half near-copies of bank rows (a mirror
account) and half fresh draws from the same distribution (an unrelated profile)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Shape:
    """How a float channel's vectors are spread (lengths relative to the unit sphere)."""

    common: float = 1.55  # the shared direction every embedding leans towards
    rank: int = 128  # the continuous part lives near a subspace of this many directions
    spread: float = 0.5  # its size; its spectrum decays as 1/sqrt(i)
    topics: int = 64
    topic_spread: float = 0.3
    families_per_topic: int = 32
    family_spread: float = 0.35
    size_sigma: float = 1.0  # log-normal spread of family sizes
    noise: float = 0.15  # isotropic, in every dimension
    near_copy: float = 0.1  # a mirror's distance from its source


class ClusteredVectors:
    """A reproducible float bank: ``chunk(i)`` is always the same rows for the same seed."""

    def __init__(self, dim: int, seed: int, shape: Shape | None = None) -> None:
        self.dim = dim
        self.seed = seed
        self.shape = s = shape or Shape()
        rng = np.random.default_rng([seed, 0])
        self._common = _unit(rng.normal(size=(1, dim))) * s.common
        topics = _unit(rng.normal(size=(s.topics, dim))) * s.topic_spread
        fam = _unit(rng.normal(size=(s.topics * s.families_per_topic, dim))) * s.family_spread
        self._centres = (np.repeat(topics, s.families_per_topic, axis=0) + fam).astype(np.float32)
        weights = rng.lognormal(0.0, s.size_sigma, size=len(self._centres))
        self._cdf = np.cumsum(weights / weights.sum())
        spectrum = 1.0 / np.sqrt(np.arange(1, s.rank + 1))
        self._spectrum = (spectrum / np.linalg.norm(spectrum) * s.spread).astype(np.float32)
        self._basis = _unit(rng.normal(size=(s.rank, dim)))
        self._common = self._common.astype(np.float32)

    def _draw(self, rng: np.random.Generator, n: int) -> F32:
        s = self.shape
        family = np.searchsorted(self._cdf, rng.random(n)).clip(0, len(self._centres) - 1)
        # isotropic noise: uniform of the same variance is 5x cheaper than normal and behaves
        # the same in hundreds of dimensions; computed in place to spare memory traffic
        x = rng.random((n, self.dim), dtype=np.float32)
        x -= np.float32(0.5)
        x *= np.float32(s.noise / np.sqrt(self.dim) * np.sqrt(12.0))
        x += (rng.standard_normal((n, s.rank), dtype=np.float32) * self._spectrum) @ self._basis
        x += self._centres[family]
        x += self._common
        x /= np.sqrt(np.einsum("ij,ij->i", x, x))[:, None]
        return x

    def chunk(self, index: int, size: int) -> F32:
        """Rows ``[index * size, (index + 1) * size)`` of the bank."""
        return self._draw(np.random.default_rng([self.seed, 1, index]), size)

    def rows(self, n: int, chunk: int = 50_000) -> Iterator[tuple[int, F32]]:
        """(first row number, vectors) chunks covering ``n`` rows."""
        for i, start in enumerate(range(0, n, chunk)):
            yield start, self.chunk(i, chunk)[: min(chunk, n - start)]

    def queries(self, n: int, bank_rows: int, chunk: int = 50_000) -> F32:
        """Half near-copies of random bank rows, half fresh draws."""
        rng = np.random.default_rng([self.seed, 2])
        copies = n // 2
        picks = np.sort(rng.choice(bank_rows, size=copies, replace=False))
        sources = np.empty((copies, self.dim), dtype=np.float32)
        for i, start in enumerate(range(0, bank_rows, chunk)):
            sel = picks[(picks >= start) & (picks < start + chunk)]
            if len(sel):
                sources[np.searchsorted(picks, sel)] = self.chunk(i, chunk)[sel - start]
        jitter = rng.standard_normal(sources.shape, dtype=np.float32)
        jitter *= self.shape.near_copy / np.sqrt(self.dim)
        out = np.concatenate([_unit(sources + jitter), self._draw(rng, n - copies)])
        return out[rng.permutation(n)]


class ClusteredHashes:
    """A reproducible bank of 256-bit PDQ hashes: images of unrelated sources are independent
    (PDQ spreads them uniformly, mean distance 128 bits); re-uploads of one source lie within
    a few to ~30 bits of it. Families of 1 to ~20 variants."""

    def __init__(self, bits: int, seed: int) -> None:
        self.bits = bits
        self.width = bits // 8
        self.seed = seed

    def chunk(self, index: int, size: int) -> U8:
        rng = np.random.default_rng([self.seed, 1, index])
        sources = rng.integers(0, 256, (max(size // 4, 1), self.width), dtype=np.uint8)
        which = rng.integers(0, len(sources), size)
        flips = rng.random((size, self.bits)) < rng.uniform(0.0, 0.08, (size, 1))
        return sources[which] ^ np.packbits(flips, axis=1)

    def rows(self, n: int, chunk: int = 50_000) -> Iterator[tuple[int, U8]]:
        for i, start in enumerate(range(0, n, chunk)):
            yield start, self.chunk(i, chunk)[: min(chunk, n - start)]

    def queries(self, n: int, bank_rows: int, chunk: int = 50_000) -> U8:
        """Half re-uploads (up to 24 flipped bits) of bank rows, half unrelated images."""
        rng = np.random.default_rng([self.seed, 2])
        copies = n // 2
        picks = np.sort(rng.choice(bank_rows, size=copies, replace=False))
        sources = np.empty((copies, self.width), dtype=np.uint8)
        for i, start in enumerate(range(0, bank_rows, chunk)):
            sel = picks[(picks >= start) & (picks < start + chunk)]
            if len(sel):
                sources[np.searchsorted(picks, sel)] = self.chunk(i, chunk)[sel - start]
        flips = rng.random((copies, self.bits)) < rng.uniform(0.0, 0.1, (copies, 1))
        fresh = rng.integers(0, 256, (n - copies, self.width), dtype=np.uint8)
        out = np.concatenate([sources ^ np.packbits(flips, axis=1), fresh])
        return out[rng.permutation(n)]


def _unit(x: npt.NDArray[np.floating[Any]]) -> F32:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    out: F32 = x / np.maximum(norms, 1e-12)
    return out
