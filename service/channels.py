"""Every search channel declared once: what its index holds (kind, dimension, the model whose
vectors it holds), which vector an account puts in it, which vectors a checked profile searches
it with, how many neighbours each search asks for, how hits merge per banned account, and which
hits count. The pipeline's candidate search, the live indexes, the doctor and the scale benchmark
all read this table; adding a channel is one entry.

Exact identity (same platform + handle, a shared contact) is not a vector channel: it is looked up
in the store by key (``Pipeline.candidates``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from service.domain import Features, StoredAccount, Vector
from service.features import ngrams
from service.features.image import query_view_count
from service.features.ngrams import name_vectors
from service.features.pdq import MATCH_BITS, MIN_QUALITY
from service.index.faiss_index import Kind
from service.index.snapshot import ChannelSpec

PDQ_BITS = 256
Rows = npt.NDArray[np.float32] | npt.NDArray[np.uint8]
Merge = Callable[[float, float], float]


class Encoder(Protocol):
    """What a channel needs to know of the encoder that makes its vectors."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Channel:
    name: str
    kind: Kind
    # whose vectors: the text or image encoder (dimension and model name come from it), or
    # None for a fixed transform (``dim`` and ``model`` below)
    encoder: Literal["text", "image"] | None
    # the vector an account puts in the index (None: nothing); ``grams`` is the account's
    # character n-gram vector, computed for a batch of accounts at once
    account_vector: Callable[[StoredAccount, Vector | None], Rows | None]
    # the rows a checked profile searches with (one per view or hash), or None
    query_rows: Callable[[Features], Rows | None]
    dim: int = 0
    model: str = ""
    typical_dim: int = 0  # the default model's dimension: what the scale benchmark generates
    k: Callable[[int], int] = lambda k: k  # neighbours per query row from the configured k
    merge: Merge = max  # of several hits on one account: max similarity, or min distance
    near: float | None = None  # a distance channel: hits farther than this are not evidence
    queries_per_request: int = 1

    def spec(self, text: Encoder, image: Encoder) -> ChannelSpec:
        source = {"text": text, "image": image}.get(self.encoder or "")
        if source is None:
            return ChannelSpec(self.name, self.kind, self.dim, self.model)
        return ChannelSpec(self.name, self.kind, source.dim, source.name)

    def hits(
        self, ids: npt.NDArray[np.int64], scores: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The hits of one query row that count as evidence."""
        if self.near is None:
            return ids, scores
        keep = scores <= self.near
        return ids[keep], scores[keep]


def _row(vec: Vector | None) -> Rows | None:
    return None if vec is None else vec[None, :]


def _avatar_embedding(account: StoredAccount, _grams: Vector | None) -> Rows | None:
    avatar = account.features.avatar
    return None if avatar is None else avatar.embedding


def _avatar_views(features: Features) -> Rows | None:
    avatar = features.avatar
    if avatar is None:
        return None
    views = avatar.views if avatar.views is not None else avatar.embedding
    return None if views is None else np.atleast_2d(views)


def _account_pdq(account: StoredAccount, _grams: Vector | None) -> Rows | None:
    avatar = account.features.avatar
    if avatar is None or avatar.pdq_quality < MIN_QUALITY or not avatar.pdq:
        return None
    return np.frombuffer(avatar.pdq[0], dtype=np.uint8)


def _query_pdq(features: Features) -> Rows | None:
    avatar = features.avatar
    if avatar is None or avatar.pdq_quality < MIN_QUALITY:
        return None
    # all 8 dihedral hashes: a mirrored or rotated copy is found too
    return np.frombuffer(b"".join(avatar.pdq), dtype=np.uint8).reshape(-1, PDQ_BITS // 8)


CHANNELS: tuple[Channel, ...] = (
    Channel(
        "name",
        "float",
        "text",
        account_vector=lambda a, _g: a.features.name_vec,
        query_rows=lambda f: _row(f.name_vec),
        typical_dim=384,
    ),
    Channel(
        "name_grams",
        "float",
        None,
        account_vector=lambda _a, grams: grams,
        query_rows=lambda f: _row(f.name_grams),
        dim=ngrams.DIM,
        model=f"char-ngrams-{ngrams.DIM}",
        typical_dim=ngrams.DIM,
    ),
    Channel(
        "bio",
        "float",
        "text",
        account_vector=lambda a, _g: a.features.bio_vec,
        query_rows=lambda f: _row(f.bio_vec),
        typical_dim=384,
    ),
    Channel(
        "avatar",
        "float",
        "image",
        account_vector=_avatar_embedding,
        query_rows=_avatar_views,
        typical_dim=256,  # EfficientNet-Lite0 GeM, whitened to 256 dimensions
        # every region view searches: fewer neighbours each
        k=lambda k: max(2, k // 4),
        queries_per_request=query_view_count(),
    ),
    Channel(
        "pdq",
        "binary",
        None,
        account_vector=_account_pdq,
        query_rows=_query_pdq,
        dim=PDQ_BITS,
        model="pdq",
        typical_dim=PDQ_BITS,
        merge=min,
        # beyond PDQ's match threshold a hash is another image: such "neighbours" carry no
        # evidence, and 8 dihedral hashes x k of them would be compared
        near=MATCH_BITS,
        queries_per_request=8,
    ),
)
BY_NAME = {c.name: c for c in CHANNELS}


def channel_specs(text: Encoder, image: Encoder) -> dict[str, ChannelSpec]:
    """What each channel's index holds, for these encoders (a snapshot of others is rebuilt)."""
    return {c.name: c.spec(text, image) for c in CHANNELS}


def _nonzero(vec: Vector | None) -> Vector | None:
    return vec if vec is not None and vec.any() else None


def account_vectors(account: StoredAccount, grams: Vector | None = None) -> dict[str, Rows]:
    """What each channel index holds for an account (a channel it has nothing for is absent).
    The n-gram vector is derived from the name and handle (pass it when computed in a batch)."""
    if grams is None:
        p = account.profile
        grams = name_vectors([(p.display_name, p.handle)])[0]
    grams = _nonzero(grams)
    vectors = {c.name: c.account_vector(account, grams) for c in CHANNELS}
    return {name: vec for name, vec in vectors.items() if vec is not None}


def batch_grams(accounts: Sequence[StoredAccount]) -> npt.NDArray[np.float32]:
    """The n-gram vectors of a batch of accounts, one row each."""
    return name_vectors([(a.profile.display_name, a.profile.handle) for a in accounts])
