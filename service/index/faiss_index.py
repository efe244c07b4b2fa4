"""FAISS indexes over integer ids (the store's row ids). FAISS never sees account ids.

A readers-writer lock guards each index: FAISS is safe for concurrent searches but not for a search
during an add or a removal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import faiss
import numpy as np
import numpy.typing as npt

from service.index.plan import Family, IndexPlan
from service.locks import RWLock

Kind = Literal["float", "binary"]
Ids = npt.NDArray[np.int64]
_SQ_TYPES: dict[Family, str] = {"ivf_sq8": "QT_8bit", "ivf_fp16": "QT_fp16"}


def configure_faiss(threads: int = 1) -> None:
    """One OpenMP thread per worker; batched searches use BLAS from small sizes on."""
    faiss.omp_set_num_threads(threads)
    faiss.cvar.distance_compute_blas_threshold = 1000


@dataclass(frozen=True, slots=True)
class Hits:
    """Per query: ids (-1 = none) and scores (cosine for float, Hamming bits for binary)."""

    ids: Ids
    scores: npt.NDArray[np.float32]


class ChannelIndex:
    """One channel's index. ``float``: inner product over L2-normalised vectors (= cosine).
    ``binary``: Hamming distance over bit strings of ``dim`` bits.

    Exact channels are an ID map over a flat index; large channels are an inverted file
    (``service/index/plan.py``; float codes or raw bit strings) that holds the ids itself, with
    a hash-table direct map so that removals and reconstructions by id cost O(1) instead of a
    scan of every list. Both accept upserts and removals online."""

    def __init__(
        self, kind: Kind, dim: int, index: Any | None = None, plan: IndexPlan | None = None
    ) -> None:
        self.kind = kind
        self.dim = dim
        self.lock = RWLock()
        self._index = index if index is not None else self._empty()
        self._plan = plan or self._plan_of(self._index)

    def _empty(self) -> Any:
        if self.kind == "binary":
            return faiss.IndexBinaryIDMap2(faiss.IndexBinaryFlat(self.dim))
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    @classmethod
    def ivf(
        cls,
        dim: int,
        family: Family,
        nlist: int,
        sample: npt.NDArray[Any],
        like: ChannelIndex | None = None,
    ) -> ChannelIndex:
        """An empty inverted file of ``family`` trained (k-means, then the scalar quantiser) on
        ``sample``, the channel's own vectors. ``like``: reuse that inverted file's trained
        lists (same vectors, another code family) instead of running k-means again."""
        if like is not None:
            quantizer = faiss.clone_index(faiss.extract_index_ivf(like._index).quantizer)
        else:
            quantizer = faiss.IndexFlatIP(dim)
        index: Any
        if family == "ivf_flat":
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        elif family in _SQ_TYPES:
            qtype = getattr(faiss.ScalarQuantizer, _SQ_TYPES[family])
            index = faiss.IndexIVFScalarQuantizer(
                quantizer, dim, nlist, qtype, faiss.METRIC_INNER_PRODUCT
            )
        else:
            raise ValueError(f"{family} is not an inverted-file family")
        quantizer.this.disown()  # type: ignore[attr-defined]  # the inverted file frees it
        index.own_fields = True
        index.cp.seed = 1234
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        index.nprobe = 1
        return cls("float", dim, index, IndexPlan(family, nlist=nlist, nprobe=1))

    @classmethod
    def binary_ivf(cls, dim: int, nlist: int, sample: npt.NDArray[Any]) -> ChannelIndex:
        """An empty inverted file over ``dim``-bit strings, its lists trained (binary k-means)
        on ``sample``, the channel's own hashes."""
        quantizer = faiss.IndexBinaryFlat(dim)
        index = faiss.IndexBinaryIVF(quantizer, dim, nlist)
        quantizer.this.disown()  # type: ignore[attr-defined]  # the inverted file frees it
        index.own_fields = True
        index.cp.seed = 1234
        index.train(np.ascontiguousarray(sample, dtype=np.uint8))
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        index.nprobe = 1
        return cls("binary", dim, index, IndexPlan("binary_ivf", nlist=nlist, nprobe=1))

    def assign(self, vectors: npt.NDArray[Any]) -> Ids:
        """The inverted list each vector falls in (inverted files only)."""
        quantizer = faiss.extract_index_ivf(self._index).quantizer
        _, lists = quantizer.search(self._check(vectors), 1)
        return np.ascontiguousarray(lists[:, 0], dtype=np.int64)

    def list_ranks(self, queries: npt.NDArray[Any]) -> Ids:
        """For each query, the rank (0 = nearest centroid) of every inverted list."""
        ivf = faiss.extract_index_ivf(self._index)
        _, order = ivf.quantizer.search(self._check(queries), int(ivf.nlist))
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.arange(order.shape[1])[None, :], axis=1)
        return ranks

    def add_assigned(self, ids: Ids, vectors: npt.NDArray[Any], lists: Ids) -> None:
        """Add new ids whose lists ``assign`` already computed (a build that tries several code
        families assigns each vector once). The ids must not be in the index yet."""
        arr = self._check(vectors)
        id_arr = np.ascontiguousarray(ids, dtype=np.int64)
        list_arr = np.ascontiguousarray(lists, dtype=np.int64)
        with self.lock.write():
            self._index.add_core(
                len(arr), faiss.swig_ptr(arr), faiss.swig_ptr(id_arr), faiss.swig_ptr(list_arr)
            )

    @staticmethod
    def _plan_of(index: Any) -> IndexPlan:
        """The plan of an index read from disk or built here (recall unknown)."""
        if isinstance(index, faiss.IndexBinary):
            binary = faiss.downcast_IndexBinary(index)
            if isinstance(binary, faiss.IndexBinaryIVF):
                return IndexPlan("binary_ivf", nlist=int(binary.nlist), nprobe=int(binary.nprobe))
            return IndexPlan("binary_flat")
        inner = faiss.downcast_index(index)
        if isinstance(inner, faiss.IndexIVFFlat):
            return IndexPlan("ivf_flat", nlist=int(inner.nlist), nprobe=int(inner.nprobe))
        if isinstance(inner, faiss.IndexIVFScalarQuantizer):
            qtypes: dict[int, Family] = {
                getattr(faiss.ScalarQuantizer, q): f for f, q in _SQ_TYPES.items()
            }
            family = qtypes.get(int(inner.sq.qtype))
            if family is None:
                raise ValueError(f"unsupported scalar quantiser type {inner.sq.qtype}")
            return IndexPlan(family, nlist=int(inner.nlist), nprobe=int(inner.nprobe))
        return IndexPlan("flat")

    @property
    def plan(self) -> IndexPlan:
        return self._plan

    @plan.setter
    def plan(self, plan: IndexPlan) -> None:
        """Record a measured plan (the tuner's nprobe and recall); applies its nprobe."""
        if plan.family != self._plan.family or plan.nlist != self._plan.nlist:
            raise ValueError(f"plan {plan} does not describe this {self._plan.family} index")
        with self.lock.write():
            if not plan.exact:
                self._index.nprobe = plan.nprobe
            self._plan = plan

    def set_nprobe(self, nprobe: int) -> None:
        """How many inverted lists a search visits (inverted files only)."""
        if self._plan.exact:
            raise ValueError("an exact index has no nprobe")
        nprobe = max(1, min(int(nprobe), self._plan.nlist))
        with self.lock.write():
            self._index.nprobe = nprobe
            self._plan = replace(self._plan, nprobe=nprobe)

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    @property
    def index_type(self) -> str:
        downcast = faiss.downcast_IndexBinary if self.kind == "binary" else faiss.downcast_index
        inner = self._index.index if self._plan.exact else self._index
        return type(downcast(inner)).__name__

    @property
    def nbytes(self) -> int:
        """Approximate memory of the stored codes and ids (not the Python objects)."""
        n = self.ntotal
        if self._plan.exact:
            return n * ((self.dim // 8 if self.kind == "binary" else self.dim * 4) + 16)
        if self.kind == "binary":
            return n * (self.dim // 8 + 8 + 16) + self._plan.nlist * self.dim // 8
        ivf = faiss.extract_index_ivf(self._index)
        return n * (int(ivf.code_size) + 8 + 16) + int(ivf.nlist) * self.dim * 4

    def _check(self, vectors: npt.NDArray[Any]) -> npt.NDArray[Any]:
        if self.kind == "binary":
            arr = np.ascontiguousarray(vectors, dtype=np.uint8)
            width = self.dim // 8
        else:
            arr = np.ascontiguousarray(vectors, dtype=np.float32)
            width = self.dim
        if arr.ndim != 2 or arr.shape[1] != width:
            raise ValueError(f"expected (n, {width}) vectors, got {arr.shape}")
        return arr

    def upsert(self, ids: Ids, vectors: npt.NDArray[Any]) -> None:
        """Replace the vectors of these ids (an id holds at most one vector)."""
        arr = self._check(vectors)
        id_arr = np.ascontiguousarray(ids, dtype=np.int64)
        with self.lock.write():
            self._remove(id_arr)
            if len(id_arr):
                self._index.add_with_ids(arr, id_arr)

    def remove(self, ids: Ids) -> None:
        with self.lock.write():
            self._remove(np.ascontiguousarray(ids, dtype=np.int64))

    def _remove(self, ids: Ids) -> None:
        if self._plan.exact:
            self._index.remove_ids(ids)
        elif len(ids):  # a hash-table direct map removes only an explicit array of ids
            self._index.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids)))

    def search(self, queries: npt.NDArray[Any], k: int) -> Hits:
        arr = self._check(queries)
        with self.lock.read():
            k = max(1, min(k, max(self.ntotal, 1)))
            scores, ids = self._index.search(arr, k)
        return Hits(ids=ids.astype(np.int64), scores=scores.astype(np.float32))

    def ids(self) -> Ids:
        """Every id in the index (for consistency checks against the store)."""
        with self.lock.read():
            if self._plan.exact:
                return np.asarray(faiss.vector_to_array(self._index.id_map), dtype=np.int64)
            lists = self._index.invlists
            parts = [
                faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
                for i in range(lists.nlist)
                if lists.list_size(i)
            ]
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)

    def export(self, chunk: int = 65_536) -> Iterator[tuple[Ids, npt.NDArray[Any]]]:
        """Every (id, vector) in chunks: exact for flat indexes, fp16 codes and bit strings;
        8-bit codes give their decoded value. Used to retrain at another size."""
        all_ids = self.ids()
        for start in range(0, len(all_ids), chunk):
            ids = all_ids[start : start + chunk]
            with self.lock.read():
                vectors = self._reconstruct(ids, start)
            yield ids, vectors

    def _reconstruct(self, ids: Ids, start: int) -> npt.NDArray[Any]:
        if self.kind == "binary":
            if self._plan.exact:  # IDMap2 over a flat index: ids() is in storage order
                codes: npt.NDArray[Any] = self._index.index.reconstruct_n(start, len(ids))
                return codes
            return np.stack([self._index.reconstruct(int(i)) for i in ids])
        if self._plan.exact:
            rows: npt.NDArray[np.float32] = self._index.index.reconstruct_n(start, len(ids))
            return rows
        rebuilt: npt.NDArray[np.float32] = self._index.reconstruct_batch(ids)
        return rebuilt

    def write(self, path: Path) -> None:
        with self.lock.read():
            if self.kind == "binary":
                faiss.write_index_binary(self._index, str(path))
            else:
                faiss.write_index(self._index, str(path))

    @classmethod
    def read(cls, kind: Kind, dim: int, path: Path, plan: IndexPlan | None = None) -> ChannelIndex:
        """Read an index written by ``write``; ``plan`` (from the manifest) restores the
        measured recall and is checked against what the file holds."""
        reader = faiss.read_index_binary if kind == "binary" else faiss.read_index
        index = reader(str(path))
        if int(index.d) != dim:
            raise ValueError(f"{path}: dimension {index.d}, expected {dim}")
        out = cls(kind, dim, index)
        if plan is not None:
            out.plan = plan
        return out
