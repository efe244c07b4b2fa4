"""Pairwise comparison: for a (profile, banned account) pair, every channel's comparison features.

Each comparator looks at one channel and returns ``PairFeature``s; a channel with nothing on one
side returns none, so it contributes nothing to the score."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from service.domain import Avatar, Features, PairFeature, Profile, StoredAccount, Vector
from service.features.keys import handle_key
from service.locks import RWLock
from service.normalize.names import NameForms, analyse_name
from service.scoring.avatar import (
    AvatarCommonness,
    Shared,
    compare_avatars,
    cosine,
    default_calibration,
    pdq_distance,
    pdq_strength,
)
from service.scoring.bio import ShingleFrequency, compare_bios
from service.scoring.likeness import AvatarLikeness, anchored
from service.scoring.links import compare_links
from service.scoring.names import compare_names
from service.scoring.rarity import TokenRarity, reference_rarity
from service.scoring.traffic import AvatarTraffic


@dataclass(frozen=True, slots=True)
class Side:
    profile: Profile
    features: Features
    row_id: int


Comparator = Callable[[Side, Side, "PairContext"], list[PairFeature]]


def _cosine(a: Vector | None, b: Vector | None) -> float | None:
    if a is None or b is None or not a.any() or not b.any():
        return None
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def identity(q: Side, c: Side, _ctx: PairContext) -> list[PairFeature]:
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


def names(q: Side, c: Side, ctx: PairContext) -> list[PairFeature]:
    qp, cp = q.profile, c.profile
    if not (qp.display_name or qp.handle) or not (cp.display_name or cp.handle):
        return []
    cos = _cosine(q.features.name_vec, c.features.name_vec)
    rarity = ctx.rarity or reference_rarity()
    return compare_names(qp.display_name, qp.handle, cp.display_name, cp.handle, rarity, cos)


def bios(q: Side, c: Side, ctx: PairContext) -> list[PairFeature]:
    qf, cf = q.features, c.features
    names = [n for n in (q.profile.display_name, c.profile.display_name) if n]
    return compare_bios(
        q.profile.bio, c.profile.bio, qf.bio_vec, cf.bio_vec, ctx.bio_frequency, names
    )


def links(q: Side, c: Side, _ctx: PairContext) -> list[PairFeature]:
    return compare_links(
        q.profile.bio, q.profile.links, c.profile.bio, c.profile.links, c.profile.handle
    )


def avatars(q: Side, c: Side, ctx: PairContext) -> list[PairFeature]:
    qa, ca = q.features.avatar, c.features.avatar
    if qa is None or ca is None:
        return []
    return compare_avatars(qa, ca, shared=ctx.shared.get(c.row_id), likeness=ctx.likeness)


@dataclass(frozen=True, slots=True)
class PairContext:
    """What comparing one query with its candidates needs beyond the pair itself."""

    shared: dict[int, Shared] = field(default_factory=dict)  # row id -> avatar commonness
    rarity: TokenRarity | None = None  # name-word frequencies: bank + ordinary names
    bio_frequency: ShingleFrequency | None = None  # bio shingle frequencies over the bank
    # (this traffic's, the scorer's training data's) avatar likeness anchor (scoring.likeness)
    anchors: tuple[float | None, float | None] = (None, None)

    def likeness(self, cos: float) -> float:
        """An avatar cosine on the scale of the scorer's training data."""
        return anchored(cos, *self.anchors)


