"""PDQ perceptual hashes (Meta's hash-sharing standard) of an image and its 8 dihedral variants."""

from __future__ import annotations

import numpy as np
import pdqhash
from PIL import Image

MATCH_BITS = 31  # PDQ's recommended match threshold
MIN_QUALITY = 50  # hashes of lower quality are not used for matching


def pdq_dihedral(img: Image.Image) -> tuple[tuple[bytes, ...], int]:
    """8 hashes of 32 bytes ([0] the image as given) and the quality (0-100)."""
    arr = np.asarray(img.convert("RGB"), dtype=np.uint8)
    hashes, quality = pdqhash.compute_dihedral(arr)
    packed = tuple(np.packbits(np.asarray(h, dtype=np.uint8)).tobytes() for h in hashes)
    return packed, int(quality)


def hamming(a: bytes, b: bytes) -> int:
    return int(
        np.unpackbits(
            np.frombuffer(bytes(x ^ y for x, y in zip(a, b, strict=True)), dtype=np.uint8)
        ).sum()
    )
