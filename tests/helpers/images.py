"""Test images."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def png_bytes(seed: int, size: int = 128) -> bytes:
    """A textured image, different for each seed (PDQ needs texture for quality)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)
    img = Image.fromarray(blocks).resize((size, size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
