"""Avatar comparison features and avatar commonness.

``compare_avatars`` turns a (query, banned) pair of avatars into ``PairFeature``s: the best PDQ
distance over the query's dihedral variants, the calibrated embedding similarity (best over the
query's views), their calibrated combination, and how widely the avatar is shared. Every match
value is multiplied by the avatar's *specificity*, ``1 / (1 + unrelated accounts sharing it)``, so
a country flag or a default silhouette matching proves nothing, as a common name proves little.

Commonness has two sources:
- a bundled reference population of shared avatars (every country flag, platform default
  silhouettes, emoji popular as avatars; ``service/data/avatar_common.npz``, built by
  ``benchmarks/avatar_reference.py``), each assumed shared by ``REFERENCE_SHARED[kind]`` accounts
  (orders of magnitude, not measured);
- clusters in the bank: an avatar used by banned accounts of several *different* groups is
  generic (accounts of one group sharing its logo is the signal itself, not commonness).
``AvatarCommonness`` holds both, learns the clusters as the bank grows (``observe``) and
serialises them to JSON.
"""

from __future__ import annotations

import base64
import functools
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.domain import Avatar, PairFeature
from service.features.pdq import (
    DIHEDRAL_NAMES,
    MATCH_BITS,
    MIN_QUALITY,
    best_dihedral,
    codes,
    distance_matrix,
    usable,
)

SIGNAL = "avatar"
CALIBRATION_FILE = "avatar_calibration.json"
COMMON_FILE = "avatar_common.npz"
REFERENCE_SHARED = {"flag": 10_000, "default": 1_000_000, "emoji": 10_000}
PDQ_SCALE = 64.0  # PDQ distances at or beyond this many bits carry no evidence


def pdq_strength(distance: int | None) -> float:
    """1 for identical hashes, falling linearly to 0 at ``PDQ_SCALE`` bits (unrelated ~100+)."""
    if distance is None:
        return 0.0
    return max(0.0, 1.0 - distance / PDQ_SCALE)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


@dataclass(frozen=True, slots=True)
class AvatarCalibration:
    """Logistic calibrations fit by ``benchmarks/avatars.py`` on one split of real image pairs:
    ``p_embedding = σ(a·cos + b)`` and ``p_match = σ(w0 + w_cos·cos + w_pdq·pdq_strength)``."""

    emb_a: float
    emb_b: float
    w0: float
    w_cos: float
    w_pdq: float
    source: str = ""

    def p_embedding(self, cos: float) -> float:
        return _sigmoid(self.emb_a * cos + self.emb_b)

    def p_match(self, cos: float, pdq: float) -> float:
        return _sigmoid(self.w0 + self.w_cos * cos + self.w_pdq * pdq)

    def to_json(self) -> str:
        return json.dumps({k: getattr(self, k) for k in self.__slots__}, indent=2)

    @classmethod
    def load(cls, path: Path | None = None) -> AvatarCalibration:
        if path is None:
            text = (resources.files("service") / "data" / CALIBRATION_FILE).read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        return cls(**json.loads(text))


@dataclass(frozen=True, slots=True)
class Shared:
    """How many unrelated accounts are estimated to share an avatar, and what it is."""

    unrelated: int = 0
    kind: str | None = None  # "flag", "default", "emoji" (reference), "bank" (cluster), None
    label: str = ""

    @property
    def specificity(self) -> float:
        return 1.0 / (1.0 + self.unrelated)


def cosine(query: Avatar, cand: Avatar) -> float | None:
    """Best cosine between the query's views (or its embedding) and the banned avatar's vector."""
    if cand.embedding is None:
        return None
    views = query.views if query.views is not None else query.embedding
    if views is None:
        return None
    rows = np.atleast_2d(views)
    if rows.shape[1] != np.shape(cand.embedding)[-1]:
        return None  # vectors of another encoder (a bank not yet re-embedded): not comparable
    return float((rows @ np.asarray(cand.embedding, np.float32)).max())


def pdq_distance(query: Avatar, cand: Avatar) -> tuple[int, int] | None:
    """(best distance over the query's dihedral variants to the banned hash, variant), or None
    when either hash is unusable (quality < 50)."""
    if not (query.pdq and cand.pdq and usable(query.pdq_quality) and usable(cand.pdq_quality)):
        return None
    return best_dihedral(query.pdq, cand.pdq[0])


