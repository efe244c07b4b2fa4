"""FAISS channel indexes against a brute-force oracle on seeded data, and their snapshots."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from service.errors import IndexCorrupt
from service.index.faiss_index import ChannelIndex
from service.index.snapshot import ChannelSpec, IndexSet
from service.locks import RWLock


def _unit(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_float_index_returns_the_brute_force_top_k() -> None:
    rng = np.random.default_rng(7)
    base, queries = _unit(rng, 2000, 64), _unit(rng, 50, 64)
    ids = rng.choice(10**9, size=2000, replace=False).astype(np.int64)
    index = ChannelIndex("float", 64)
    index.upsert(ids, base)
    hits = index.search(queries, 10)
    oracle = np.argsort(-(queries @ base.T), axis=1)[:, :10]
    assert (hits.ids == ids[oracle]).all()
    np.testing.assert_allclose(
        hits.scores, np.take_along_axis(queries @ base.T, oracle, 1), atol=1e-5
    )


def test_binary_index_returns_the_brute_force_hamming_top_k() -> None:
    rng = np.random.default_rng(11)
    base = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    queries = base[:20] ^ rng.integers(0, 2, (20, 32), dtype=np.uint8)  # near copies
    ids = np.arange(100, 3100, dtype=np.int64)
    index = ChannelIndex("binary", 256)
    index.upsert(ids, base)
    hits = index.search(queries, 5)
    dist = np.unpackbits(queries[:, None, :] ^ base[None, :, :], axis=2).sum(axis=2)
    for q in range(20):
        expected = np.sort(dist[q])[:5]
        assert list(hits.scores[q].astype(int)) == list(expected)
        assert hits.ids[q][0] == ids[q]


def test_upsert_replaces_and_remove_forgets() -> None:
    index = ChannelIndex("float", 4)
    a, b = np.eye(4, dtype=np.float32)[:2]
    index.upsert(np.array([5]), a[None])
    index.upsert(np.array([5]), b[None])  # replaces, does not duplicate
    assert index.ntotal == 1
    assert index.search(b[None], 1).ids[0][0] == 5
    index.remove(np.array([5]))
    assert index.ntotal == 0


def test_wrong_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="expected"):
        ChannelIndex("float", 8).upsert(np.array([1]), np.zeros((1, 4), dtype=np.float32))


def _specs() -> dict[str, ChannelSpec]:
    return {
        "name": ChannelSpec("name", "float", 16, "model-a"),
        "pdq": ChannelSpec("pdq", "binary", 256, "pdq"),
    }


def test_snapshot_round_trip_and_manifest(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    s = IndexSet(_specs(), store_seq=42)
    s.channels["name"].upsert(np.arange(10), _unit(rng, 10, 16))
    s.channels["pdq"].upsert(np.arange(4), rng.integers(0, 256, (4, 32), dtype=np.uint8))
    folder = s.write_snapshot(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["store_seq"] == 42
    assert manifest["channels"]["name"]["count"] == 10
    assert manifest["channels"]["name"]["model"] == "model-a"
    loaded = IndexSet.load_current(tmp_path, _specs())
    assert loaded is not None
    assert loaded.counts() == {"name": 10, "pdq": 4}
    assert loaded.store_seq == 42


def test_snapshot_of_another_model_is_not_loaded(tmp_path: Path) -> None:
    IndexSet(_specs()).write_snapshot(tmp_path)
    other = {**_specs(), "name": ChannelSpec("name", "float", 16, "model-b")}
    assert IndexSet.load_current(tmp_path, other) is None


def test_tampered_snapshot_raises(tmp_path: Path) -> None:
    s = IndexSet(_specs())
    s.channels["name"].upsert(np.arange(3), _unit(np.random.default_rng(1), 3, 16))
    folder = s.write_snapshot(tmp_path)
    with (folder / "name.faiss").open("ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(IndexCorrupt, match="checksum"):
        IndexSet.load_current(tmp_path, _specs())


def test_old_snapshots_are_cleaned_up(tmp_path: Path) -> None:
    s = IndexSet(_specs())
    for seq in range(4):
        s.store_seq = seq
        s.write_snapshot(tmp_path)
    kept = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(kept) == 2
    assert (tmp_path / "CURRENT").read_text().endswith("-s3")


def test_rwlock_writer_excludes_readers() -> None:
    lock = RWLock()
    events: list[str] = []
    with lock.read():
        t = threading.Thread(target=lambda: _write(lock, events))
        t.start()
        t.join(0.1)
        assert events == []  # the writer waits for the reader
    t.join(2)
    assert events == ["wrote"]


def _write(lock: RWLock, events: list[str]) -> None:
    with lock.write():
        events.append("wrote")
