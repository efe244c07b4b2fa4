"""Build the avatar channel's bundled data in ``service/data`` from real npm images.

1. ``avatar_whitening.npz``: the PCA whitening of EfficientNet-Lite0 GeM descriptors, fit on the
   *fit partition* of the logos and emoji (a fixed quarter, chosen by a stable hash of the name);
   the benchmark never uses that partition, so the whitening is not fit on what it is judged on.
2. ``avatar_common.npz``: the reference population of shared avatars (every country flag, the
   platforms' default silhouettes, emoji popular as avatars): PDQ hash, quality and embedding of
   each, with its kind, so that matching one of them weighs little.

Only these derived arrays are committed (float16 vectors, 32-byte hashes), never the images.

    PYTHONPATH=. OMP_NUM_THREADS=1 nice python benchmarks/avatar_reference.py
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service.features.image import EfficientNetLite0Encoder, Whitening  # noqa: E402
from service.features.pdq import codes, pdq_dihedral  # noqa: E402
from service.training import avatar_sources as data  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "service" / "data"
WHITEN_DIM = 256


def in_fit_partition(name: str) -> bool:
    """The quarter of logos/emoji reserved for fitting; the benchmark leaves it out."""
    return hashlib.blake2b(name.encode(), digest_size=2).digest()[0] % 4 == 0


def shared_population() -> list[data.Source]:
    return data.flags() + data.default_avatars() + data.emoji(data.POPULAR_EMOJI)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    enc = EfficientNetLite0Encoder(
        cache_dir=data.CACHE / "onnx",
        fine=False,
        whitening=Whitening(np.zeros(1280, np.float32), np.eye(1280, dtype=np.float32)),
    )
    enc.load()
    shared = {s.name for s in shared_population()}
    fit = [
        s
        for s in data.logos() + data.emoji()
        if in_fit_partition(s.name)
        and s.name not in shared
        and s.name.removeprefix("emoji:") not in data.SILHOUETTE_EMOJI
    ]
    t = time.time()
    pooled = enc.pooled([s.image for s in fit])
    white = Whitening.fit(pooled, WHITEN_DIM)
    white.save(OUT / "avatar_whitening.npz")
    print(f"whitening: {len(fit)} images -> {WHITEN_DIM} dims in {time.time() - t:.0f} s")

    enc = EfficientNetLite0Encoder(
        cache_dir=data.CACHE / "onnx",
        fine=False,
        whitening=Whitening.load(OUT / "avatar_whitening.npz"),
    )
    enc.load()
    pop = shared_population()
    hashes = [pdq_dihedral(s.image) for s in pop]
    vectors = enc.encode([s.image for s in pop])
    np.savez_compressed(
        OUT / "avatar_common.npz",
        names=np.array([s.name for s in pop]),
        kinds=np.array([s.kind for s in pop]),
        pdq=codes([h[0][0] for h in hashes]),
        quality=np.array([h[1] for h in hashes], np.int16),
        embedding=vectors.astype(np.float16),
    )
    counts = ", ".join(f"{k} {sum(s.kind == k for s in pop)}" for k in ("flag", "default", "emoji"))
    print(f"shared-avatar population: {len(pop)} images ({counts})")


if __name__ == "__main__":
    main()
