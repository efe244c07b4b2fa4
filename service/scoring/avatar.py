"""Avatar comparison features and avatar commonness.

``compare_avatars`` turns a (query, banned) pair of avatars into ``PairFeature``s: the best PDQ
distance over the query's dihedral variants, the calibrated embedding similarity (best over the
query's views), their calibrated combination, and how widely the avatar is shared. Every match
value is multiplied by the avatar's *specificity*, ``1 / (1 + unrelated accounts sharing it)``, so
a country flag or a default silhouette matching proves nothing, as a common name proves little.

Commonness has two sources:
- a bundled reference population of shared pictures (``service/data/avatar_common.npz``, built by
  ``benchmarks/avatar_reference.py``): every country's flag as drawn by three independent packages,
  each laid out as avatars are (square crop, letterboxed, circle-masked, small), platform default
  silhouettes, emoji popular as avatars at several paddings, drawn state/party-style emblems. An
  avatar is taken for one of them when its embedding is within ``REFERENCE_COSINE[kind]`` of a
  row (or its PDQ hash matches one): a near-copy, however rendered, not only the bundled image.
  Each kind is assumed shared by ``REFERENCE_SHARED[kind]`` accounts (orders of magnitude, not
  measured);
- clusters in the bank: an avatar used by banned accounts of several *different* groups is
  generic (accounts of one group sharing its logo is the signal itself, not commonness).
``AvatarCommonness`` holds both, learns the clusters as the bank grows (``observe``) and
serialises them to JSON.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.domain import Avatar, PairFeature
from service.features.image import WHITENING_FILE
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
REFERENCE_SHARED = {"flag": 10_000, "default": 1_000_000, "emoji": 10_000, "emblem": 1_000}
# Cosine between an avatar's vector and a reference row's at or above which the avatar is taken
# for that shared picture, by "kind/layout" of the row, else by kind. Chosen with
# ``benchmarks/avatar_reference.py measure``: one flag package held out of the reference at a time,
# its flags (as laid out, and after crops, borders, circles, JPEG) must be recognised, ordinary
# logos, emoji, photos and group-like emblems must not. Circle-masked rows ask for more (circled
# logos meet circled flags through the white corners alone); emoji ask for more as well (other
# emoji of one family, faces or hearts, sit close to each other yet are not the same picture).
REFERENCE_COSINE = {"flag": 0.62, "flag/circle": 0.7, "emoji": 0.8, "default": 0.7, "emblem": 0.7}
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
    kind: str | None = None  # "flag", "default", "emoji", "emblem" (reference), "bank", None
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
    likeness: Callable[[float], float] | None = None,
) -> list[PairFeature]:
    """Features of one (query, banned) avatar pair; ``shared`` from ``AvatarCommonness``;
    ``likeness`` puts the embedding cosine on the scale of the scorer's training data
    (``scoring.likeness``) before the calibration reads it."""
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
        weighed = likeness(cos) if likeness is not None else cos
        p_emb = cal.p_embedding(weighed)
        hint = " (edited copy?)" if p_emb >= 0.5 else ""
        note = ""
        if weighed < cos - 0.005 and cal.p_embedding(cos) >= 0.5:
            note = (f"; ordinary here, counted as {weighed:.2f}: profiles scored here often have "
                    "avatars this alike to a banned one")  # fmt: skip
        out.append(
            PairFeature(
                SIGNAL,
                "avatar.embedding",
                spec * p_emb,
                f"avatar: embedding cosine {cos:.2f}{hint}{note}",
            )
        )
        p = cal.p_match(weighed, strength)
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


def reference_cosine(kind: str, layout: str) -> float:
    """The threshold of a reference row (``REFERENCE_COSINE``; 1.0, never, for unknown kinds)."""
    short = layout.rsplit("-", 1)[-1]  # "1x1-circle" is a circle too
    return REFERENCE_COSINE.get(f"{kind}/{short}", REFERENCE_COSINE.get(kind, 1.0))


def whitening_digest(path: Path | None = None) -> str:
    """Short digest of a whitening file (default the bundled one): the reference embeddings are
    only comparable with vectors made through the same whitening."""
    if path is None:
        raw = (resources.files("service") / "data" / WHITENING_FILE).read_bytes()
    else:
        raw = path.read_bytes()
    return hashlib.sha256(raw).hexdigest()[:16]


@functools.cache
def default_calibration() -> AvatarCalibration:
    """The bundled calibration (``service/data/avatar_calibration.json``), read once."""
    return AvatarCalibration.load()


class AvatarCommonness:
    """Estimates how many unrelated accounts share an avatar. An avatar is a reference picture
    when its vector is within ``REFERENCE_COSINE`` of a reference row of that kind or its PDQ hash
    matches one (``reference_match``); two bank avatars are "the same picture" when the
    calibration's ``p_match`` (PDQ and embedding together) is at least ``same_p``.

    Bank clusters are kept as arrays (one PDQ hash and one vector per cluster) so that a lookup is
    one vectorised pass; at millions of distinct avatars the pipeline should instead ask its
    FAISS indexes for the neighbours and pass them to ``observe``/``estimate`` (not done here)."""

    def __init__(
        self,
        *,
        calibration: AvatarCalibration | None = None,
        same_p: float = 0.9,
        reference: bool = True,
        held_out: tuple[str, ...] = (),
    ) -> None:
        """``held_out``: reference sources (e.g. ``"twemoji"``) left out, to measure how the
        rest recognises their pictures."""
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
        self._ref_tau = np.zeros(0, np.float32)
        if reference:
            self._load_reference(held_out)

    def _load_reference(self, held_out: tuple[str, ...]) -> None:
        ref = resources.files("service") / "data" / COMMON_FILE
        with resources.as_file(ref) as path, np.load(path) as z:
            keep = ~np.isin(z["sources"], held_out)
            self._ref_names = [str(x) for x in z["names"][keep]]
            self._ref_kinds = [str(x) for x in z["kinds"][keep]]
            self._ref_pdq = z["pdq"][keep]
            self._ref_ok = z["quality"][keep] >= MIN_QUALITY
            self._ref_emb = z["embedding"][keep].astype(np.float32)
            layouts = [str(x) for x in z["layouts"][keep]]
        self._ref_tau = np.array(
            [reference_cosine(k, lo) for k, lo in zip(self._ref_kinds, layouts, strict=True)],
            np.float32,
        )

    def reference_match(self, avatar: Avatar) -> tuple[int, float] | None:
        """(reference row, cosine) of the shared picture ``avatar`` is a near-copy of, or None.
        Compares the avatar's one vector (a banned avatar's stored vector; a query's whole-picture
        view) with every row, each against its kind's threshold, the best margin winning; a PDQ
        match (both hashes usable, at most ``MATCH_BITS`` bits over the dihedral variants) counts
        whatever the cosine."""
        n = self._ref_pdq.shape[0]
        if n == 0:
            return None
        margin = np.full(n, -np.inf, np.float32)
        cos = np.zeros(n, np.float32)
        vec = avatar.embedding
        if vec is None and avatar.views is not None:
            vec = np.atleast_2d(avatar.views)[0]
        if vec is not None and self._ref_emb is not None:
            v = np.asarray(vec, np.float32).reshape(-1)
            if v.shape[0] == self._ref_emb.shape[1]:
                cos = self._ref_emb @ v
                margin = cos - self._ref_tau
        if avatar.pdq and usable(avatar.pdq_quality):
            dist = distance_matrix(codes(list(avatar.pdq)), self._ref_pdq).min(axis=0)
            margin = np.where(self._ref_ok & (dist <= MATCH_BITS), np.inf, margin)
        best = int(np.argmax(margin))
        return (best, float(cos[best])) if margin[best] >= 0 else None

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
        match = self.reference_match(avatar)
        if match is not None:
            ref = match[0]
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
