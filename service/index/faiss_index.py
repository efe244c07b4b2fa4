"""FAISS indexes over integer ids (the store's row ids). FAISS never sees account ids.

A readers-writer lock guards each index: FAISS is safe for concurrent searches but not for a search
during an add or a removal."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import faiss
import numpy as np
import numpy.typing as npt

Kind = Literal["float", "binary"]
Ids = npt.NDArray[np.int64]


def configure_faiss(threads: int = 1) -> None:
    """One OpenMP thread per worker; batched searches use BLAS from small sizes on."""
    faiss.omp_set_num_threads(threads)
    faiss.cvar.distance_compute_blas_threshold = 1000


class RWLock:
    """Many readers or one writer; writers wait for readers to drain, new readers wait for a
    waiting writer (no writer starvation)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


@dataclass(frozen=True, slots=True)
class Hits:
    """Per query: ids (-1 = none) and scores (cosine for float, Hamming bits for binary)."""

    ids: Ids
    scores: npt.NDArray[np.float32]


class ChannelIndex:
    """One channel's index. ``float``: inner product over L2-normalised vectors (= cosine).
    ``binary``: Hamming distance over bit strings of ``dim`` bits."""

    def __init__(self, kind: Kind, dim: int, index: Any | None = None) -> None:
        self.kind = kind
        self.dim = dim
        self.lock = RWLock()
        self._index = index if index is not None else self._empty()

    def _empty(self) -> Any:
        if self.kind == "binary":
            return faiss.IndexBinaryIDMap2(faiss.IndexBinaryFlat(self.dim))
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    @property
    def index_type(self) -> str:
        downcast = faiss.downcast_IndexBinary if self.kind == "binary" else faiss.downcast_index
        return type(downcast(self._index.index)).__name__

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
            self._index.remove_ids(id_arr)
            if len(id_arr):
                self._index.add_with_ids(arr, id_arr)

    def remove(self, ids: Ids) -> None:
        with self.lock.write():
            self._index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64))

    def search(self, queries: npt.NDArray[Any], k: int) -> Hits:
        arr = self._check(queries)
        with self.lock.read():
            k = max(1, min(k, max(self.ntotal, 1)))
            scores, ids = self._index.search(arr, k)
        return Hits(ids=ids.astype(np.int64), scores=scores.astype(np.float32))

    def ids(self) -> Ids:
        """Every id in the index (for consistency checks against the store)."""
        with self.lock.read():
            id_map = faiss.vector_to_array(self._index.id_map)
        return np.asarray(id_map, dtype=np.int64)

    def write(self, path: Path) -> None:
        with self.lock.read():
            if self.kind == "binary":
                faiss.write_index_binary(self._index, str(path))
            else:
                faiss.write_index(self._index, str(path))

    @classmethod
    def read(cls, kind: Kind, dim: int, path: Path) -> ChannelIndex:
        reader = faiss.read_index_binary if kind == "binary" else faiss.read_index
        index = reader(str(path))
        if int(index.d) != dim:
            raise ValueError(f"{path}: dimension {index.d}, expected {dim}")
        return cls(kind, dim, index)