def compare_avatars(
    query: Avatar,
    cand: Avatar,
    shared: Shared | None = None,
    calibration: AvatarCalibration | None = None,
) -> list[PairFeature]:
    """Features of one (query, banned) avatar pair; ``shared`` from ``AvatarCommonness``."""
    cal = calibration or default_calibration()
    shared = shared or Shared()
    spec = shared.specificity
    out: list[PairFeature] = []
    pdq = pdq_distance(query, cand)
    strength = pdq_strength(pdq[0] if pdq else None)
    if pdq is not None:
        dist, variant = pdq
        if dist <= MATCH_BITS:
            how = "" if variant == 0 else f" after {DIHEDRAL_NAMES[variant]}"
            detail = f"avatar: same image{how}, PDQ {dist} bits"
        else:
            detail = f"avatar: different picture by PDQ ({dist} of 256 bits differ)"
        value = spec * max(0.0, (MATCH_BITS + 1 - dist) / (MATCH_BITS + 1))
        out.append(PairFeature(SIGNAL, "avatar.pdq", value, detail))
    cos = cosine(query, cand)
    if cos is not None:
        p_emb = cal.p_embedding(cos)
        hint = " (edited copy?)" if p_emb >= 0.5 else ""
        out.append(
            PairFeature(
                SIGNAL,
                "avatar.embedding",
                spec * p_emb,
                f"avatar: embedding cosine {cos:.2f}{hint}",
            )
        )
        p = cal.p_match(cos, strength)
        out.append(
            PairFeature(
                SIGNAL,
                "avatar.match",
                spec * p,
                f"avatar: same picture with probability {p:.2f} (PDQ + embedding)",
            )
        )
    if out and shared.unrelated > 0:
        out.append(
            PairFeature(
                SIGNAL,
                "avatar.shared",
                1.0 - spec,
                f"avatar shared by ~{shared.unrelated:,} unrelated accounts ({shared.label}): "
                "weighs little",
            )
        )
    return out


@functools.cache
def default_calibration() -> AvatarCalibration:
    """The bundled calibration (``service/data/avatar_calibration.json``), read once."""
    return AvatarCalibration.load()


