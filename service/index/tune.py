"""Measuring an approximate index against exact search, and choosing its ``nprobe`` from that
measurement: the fewest lists whose recall@10 reaches the target on queries drawn from the
channel's own vectors.

The exact answer is accumulated chunk by chunk (``ExactTopK``), so a million vectors are compared
without ever being held twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from service.index.faiss_index import ChannelIndex

log = logging.getLogger(__name__)
F32 = npt.NDArray[np.float32]
Ids = npt.NDArray[np.int64]


class ExactTopK:
    """Brute-force top-k of fixed queries over vectors fed in chunks (inner product for float,
    Hamming distance for packed binary)."""

    def __init__(self, queries: npt.NDArray[np.generic], k: int, binary: bool = False) -> None:
        self.queries = queries
        self.k = k
        self.binary = binary
        n = len(queries)
        self.ids: Ids = np.full((n, k), -1, dtype=np.int64)
        worst = np.iinfo(np.int32).max if binary else -np.inf
        self.scores = np.full((n, k), worst, dtype=np.float64)

    def update(self, ids: Ids, vectors: npt.NDArray[np.generic]) -> None:
        if not len(ids):
            return
        if self.binary:  # Hamming distances by FAISS's popcount over this chunk
            flat = faiss.IndexBinaryFlat(vectors.shape[1] * 8)
            flat.add(np.ascontiguousarray(vectors, dtype=np.uint8))
            dist, pos = flat.search(np.ascontiguousarray(self.queries, dtype=np.uint8), self.k)
            sims = -dist.astype(np.float64)
            chunk_ids = np.where(pos >= 0, ids[pos.clip(0)], -1)
            current = -self.scores
        else:
            queries = np.asarray(self.queries, np.float32)
            sims = (queries @ vectors.T.astype(np.float32)).astype(np.float64)
            chunk_ids = np.broadcast_to(ids, (len(self.queries), len(ids)))
            current = self.scores
        all_scores = np.concatenate([current, sims], axis=1)
        all_ids = np.concatenate([self.ids, chunk_ids], axis=1)
        keep = np.argpartition(-all_scores, self.k - 1, axis=1)[:, : self.k]
        top = np.take_along_axis(all_scores, keep, 1)
        order = np.argsort(-top, axis=1, kind="stable")
        self.ids = np.take_along_axis(np.take_along_axis(all_ids, keep, 1), order, 1)
        best = np.take_along_axis(top, order, 1)
        self.scores = -best if self.binary else best


Truth = Ids | list[set[int]]


def tied_truth(exact: ExactTopK, k: int = 10, exclude: Ids | None = None) -> list[set[int]]:
    """Each query's exact top-k as a set, widened to every id that ties with the k-th: real
    banks hold duplicate names (identical vectors), and which of several equal neighbours an
    index returns is arbitrary, not a miss. ``exact`` must keep more than ``k`` neighbours;
    ``exclude``: an id per query to leave out (the query's own row), -1 for none."""
    out: list[set[int]] = []
    for row in range(len(exact.ids)):
        ids, scores = exact.ids[row], exact.scores[row]
        keep = ids >= 0
        if exclude is not None:
            keep &= ids != exclude[row]
        ids, scores = ids[keep], scores[keep]
        if len(ids) <= k:
            out.append(set(ids.tolist()))
            continue
        kth = scores[k - 1]
        tied = scores <= kth + 1e-6 if exact.binary else scores >= kth - 1e-6
        out.append(set(ids[:k].tolist()) | set(ids[tied].tolist()))
    return out


def recall_at_k(found: Ids, truth: Truth, k: int | None = None) -> float:
    """Mean share of the exact top-k that the approximate search returned; with ``truth`` from
    ``tied_truth``, an id tied with the k-th neighbour counts as a true one."""
    k = k or found.shape[1]
    if isinstance(truth, np.ndarray):
        truth = [set(t[t >= 0].tolist()) for t in truth[:, :k]]
    hits = total = 0
    for f, t in zip(found[:, :k].tolist(), truth, strict=True):
        hits += min(len(set(f) & t), k)
        total += min(len(t), k)
    return hits / total if total else 1.0


def radius_recall(
    found_ids: Ids, found_dist: npt.NDArray[np.generic], truth: ExactTopK, radius: int
) -> float:
    """For bit strings: of the exact k nearest within ``radius`` bits (a PDQ match), the share
    the search returned (k = the answers' width; any stored string within the radius counts).
    Far neighbours are not matches and do not count."""
    k = found_ids.shape[1]
    hits = total = 0
    for ids, dist, got_ids, got_dist in zip(truth.ids, truth.scores, found_ids, found_dist,
                                            strict=True):  # fmt: skip
        within = set(ids[dist <= radius].tolist())
        wanted = min(len(within), k)
        got = set(got_ids[got_dist <= radius].tolist())
        hits += min(len(got & within), wanted)
        total += wanted
    return hits / total if total else 1.0


@dataclass(frozen=True, slots=True)
class Tuned:
    nprobe: int
    recall: float
    met: bool  # the target was reached within the allowed probes


def without(found: Ids, exclude: Ids | None, k: int) -> Ids:
    """The first ``k`` ids of each row other than that row's ``exclude`` id (-1: none)."""
    if exclude is None:
        return found[:, :k]
    out = np.full((len(found), k), -1, dtype=np.int64)
    for row, (ids, own) in enumerate(zip(found, exclude, strict=True)):
        kept = ids[ids != own][:k]
        out[row, : len(kept)] = kept
    return out


def tune_nprobe(
    index: ChannelIndex,
    queries: F32,
    truth: Truth,
    target: float,
    most: int,
    exclude: Ids | None = None,
    k: int = 10,
    start: int = 1,
) -> Tuned:
    """The smallest nprobe of ``start``, then steps of 1.5x (up to ``most``), whose recall@k
    reaches ``target``; the index is left set to it (or to ``most`` when none does). A query
    whose ``exclude`` id is not -1 is a stored vector asked about itself: that id is left out
    of both the answer and ``truth`` (leave-one-out)."""

    def measure() -> float:
        return recall_at_k(without(index.search(queries, k + 1).ids, exclude, k), truth)

    return tune_by(index, measure, target, most, start, k)


def tune_by(
    index: ChannelIndex,
    measure: Callable[[], float],
    target: float,
    most: int,
    start: int = 1,
    k: int = 10,
) -> Tuned:
    """``tune_nprobe`` with any recall measure (called after each nprobe is set)."""
    nprobe, recall = max(1, min(start, most)), 0.0
    while True:
        index.set_nprobe(nprobe)
        recall = measure()
        if recall >= target:
            return Tuned(nprobe, recall, True)
        if nprobe >= most:
            log.warning("nprobe %d reaches recall@%d %.3f < %.3f", nprobe, k, recall, target)
            return Tuned(nprobe, recall, False)
        nprobe = min(max(nprobe + 1, round(nprobe * 1.5)), most)


def coarse_start(ranks: Ids, truth_lists: Ids, target: float) -> int:
    """The fewest probes under which ``target`` of the true neighbours lie in a visited list:
    a lower bound of the nprobe the codes will need (they lose a little more), found from the
    centroid ranking alone instead of a search per candidate nprobe. ``ranks``: each query's
    rank of every list; ``truth_lists``: the list of each true neighbour (-1: none)."""
    valid = truth_lists >= 0
    rank_of_truth = np.take_along_axis(ranks, np.where(valid, truth_lists, 0), axis=1)[valid]
    if not len(rank_of_truth):
        return 1
    covered = np.cumsum(np.bincount(rank_of_truth, minlength=ranks.shape[1])) / len(rank_of_truth)
    return int(np.searchsorted(covered, target) + 1)


def flipped(rows: npt.NDArray[Any], rng: np.random.Generator, most: int) -> npt.NDArray[np.uint8]:
    """Bit strings with 0 to ``most`` random bits flipped: re-uploads of stored images."""
    bits = rows.shape[1] * 8
    flips = np.zeros((len(rows), bits), dtype=bool)
    for row, n in enumerate(rng.integers(0, most + 1, len(rows))):
        flips[row, rng.choice(bits, size=n, replace=False)] = True
    out: npt.NDArray[np.uint8] = np.asarray(rows, dtype=np.uint8) ^ np.packbits(flips, axis=1)
    return out


def tuning_queries(
    rows: F32, row_ids: Ids, rng: np.random.Generator, scale: float = 0.05
) -> tuple[F32, Ids]:
    """Queries like the ones the service answers, from the channel's own vectors, and the id
    each must not count: half are stored vectors moved by about ``scale`` (a mirror's edited
    name; its source counts), half are stored vectors asked about themselves with their own id
    left out (a new profile drawn from the bank's real distribution)."""
    half = len(rows) // 2
    noise = rng.standard_normal((half, rows.shape[1])).astype(np.float32)
    copies = rows[:half] + noise * (scale / np.sqrt(rows.shape[1]))
    copies /= np.maximum(np.linalg.norm(copies, axis=1, keepdims=True), 1e-12)
    queries = np.concatenate([copies, rows[half:]]).astype(np.float32)
    exclude = np.concatenate([np.full(half, -1, dtype=np.int64), row_ids[half:]])
    return queries, exclude
