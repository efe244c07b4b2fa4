"""Giving a channel the index its size calls for: exact while small, an inverted file trained on
the channel's own vectors above ``exact_max_mb``, retrained when the bank has grown or shrunk
several-fold. The family (8-bit, fp16 or raw codes) and ``nprobe`` are chosen by measuring
recall@10 against exact search on queries drawn from the same vectors; the measurement is kept in
the plan (and so in the snapshot manifest).

``build_ivf`` reads its vectors through a ``Source`` (a function that yields (ids, vectors)
chunks, callable several times), so the same code trains from a live index, from the store, or
from the scale benchmark's generator."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from service.index.faiss_index import ChannelIndex
from service.index.plan import (
    IndexPlan,
    IndexPolicy,
    max_nprobe,
    needs_refit,
    nlist_for,
    wanted_kind,
)
from service.index.snapshot import IndexSet
from service.index.tune import (
    ExactTopK,
    Tuned,
    coarse_start,
    flipped,
    radius_recall,
    tied_truth,
    tune_by,
    tune_nprobe,
    tuning_queries,
    without,
)

log = logging.getLogger(__name__)
F32 = npt.NDArray[np.float32]
Ids = npt.NDArray[np.int64]
Chunk = tuple[Ids, npt.NDArray[Any]]
Source = Callable[[], Iterable[Chunk]]
Observer = Callable[[Ids, npt.NDArray[Any]], None]


def fit_channel(index: ChannelIndex, policy: IndexPolicy, seed: int = 0) -> ChannelIndex | None:
    """A replacement index when the channel's size calls for another one, else None. The caller
    must hold off writes to ``index`` meanwhile (searches may continue on it)."""
    count = index.ntotal
    if not needs_refit(index.kind, index.dim, count, index.plan, policy):
        return None
    started = time.perf_counter()
    if wanted_kind(index.kind, index.dim, count, index.plan, policy) == "exact":
        out = ChannelIndex(index.kind, index.dim)
        for ids, vectors in index.export():
            out.upsert(ids, vectors)
    elif index.kind == "binary":
        out = build_binary_ivf(index.export, count, index.dim, policy, seed=seed)
    else:
        out = build_ivf(index.export, count, index.dim, policy, seed=seed)
    log.info(
        "channel of %d vectors: %s -> %s in %.1fs",
        count,
        index.plan,
        out.plan,
        time.perf_counter() - started,
    )
    return out


def build_ivf(
    source: Source,
    count: int,
    dim: int,
    policy: IndexPolicy,
    seed: int = 0,
    observers: Iterable[Observer] = (),
) -> ChannelIndex:
    """An inverted file over every vector of ``source`` (``count`` of them): trained on a
    random sample, filled, then tuned. Families are tried in the policy's order and the first
    that reaches the target recall is kept (else the last, with its measured recall).
    ``observers`` see every chunk once (the benchmark computes its exact answers with them)."""
    rng = np.random.default_rng(seed)
    nlist = nlist_for(count, policy)
    n_train = min(count, nlist * policy.train_points_per_list)
    n_tune = min(count, policy.tune_queries)
    sample, probes, probe_ids = _sample(source, count, n_train, n_tune, rng)
    queries, exclude = tuning_queries(probes, probe_ids, rng)
    exact = ExactTopK(queries, 21)  # 20 besides the query's own row: room for ties
    watchers = [exact.update, *observers]
    target = policy.target_recall + policy.tune_margin
    best: tuple[ChannelIndex, Tuned] | None = None
    lists = np.zeros(count, dtype=np.int64)  # each vector's list, computed once
    row_ids = np.zeros(count, dtype=np.int64)
    first: ChannelIndex | None = None
    start = 1
    for family in policy.families:
        index = ChannelIndex.ivf(dim, family, nlist, sample, like=first)
        seen = 0
        for ids, vectors in source():
            where = slice(seen, seen + len(ids))
            if first is None:
                lists[where] = index.assign(vectors)
                row_ids[where] = ids
            index.add_assigned(ids, vectors, lists[where])
            seen += len(ids)
            for watch in watchers:
                watch(ids, vectors)
        if first is None:  # the exact answers are complete after the first pass
            truth = tied_truth(exact, 10, exclude)
            watchers = []
            first = index
            nearest = without(exact.ids, exclude, 10)
            start = coarse_start(
                index.list_ranks(queries), _lists_of(nearest, row_ids, lists), target
            )
        most = max_nprobe(nlist, count, dim, family, policy)
        tuned = tune_nprobe(index, queries, truth, target, most, exclude, start=start)
        best = (index, tuned)
        log.info("%s nlist %d: nprobe %d recall@10 %.4f", family, nlist, tuned.nprobe, tuned.recall)
        if tuned.met:
            break
    assert best is not None, "the policy names no inverted-file family"
    index, tuned = best
    index.plan = replace(index.plan, nprobe=tuned.nprobe, recall=round(tuned.recall, 4),
                         trained_on=count)  # fmt: skip
    return index


def build_binary_ivf(
    source: Source,
    count: int,
    bits: int,
    policy: IndexPolicy,
    seed: int = 0,
    observers: Iterable[Observer] = (),
) -> ChannelIndex:
    """A binary inverted file over every bit string of ``source``, trained on a sample and
    tuned so that ``target_recall`` of the stored strings within ``binary_radius`` bits of a
    re-upload (a stored string with up to 24 bits flipped) are found."""
    rng = np.random.default_rng(seed)
    nlist = nlist_for(count, policy)
    n_train = min(count, nlist * policy.train_points_per_list)
    sample, probes, _ = _sample(source, count, n_train, min(count, policy.tune_queries), rng)
    queries = flipped(probes, rng, 24)
    exact = ExactTopK(queries, 20, binary=True)
    index = ChannelIndex.binary_ivf(bits, nlist, sample)
    for ids, hashes in source():
        index.upsert(ids, hashes)
        exact.update(ids, hashes)
        for watch in observers:
            watch(ids, hashes)

    def measure() -> float:
        hits = index.search(queries, 10)
        return radius_recall(hits.ids, hits.scores, exact, policy.binary_radius)

    most = max_nprobe(nlist, count, bits, "binary_ivf", policy)
    target = policy.target_recall + policy.tune_margin
    tuned = tune_by(index, measure, target, most)
    log.info("binary_ivf nlist %d: nprobe %d recall %.4f", nlist, tuned.nprobe, tuned.recall)
    index.plan = replace(index.plan, nprobe=tuned.nprobe, recall=round(tuned.recall, 4),
                         trained_on=count)  # fmt: skip
    return index


def _lists_of(truth: Ids, row_ids: Ids, lists: Ids) -> Ids:
    """The inverted list of each id of ``truth`` (-1 stays -1)."""
    order = np.argsort(row_ids)
    pos = order[np.searchsorted(row_ids[order], truth).clip(0, len(order) - 1)]
    out: Ids = np.where(truth >= 0, lists[pos], -1)
    return out


def _sample(
    source: Source, count: int, n_train: int, n_tune: int, rng: np.random.Generator
) -> tuple[F32, F32, Ids]:
    """Random rows of the source in one pass: training vectors, and tuning rows with ids."""
    train_at = np.sort(rng.choice(count, size=n_train, replace=False))
    tune_at = np.sort(rng.choice(count, size=n_tune, replace=False))
    train: list[F32] = []
    tune: list[F32] = []
    tune_ids: list[Ids] = []
    seen = 0
    for ids, vectors in source():
        end = seen + len(vectors)
        lo, hi = np.searchsorted(train_at, [seen, end])
        train.append(vectors[train_at[lo:hi] - seen])
        lo, hi = np.searchsorted(tune_at, [seen, end])
        tune.append(vectors[tune_at[lo:hi] - seen])
        tune_ids.append(ids[tune_at[lo:hi] - seen])
        seen = end
    order = rng.permutation(n_tune)
    return np.concatenate(train), np.concatenate(tune)[order], np.concatenate(tune_ids)[order]


def chunks_of(vectors: F32, ids: Ids, size: int = 65_536) -> Source:
    """A source over arrays in memory."""

    def gen() -> Iterator[Chunk]:
        for start in range(0, len(ids), size):
            yield ids[start : start + size], vectors[start : start + size]

    return gen


def fit_set(indexes: IndexSet, policy: IndexPolicy) -> dict[str, IndexPlan]:
    """Fit every channel of the set, swapping in the replacements (a search in flight keeps the
    index it started on). Returns the channels that changed, with their new plans."""
    changed: dict[str, IndexPlan] = {}
    for name, index in list(indexes.channels.items()):
        new = fit_channel(index, policy)
        if new is not None:
            indexes.channels[name] = new
            changed[name] = new.plan
    return changed
