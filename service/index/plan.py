"""Which FAISS index a channel gets, from its spec (kind, dimension) and its size.

Measured on this 2-core machine, one thread (``mirrorscan bench``; PERFORMANCE.md):

- an exact float scan costs about one pass over the vectors in memory (IndexFlatIP over 1M x 384
  floats: ~58 ms per query). Exact search is perfect and needs no training, so a channel stays
  exact while its vectors fit in ``exact_max_mb`` (a scan of a few ms);
- above that, an inverted file (IVF) with ``nlist ~ sqrt(count)`` lists, rounded to a power of
  two, scans a few lists per query (< 1 ms at 1M). Its codes are, in order of preference,
  8-bit scalar quantised (1 byte a dimension), fp16 (2 bytes) or raw (4 bytes): the first family
  whose recall@10 reaches the target at an affordable ``nprobe`` on the channel's own vectors is
  kept (``service/index/fit.py`` measures it when it trains);
- binary (PDQ) channels are exact up to ``binary_exact_max`` hashes: IndexBinaryFlat answers
  one 1M-hash query in ~1.6 ms, but a request searches all 8 dihedral hashes of its avatar
  (13-14 ms at 1M). Above it, a binary inverted file (~2.5 ms at 1M) tuned on the recall of
  matches within the PDQ match radius; multi-hash indexes cannot remove.

A new channel gets its index from its (kind, dim) with no code change."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from service.config import IndexSettings

Family = Literal["flat", "ivf_sq8", "ivf_fp16", "ivf_flat", "binary_flat", "binary_ivf"]
IVF_FAMILIES: tuple[Family, ...] = ("ivf_sq8", "ivf_fp16", "ivf_flat")
BYTES_PER_DIM: dict[str, float] = {"flat": 4, "ivf_sq8": 1, "ivf_fp16": 2, "ivf_flat": 4}


@dataclass(frozen=True, slots=True)
class IndexPolicy:
    """The knobs of the choice (``IndexPolicy.of(settings.index)`` builds one)."""

    exact_max_mb: float = 32.0  # an exact float channel up to this many MB of vectors
    families: tuple[Family, ...] = ("ivf_sq8", "ivf_fp16")  # tried in order when training
    target_recall: float = 0.98  # recall@10 against exact search, on the channel's own vectors
    tune_margin: float = 0.005  # the tuning set is a sample: aim this much above the target
    tune_queries: int = 300
    scan_factor: float = 1.0  # probes may scan this many times ``exact_max_mb`` of codes
    train_points_per_list: int = 50
    min_lists: int = 64
    retrain_factor: int = 4  # retrain when the right nlist has moved this many times away
    binary_exact_max: int = 250_000  # hashes; 8 queries a request over 250k: ~3 ms
    binary_radius: int = 31  # PDQ's match threshold: recall counts neighbours within it

    @classmethod
    def of(cls, settings: IndexSettings) -> IndexPolicy:
        return cls(
            exact_max_mb=settings.exact_max_mb,
            families=settings.families,
            target_recall=settings.target_recall,
        )


@dataclass(frozen=True, slots=True)
class IndexPlan:
    """What a channel's index is: its family, IVF lists and probes, and, once measured, the
    recall@10 its nprobe reached on the tuning set (None for exact families)."""

    family: Family
    nlist: int = 0
    nprobe: int = 0
    recall: float | None = None
    trained_on: int = 0  # how many vectors the channel held when it was trained

    @property
    def exact(self) -> bool:
        return self.family in ("flat", "binary_flat")

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IndexPlan:
        return cls(**{k: data[k] for k in ("family", "nlist", "nprobe", "recall", "trained_on")})


def exact_limit(dim: int, policy: IndexPolicy) -> int:
    """The largest vector count a float channel of ``dim`` dimensions keeps exact."""
    return int(policy.exact_max_mb * 1e6 // (dim * BYTES_PER_DIM["flat"]))


def nlist_for(count: int, policy: IndexPolicy) -> int:
    """About sqrt(count) lists, a power of two, never fewer than ``min_lists`` nor more than
    the training sample supports."""
    target = 2 ** round(math.log2(max(math.sqrt(max(count, 1)), 1)))
    most = max(policy.min_lists, count // policy.train_points_per_list)
    return int(min(max(target, policy.min_lists), most))


def max_nprobe(nlist: int, count: int, dim: int, family: Family, policy: IndexPolicy) -> int:
    """The most lists a search may visit: an inverted file never scans more codes per query
    than the exact index scans at the size where the channel stops being exact (so its
    latency stays under that of the largest exact channel)."""
    per_list = max(count / max(nlist, 1), 1.0)
    if family == "binary_ivf":
        most = policy.binary_exact_max * policy.scan_factor // per_list
    else:
        budget = policy.exact_max_mb * 1e6 * policy.scan_factor
        most = budget // (per_list * dim * BYTES_PER_DIM[family])
    return int(min(max(most, 1), nlist))


def wanted_kind(kind: str, dim: int, count: int, current: IndexPlan, policy: IndexPolicy) -> str:
    """``exact`` or ``ivf`` for this size, with hysteresis so a bank that hovers around the limit
    does not retrain back and forth: an IVF channel goes back to exact below half the limit."""
    limit = policy.binary_exact_max if kind == "binary" else exact_limit(dim, policy)
    if current.exact:
        return "ivf" if count > limit else "exact"
    return "exact" if count < limit // 2 else "ivf"


def needs_refit(kind: str, dim: int, count: int, current: IndexPlan, policy: IndexPolicy) -> bool:
    """True when the channel's size calls for another index than the one it has."""
    want = wanted_kind(kind, dim, count, current, policy)
    if want == "exact":
        return not current.exact
    if current.exact:
        return True
    right = nlist_for(count, policy)
    factor = policy.retrain_factor
    return right >= current.nlist * factor or right * factor <= current.nlist
