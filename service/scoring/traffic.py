"""Commonness learnt from scored traffic: a banned account's avatar that keeps turning up on
scored profiles that have nothing else in common with it is a common picture (a flag, an emblem,
a stock image), however it was rendered, and weighs little — as a name does in proportion to how
often it occurs.

A *sighting* is a scored profile whose avatar is the same picture as a banned account's
(calibrated PDQ + embedding probability ≥ ``SAME_PICTURE``) while no other signal family (names
and handles, bio, links) adds evidence and nothing identifies the account. Sightings are kept in
the store as (banned row, hash of the profile's platform and handle, time), so they are counted
once per profile, shared by replicas, bounded by a retention period, and hold no profile data.
Once an avatar has ``min_sightings`` distinct sightings, a pair matching it is discounted as a
picture shared by that many unrelated accounts (``Shared(kind="traffic")``).

Limit: someone who makes ``min_sightings`` accounts with a banned logo under unrelated names can
make that logo weigh less; such accounts have only the avatar in common and stay reviewable,
and the names, bios and links of later mirrors are not affected."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence

from service.domain import Match, Profile
from service.features.keys import handle_key
from service.scoring.avatar import Shared

SAME_PICTURE = 0.9
OTHER_FAMILIES = {"name": "names", "handle": "names", "bio": "bio", "links": "links",
                  "identity": "names"}  # fmt: skip


def profile_hash(profile: Profile) -> bytes:
    """16 bytes standing for the profile (its platform and handle, else its id)."""
    handle = handle_key(profile.handle)
    key = f"{profile.platform.casefold()}/{handle}" if handle else f"id:{profile.id}"
    return hashlib.sha256(key.encode("utf-8")).digest()[:16]


def avatar_probability(match: Match) -> float:
    """The calibrated same-picture probability behind a match's avatar evidence (the feature
    holds it multiplied by the avatar's specificity)."""
    values = {f.name: f.value for f in match.features}
    if "avatar.match" not in values:
        return 0.0
    specificity = 1.0 - values.get("avatar.shared", 0.0)
    return values["avatar.match"] / specificity if specificity > 0 else 0.0


def avatar_only(match: Match, family_min_llr: float) -> bool:
    """Whether the match has the avatar in common and nothing else."""
    totals: dict[str, float] = {}
    for e in match.evidence:
        family = OTHER_FAMILIES.get(e.signal)
        if family:
            totals[family] = totals.get(family, 0.0) + e.contribution
    if any(f.name in ("identity.same_account", "links.shared_contact", "links.mentions_account")
           for f in match.features):  # fmt: skip
        return False
    return all(v < family_min_llr for v in totals.values())


class AvatarTraffic:
    """Sightings waiting to be written, and the counts read back from the store. Thread-safe:
    the scoring threads observe, one of them flushes when due."""

    def __init__(
        self,
        min_sightings: int = 25,
        flush_after: int = 64,
        flush_every_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.min_sightings = min_sightings
        self._flush_after = flush_after
        self._flush_every_s = flush_every_s
        self._clock = clock
        self._pending: set[tuple[int, bytes]] = set()
        self._counts: dict[int, int] = {}
        self._last_flush = clock()
        self._lock = threading.Lock()

    def observe(
        self,
        profile: Profile,
        matches: Sequence[Match],
        family_min_llr: float,
        row_of: dict[str, int],
    ) -> None:
        """Note the matches whose banned avatar this profile shows with nothing else in common
        (``row_of``: banned account id -> store row id)."""
        key = profile_hash(profile)
        seen = [
            (row_of[m.account_id], key)
            for m in matches
            if m.account_id in row_of
            and avatar_probability(m) >= SAME_PICTURE
            and avatar_only(m, family_min_llr)
        ]
        if seen:
            with self._lock:
                self._pending.update(seen)

    def due(self) -> bool:
        with self._lock:
            if not self._pending:
                return False
            waited = self._clock() - self._last_flush
            return len(self._pending) >= self._flush_after or waited >= self._flush_every_s

    def drain(self) -> list[tuple[int, bytes]]:
        with self._lock:
            out = sorted(self._pending)
            self._pending.clear()
            self._last_flush = self._clock()
            return out

    def update(self, counts: dict[int, int]) -> None:
        """Counts read back from the store (rows with at least ``min_sightings``)."""
        with self._lock:
            self._counts = dict(counts)

    def shared(self, row_id: int) -> Shared | None:
        n = self._counts.get(row_id, 0)
        if n < self.min_sightings:
            return None
        return Shared(n, "traffic", f"the same picture is on {n:,} recently checked profiles "
                                    "with nothing else in common")  # fmt: skip
