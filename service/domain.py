"""Frozen values passed between pipeline stages, and the two small helpers every stage shares (a
progress callback, a per-stage timer). No I/O, no models."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
# The largest sequence number (audit entries, store changes) a query may name: a signed 64-bit
# integer, what SQLite and PostgreSQL hold. A larger ``?before=`` is refused, not a 500.
MAX_SEQ = 2**63 - 1
# A bank's name (``service.store.banks``), also the pattern the API's schemas document.
BANK_NAME = r"^[a-z0-9][a-z0-9._-]{0,63}$"
# How long work reports how far it got: called with the number of items just done.
Progress = Callable[[int], None]


class Band(StrEnum):
    BLOCK = "block"
    REVIEW = "review"
    ALLOW = "allow"


@dataclass(frozen=True, slots=True)
class StoredAvatar:
    """An avatar's signals as a bank stored them, carried by an export so that an import keeps
    them instead of re-deriving them from the exported 128 px thumbnail (PDQ of a thumbnail
    moves; an embedding of one too). ``image_model`` is the encoder (``name:dim``) that made
    ``embedding``; an import by another encoder re-embeds and keeps only the PDQ hashes."""

    image_model: str
    pdq: tuple[bytes, ...]
    pdq_quality: int
    embedding: Vector | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Profile:
    """A social-media profile in canonical form: a banned account (with ``group``) or a candidate.

    ``avatar`` holds untrusted image bytes as received; the normalise stage decodes them."""

    id: str
    platform: str = ""
    handle: str = ""
    display_name: str = ""
    bio: str = ""
    links: tuple[str, ...] = ()
    avatar: bytes | None = field(default=None, repr=False)
    avatar_url: str | None = None
    group: str | None = None
    # a bank export's original-quality avatar signals (``bank import`` of such a file)
    avatar_features: StoredAvatar | None = field(default=None, repr=False, compare=False)

    @property
    def name_text(self) -> str:
        """What the name channel embeds: the display name, else the handle."""
        return self.display_name.strip() or self.handle.strip()


@dataclass(frozen=True, slots=True)
class Avatar:
    """A decoded avatar's derived signals; the original bytes are not kept."""

    pdq: tuple[bytes, ...]  # 8 dihedral PDQ hashes of 32 bytes; [0] is the image as given
    pdq_quality: int
    embedding: Vector | None  # banned: ImageEncoder.encode (what the index stores); query: view 0
    thumbnail: bytes  # small re-encoded WEBP for display
    # Query side only, never stored: (v, dim) region views from ImageEncoder.encode_views, each
    # compared with a banned avatar's ``embedding`` (row 0 is the whole picture).
    views: Vector | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Features:
    """What the features stage derives from one profile."""

    name_vec: Vector | None
    bio_vec: Vector | None
    avatar: Avatar | None
    name_grams: Vector | None = None  # hashed character n-grams of name + handle (not stored)


@dataclass(frozen=True, slots=True)
class StoredAccount:
    """A banned account as the store holds it, with the signals needed to compare against it."""

    row_id: int
    profile: Profile
    features: Features
    removed: bool = False
    bank: str = ""  # the named bank it belongs to (service.store.banks)
    encoder_version: str = ""  # the encoders that made ``features`` (``text:dim|image:dim``)


@dataclass(frozen=True, slots=True)
class PairFeature:
    """One comparison feature of a (profile, banned account) pair, produced by a channel's
    comparator. A channel with nothing to compare (no avatar, empty bio) yields no features, so
    it contributes nothing. ``value`` is what the scorer weighs; ``detail`` is what a moderator
    reads."""

    signal: str  # channel: "name", "handle", "bio", "links", "avatar", "identity"
    name: str  # feature name, stable across versions: "name.jaro_winkler", "avatar.pdq_match"
    value: float
    detail: str


@dataclass(frozen=True, slots=True)
class Evidence:
    signal: str
    contribution: float  # log-likelihood ratio (natural log) this feature adds
    detail: str
    feature: str = ""  # the PairFeature's name ("links.shared_contact"): what the band rules read


@dataclass(frozen=True, slots=True)
class Match:
    account_id: str
    group: str
    score: float  # probability at the configured prevalence
    evidence: tuple[Evidence, ...]
    account: Profile | None = None
    features: tuple[PairFeature, ...] = ()  # what the scorer weighed (kept with decisions)
    log_likelihood_ratio: float = 0.0
    band: Band = Band.ALLOW
    band_reason: str = ""
    bank: str = ""  # the named bank of the account


@dataclass(frozen=True, slots=True)
class Verdict:
    id: str
    score: float
    band: Band
    matches: tuple[Match, ...]
    model_version: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    log_likelihood_ratio: float | None = None  # of the best pair; None when nothing matched
    prevalence: float = 0.0  # the prior the probability is for
    band_reason: str = ""
    # what was compared: the channels the profile had something for ("name", "handle",
    # "identity", "bio", "links", "avatar"), the banned-account banks searched, and the
    # allow-listed accounts it resembles (best first; they can overrule a block)
    compared: tuple[str, ...] = ()
    banks: tuple[str, ...] = ()
    allowed: tuple[Match, ...] = ()


class Timer:
    """Milliseconds per stage of one request."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.ms[name] = self.ms.get(name, 0.0) + (time.perf_counter() - start) * 1000.0