class BankContext:
    """Knowledge about the bank as a whole that weighs a pair's evidence: how widely an avatar
    is shared (a reference population of flags, platform defaults and popular emoji; and, for
    this query, how many different groups' banned accounts carry the same picture)."""

    SAME_PICTURE = 0.9
    CACHE = 100_000

    def __init__(self) -> None:
        self._reference = AvatarCommonness(reference=True)
        self._cache: dict[tuple[int, bytes], Shared] = {}
        self.rarity = reference_rarity()
        self.bio_frequency = ShingleFrequency()
        self.traffic = AvatarTraffic()  # avatars seen in scored traffic (scoring.traffic)
        self.likeness = AvatarLikeness()  # how alike scored profiles' avatars are to the bank
        self.lock = RWLock()  # rarity is not safe to read while it changes
        self._names: dict[int, NameForms] = {}
        self._bios: set[int] = set()

    def observe(self, accounts: Sequence[StoredAccount]) -> None:
        """Count the banned accounts' name words (replacing what a row counted before)."""
        forms = [(a.row_id, analyse_name(a.profile.display_name)) for a in accounts]
        with self.lock.write():
            for a in accounts:
                if a.row_id not in self._bios:
                    self._bios.add(a.row_id)
                    self.bio_frequency.add(a.profile.bio)
            for row_id, f in forms:
                old = self._names.pop(row_id, None)
                if old is not None:
                    self.rarity.remove(old)
                if not f.empty:
                    self.rarity.add(f)
                    self._names[row_id] = f

    def forget(self, row_ids: Iterable[int]) -> None:
        with self.lock.write():
            for row_id in row_ids:
                old = self._names.pop(row_id, None)
                if old is not None:
                    self.rarity.remove(old)

    def reference_shared(self, row_id: int, avatar: Avatar) -> Shared:
        key = (row_id, avatar.pdq[0] if avatar.pdq else b"")
        hit = self._cache.get(key)
        if hit is None:
            hit = self._reference.estimate(avatar)
            if len(self._cache) >= self.CACHE:
                self._cache.clear()
            self._cache[key] = hit
        return hit

    def for_query(
        self,
        features: Features,
        accounts: Sequence[StoredAccount],
        reference: float | None = None,
        *,
        record: bool = False,
    ) -> PairContext:
        """Call with ``lock.read()`` held for as long as the context is used. ``reference``:
        the scorer's avatar likeness anchor (``LogisticScorer.avatar_likeness``); ``record``:
        count this query's best avatar cosine in the traffic's likeness (a scored profile,
        not a moderator's look at one pair)."""
        query = features.avatar
        if query is None:
            return PairContext(rarity=self.rarity, bio_frequency=self.bio_frequency)
        cal = default_calibration()
        same: dict[int, str] = {}
        best: float | None = None
        for a in accounts:
            avatar = a.features.avatar
            if avatar is None:
                continue
            cos = cosine(query, avatar)
            if cos is not None:
                best = cos if best is None else max(best, cos)
            pdq = pdq_distance(query, avatar)
            p = cal.p_match(cos or 0.0, pdq_strength(pdq[0] if pdq else None))
            if p >= self.SAME_PICTURE:
                same[a.row_id] = a.profile.group or a.profile.id
        groups = set(same.values())
        shared: dict[int, Shared] = {}
        for a in accounts:
            avatar = a.features.avatar
            if avatar is None:
                continue
            ref = self.reference_shared(a.row_id, avatar)
            others = len(groups - {same.get(a.row_id)}) if a.row_id in same else 0
            if ref.unrelated >= others:
                shared[a.row_id] = ref
            else:
                label = f"the same picture is on banned accounts of {others + 1} different groups"
                shared[a.row_id] = Shared(others, "bank", label)
            seen = self.traffic.shared(a.row_id)
            if seen is not None and seen.unrelated > shared[a.row_id].unrelated:
                shared[a.row_id] = seen
        anchors = (self.likeness.anchor(), reference)
        if record and best is not None:
            self.likeness.record(best)
        return PairContext(shared, self.rarity, self.bio_frequency, anchors)


COMPARATORS: tuple[Comparator, ...] = (identity, names, bios, links, avatars)


def compare(
    query: Profile, features: Features, candidate: StoredAccount, ctx: PairContext | None = None
) -> list[PairFeature]:
    q = Side(query, features, -1)
    c = Side(candidate.profile, candidate.features, candidate.row_id)
    context = ctx or PairContext()
    return [f for comparator in COMPARATORS for f in comparator(q, c, context)]