class AvatarCommonness:
    """Estimates how many unrelated accounts share an avatar. Two avatars are "the same picture"
    when the calibration's ``p_match`` (PDQ and embedding together) is at least ``same_p``.

    Bank clusters are kept as arrays (one PDQ hash and one vector per cluster) so that a lookup is
    one vectorised pass; at millions of distinct avatars the pipeline should instead ask its
    FAISS indexes for the neighbours and pass them to ``observe``/``estimate`` (not done here)."""

    def __init__(
        self,
        *,
        calibration: AvatarCalibration | None = None,
        same_p: float = 0.9,
        reference: bool = True,
    ) -> None:
        self._cal = calibration or default_calibration()
        self._same_p = same_p
        self._groups: list[set[str]] = []
        self._pdq = np.zeros((0, 32), np.uint8)
        self._pdq_ok = np.zeros(0, bool)
        self._emb: npt.NDArray[np.float32] | None = None
        self._ref_names: list[str] = []
        self._ref_kinds: list[str] = []
        self._ref_pdq = np.zeros((0, 32), np.uint8)
        self._ref_ok = np.zeros(0, bool)
        self._ref_emb: npt.NDArray[np.float32] | None = None
        if reference:
            self._load_reference()

    def _load_reference(self) -> None:
        ref = resources.files("service") / "data" / COMMON_FILE
        with resources.as_file(ref) as path, np.load(path) as z:
            self._ref_names = [str(x) for x in z["names"]]
            self._ref_kinds = [str(x) for x in z["kinds"]]
            self._ref_pdq = z["pdq"]
            self._ref_ok = z["quality"] >= MIN_QUALITY
            self._ref_emb = z["embedding"].astype(np.float32)

    def _p_same(
        self,
        avatar: Avatar,
        pdq: npt.NDArray[np.uint8],
        pdq_ok: npt.NDArray[np.bool_],
        emb: npt.NDArray[np.float32] | None,
    ) -> npt.NDArray[np.float64]:
        """p_match of ``avatar`` against each row (PDQ hashes, their usability, vectors)."""
        n = pdq.shape[0]
        strength = np.zeros(n)
        if n and avatar.pdq and usable(avatar.pdq_quality):
            dist = distance_matrix(codes(list(avatar.pdq)), pdq).min(axis=0)
            strength = np.where(pdq_ok, np.clip(1.0 - dist / PDQ_SCALE, 0.0, None), 0.0)
        cos = np.zeros(n)
        views = avatar.views if avatar.views is not None else avatar.embedding
        if (
            n
            and views is not None
            and emb is not None
            and emb.shape[1] == np.atleast_2d(views).shape[1]
        ):
            cos = (np.atleast_2d(views) @ emb.T).max(axis=0)
        z = self._cal.w0 + self._cal.w_cos * cos + self._cal.w_pdq * strength
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -60, 60))), np.float64)

    def _best(self, probs: npt.NDArray[np.float64]) -> int | None:
        if probs.size == 0:
            return None
        best = int(np.argmax(probs))
        return best if probs[best] >= self._same_p else None

    def observe(self, avatar: Avatar, group: str | None) -> None:
        """Record a banned account's avatar (call for each account added to the bank)."""
        key = group or "?"
        hit = self._best(self._p_same(avatar, self._pdq, self._pdq_ok, self._emb))
        if hit is not None:
            self._groups[hit].add(key)
            return
        ok = bool(avatar.pdq) and usable(avatar.pdq_quality)
        row = codes([avatar.pdq[0]]) if avatar.pdq else np.zeros((1, 32), np.uint8)
        self._pdq = np.concatenate([self._pdq, row])
        self._pdq_ok = np.append(self._pdq_ok, ok)
        if avatar.embedding is not None:
            vec = np.asarray(avatar.embedding, np.float32)[None]
            if self._emb is None:
                self._emb = np.zeros((len(self._groups), vec.shape[1]), np.float32)
            self._emb = np.concatenate([self._emb, vec])
        elif self._emb is not None:
            self._emb = np.concatenate([self._emb, np.zeros((1, self._emb.shape[1]), np.float32)])
        self._groups.append({key})

    def estimate(self, avatar: Avatar, group: str | None = None) -> Shared:
        """How widely ``avatar`` (a banned account's, of ``group``) is shared."""
        ref = self._best(self._p_same(avatar, self._ref_pdq, self._ref_ok, self._ref_emb))
        if ref is not None:
            kind = self._ref_kinds[ref]
            return Shared(
                REFERENCE_SHARED.get(kind, 1000),
                kind,
                f"{kind}: {self._ref_names[ref].split(':', 1)[-1]}",
            )
        hit = self._best(self._p_same(avatar, self._pdq, self._pdq_ok, self._emb))
        if hit is None:
            return Shared()
        others = len(self._groups[hit] - {group or "?"})
        if others == 0:
            return Shared()
        return Shared(others, "bank", f"used by {others + 1} different groups in the bank")

    def to_json(self) -> str:
        """The bank clusters (the reference population is bundled and not repeated)."""
        emb = None
        if self._emb is not None:
            emb = base64.b64encode(self._emb.astype(np.float16).tobytes()).decode()
        return json.dumps(
            {
                "version": 1,
                "pdq": [
                    h.hex() if ok else None
                    for h, ok in zip((bytes(r) for r in self._pdq), self._pdq_ok, strict=True)
                ],
                "embedding": emb,
                "dim": None if self._emb is None else int(self._emb.shape[1]),
                "groups": [sorted(g) for g in self._groups],
            }
        )

    @classmethod
    def from_json(cls, text: str, **kwargs: Any) -> AvatarCommonness:
        raw = json.loads(text)
        if raw.get("version") != 1:
            raise ValueError("unknown avatar commonness format")
        out = cls(**kwargs)
        out._groups = [set(g) for g in raw["groups"]]
        out._pdq = (
            codes([bytes.fromhex(h) if h else bytes(32) for h in raw["pdq"]])
            if raw["pdq"]
            else np.zeros((0, 32), np.uint8)
        )
        out._pdq_ok = np.array([h is not None for h in raw["pdq"]], bool)
        if raw["embedding"] is not None:
            flat = np.frombuffer(base64.b64decode(raw["embedding"]), np.float16)
            out._emb = flat.astype(np.float32).reshape(-1, raw["dim"])
        return out
