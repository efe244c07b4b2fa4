"""A persistent cache of encoder outputs for training runs.

Collecting a training set's pair features runs the text and image encoders over every bank
account and candidate (most of the ~45 min a retrain takes here). When only comparison or
scoring code changed, those vectors are the same: this cache keeps them on disk, keyed by the
encoder's name, the runtime that ran it (torch, ONNX) and a hash of its exact input (the text,
or the decoded pixels), so a re-collection pays only for what changed. Offline use only; the
service never reads it."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from service.domain import Vector


class _Table:
    """``key -> float32 rows`` in one SQLite file (vectors as raw bytes with their shape)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS v (k TEXT PRIMARY KEY, rows INT, dim INT, data BLOB)"
        )
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for k, rows, dim, data in self._db.execute(
                    f"SELECT k, rows, dim, data FROM v WHERE k IN ({marks})", chunk
                ):
                    out[k] = np.frombuffer(data, np.float32).reshape(rows, dim)
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO v VALUES (?, ?, ?, ?)",
                [
                    (k, a.shape[0], a.shape[1], np.ascontiguousarray(a, np.float32).tobytes())
                    for k, a in items.items()
                ],
            )
            self._db.commit()


def _cached(
    table: _Table, keys: list[str], compute: Callable[[list[int]], list[np.ndarray]]
) -> list[np.ndarray]:
    found = table.get_many(keys)
    missing = [i for i, k in enumerate(keys) if k not in found]
    if missing:
        fresh = compute(missing)
        table.put_many({keys[i]: a for i, a in zip(missing, fresh, strict=True)})
        found.update({keys[i]: a for i, a in zip(missing, fresh, strict=True)})
    return [found[k] for k in keys]


class CachedTextEncoder:
    """A ``TextEncoder`` that remembers its vectors on disk."""

    def __init__(self, inner: object, folder: Path) -> None:
        self.inner = inner
        self.name: str = inner.name  # type: ignore[attr-defined]
        self._folder = folder
        self._table: _Table | None = None
        self.dim: int = int(getattr(inner, "dim", 0))

    def load(self) -> None:
        self.inner.load()  # type: ignore[attr-defined]
        self.dim = int(self.inner.dim)  # type: ignore[attr-defined]
        name = f"text-{_slug(self.name)}-{runtime(self.inner)}.sqlite3"
        self._table = _Table(self._folder / name)

    def encode(self, texts: Sequence[str]) -> Vector:
        keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]

        def compute(idx: list[int]) -> list[np.ndarray]:
            vecs = self.inner.encode([texts[i] for i in idx])  # type: ignore[attr-defined]
            return [np.asarray(v, np.float32)[None, :] for v in vecs]

        rows = _cached(_loaded(self._table), keys, compute)
        if not rows:
            return np.zeros((0, self.dim), np.float32)
        return np.concatenate(rows).astype(np.float32)


class CachedImageEncoder:
    """An ``ImageEncoder`` that remembers its vectors (and query views) on disk."""

    def __init__(self, inner: object, folder: Path) -> None:
        self.inner = inner
        self.name: str = inner.name  # type: ignore[attr-defined]
        self._folder = folder
        self._table: _Table | None = None

    @property
    def dim(self) -> int:
        return int(self.inner.dim)  # type: ignore[attr-defined]

    def load(self) -> None:
        self.inner.load()  # type: ignore[attr-defined]
        name = f"image-{_slug(self.name)}-{runtime(self.inner)}.sqlite3"
        self._table = _Table(self._folder / name)

    def encode(self, images: Sequence[Image.Image]) -> Vector:
        keys = ["e:" + _pixels(img) for img in images]

        def compute(idx: list[int]) -> list[np.ndarray]:
            vecs = self.inner.encode([images[i] for i in idx])  # type: ignore[attr-defined]
            return [np.asarray(v, np.float32)[None, :] for v in vecs]

        rows = _cached(_loaded(self._table), keys, compute)
        if not rows:
            return np.zeros((0, self.dim), np.float32)
        return np.concatenate(rows).astype(np.float32)

    def encode_views(self, images: Sequence[Image.Image]) -> list[Vector]:
        keys = ["v:" + _pixels(img) for img in images]

        def compute(idx: list[int]) -> list[np.ndarray]:
            views = self.inner.encode_views([images[i] for i in idx])  # type: ignore[attr-defined]
            return [np.asarray(v, np.float32) for v in views]

        table = _loaded(self._table)
        return [np.asarray(v, np.float32) for v in _cached(table, keys, compute)]


def runtime(encoder: object) -> str:
    """What runs the encoder's network (vectors of one model differ slightly between runtimes,
    and a cache filled by one must not stand in for another): the image encoder's ``backend``
    once loaded, else the class of the (innermost) text encoder."""
    backend = getattr(encoder, "backend", None)
    if isinstance(backend, str):
        return backend
    inner = getattr(encoder, "inner", None)
    return runtime(inner) if inner is not None else type(encoder).__name__


def _loaded(table: _Table | None) -> _Table:
    if table is None:
        raise RuntimeError("load() the cached encoder before encoding")
    return table


def _pixels(img: Image.Image) -> str:
    digest = hashlib.sha256(f"{img.mode}{img.size}".encode())
    digest.update(img.tobytes())
    return digest.hexdigest()


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
