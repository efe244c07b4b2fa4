"""Candidate search: which banned accounts a profile is compared with. Every channel of
``service.channels`` is searched with the profile's rows, hits are merged per account, and the
accounts sharing an exact key (platform + handle, a contact) are added from the store."""

from __future__ import annotations

import math
from dataclasses import dataclass

from service.channels import CHANNELS
from service.config import Settings
from service.domain import Features, Profile
from service.features.keys import lookup_keys
from service.index.snapshot import IndexSet
from service.store.bank import Store
from service.store.banks import BankScope

# With a bank filter, each channel asks for k / (share of the store in scope) neighbours, at most
# this many times k, so that about k of them survive the filter.
MAX_WIDEN = 8


@dataclass(frozen=True, slots=True)
class Candidate:
    row_id: int
    channels: dict[str, float]  # channel -> similarity (cosine) or distance (PDQ bits)


def candidates(
    settings: Settings,
    indexes: IndexSet,
    store: Store,
    profile: Profile,
    features: Features,
    scope: BankScope | None = None,
) -> list[Candidate]:
    """Top-k per channel (``service.channels``), merged per account (store row id), and the
    accounts sharing an exact key (platform + handle, a contact).

    The indexes hold every bank. A ``scope`` that leaves some accounts out widens k by the
    inverse of the share in scope (at most ``MAX_WIDEN`` times) and keeps the hits in
    scope, read from the store by row id (two columns, no vectors): a filter costs one
    small query, and a search over a bank holding 1/8 of the store or less may return
    fewer than k of its neighbours."""
    k = settings.search.candidates_per_channel
    narrow = scope is not None and not scope.complete
    if scope is not None and narrow:
        k *= min(MAX_WIDEN, math.ceil(1.0 / max(scope.fraction, 1e-9)))
    merged: dict[int, dict[str, float]] = {}
    by_channel = indexes.channels
    for channel in CHANNELS:
        rows = channel.query_rows(features)
        index = by_channel[channel.name]
        if rows is None or not index.ntotal:
            continue
        hits = index.search(rows, channel.k(k))
        for row in range(len(rows)):
            ids, scores = channel.hits(hits.ids[row], hits.scores[row])
            for row_id, score in zip(ids.tolist(), scores.tolist(), strict=True):
                if row_id < 0:
                    continue
                slot = merged.setdefault(row_id, {})
                slot[channel.name] = channel.merge(slot.get(channel.name, score), score)
    for row_id, shared in store.rows_for_keys(lookup_keys(profile)).items():
        merged.setdefault(row_id, {})["keys"] = float(len(shared))
    if scope is not None and narrow:
        banks = store.banks_of(merged)
        merged = {r: c for r, c in merged.items() if banks.get(r) in scope.banks}
    return [Candidate(r, c) for r, c in merged.items()]
