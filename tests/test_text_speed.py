"""Cheaper text encoding: the LRU cache, length-grouped batches, and the ONNX Runtime model
against the torch model it replaces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.features.onnx_text import length_groups
from service.features.text import (
    CachedTextEncoder,
    FakeTextEncoder,
    SentenceTransformerEncoder,
    text_encoder,
)
from tests.helpers.texts import TEXTS


class CountingEncoder(FakeTextEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.encoded: list[str] = []

    def encode(self, texts):  # type: ignore[no-untyped-def]
        self.encoded.extend(texts)
        return super().encode(texts)


def test_cache_returns_the_same_vectors_and_encodes_each_text_once() -> None:
    inner = CountingEncoder()
    cached = CachedTextEncoder(inner, size=3)
    first = cached.encode(["Umar Media", "TTP", "Umar Media"])
    np.testing.assert_array_equal(
        first, FakeTextEncoder().encode(["Umar Media", "TTP", "Umar Media"])
    )
    again = cached.encode(["TTP", "Umar Media"])
    np.testing.assert_array_equal(again, first[:2][::-1])
    assert inner.encoded == ["Umar Media", "TTP"]  # duplicates and repeats never re-encoded
    assert (cached.hits, cached.misses) == (2, 2)
    again[0] += 1.0  # callers get copies: the cached vector is untouched
    np.testing.assert_array_equal(cached.encode(["TTP"])[0], first[1])


def test_cache_evicts_the_least_recently_used() -> None:
    inner = CountingEncoder()
    cached = CachedTextEncoder(inner, size=2)
    cached.encode(["a1", "b2"])
    cached.encode(["a1"])  # a1 is now the most recent
    cached.encode(["c3"])  # evicts b2
    cached.encode(["a1", "b2"])
    assert inner.encoded == ["a1", "b2", "c3", "b2"]


def test_the_factory_wraps_the_encoder_in_the_cache(tmp_path: Path) -> None:
    enc = text_encoder("e5-small", tmp_path, None, fake=True, cache_size=10)
    assert isinstance(enc, CachedTextEncoder) and enc.name == FakeTextEncoder().name
    assert isinstance(text_encoder("e5-small", tmp_path, None, True), FakeTextEncoder)


@given(st.lists(st.integers(min_value=1, max_value=600), max_size=200), st.integers(1, 40))
def test_length_groups_cover_every_text_once_in_bounded_batches(
    lengths: list[int], batch: int
) -> None:
    groups = length_groups(lengths, batch)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    for g in groups:
        sizes = [lengths[i] for i in g]
        assert len(g) <= batch
        assert max(sizes) <= 2 * min(sizes) + 8


@pytest.mark.slow
def test_onnx_fp32_gives_the_torch_vectors(tmp_path_factory: pytest.TempPathFactory) -> None:
    model_dir = tmp_path_factory.mktemp("models")
    torch_enc = SentenceTransformerEncoder("e5-small", model_dir)
    onnx_enc = text_encoder("e5-small", model_dir, None, fake=False, runtime="onnx")
    texts = [*TEXTS, "", "Umar Media", "بیانات اور ویڈیوز"]
    ours, theirs = onnx_enc.encode(texts), torch_enc.encode(texts)
    assert onnx_enc.name == torch_enc.name and onnx_enc.dim == 384
    assert not ours[6].any()  # empty text: zero row, as torch
    kept = [i for i, t in enumerate(texts) if t.strip()]
    cosines = (ours[kept] * theirs[kept]).sum(axis=1)
    assert cosines.min() > 0.9999, cosines
    # batching by length changes nothing: one text alone gives the same vector
    np.testing.assert_allclose(onnx_enc.encode([texts[3]])[0], ours[3], atol=1e-5)
