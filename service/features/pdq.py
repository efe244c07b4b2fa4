"""PDQ, Meta's perceptual hash (the industry's hash-sharing standard), with its 8 dihedral variants.

A hash is 32 bytes in Meta's byte order: the hex string of ``hash_bytes(h).hex()`` is the one the
reference implementations, ThreatExchange and hash-sharing partners print. Matching follows Meta's
recommendation: two hashes match at a Hamming distance of at most ``MATCH_BITS`` (31 of 256), and
hashes of quality below ``MIN_QUALITY`` (flat or featureless images) are not used for matching.

The 8 dihedral variants are the hashes of the image rotated by 0/90/180/270 degrees and flipped;
the index keeps only variant 0 of each banned avatar and a query searches with all 8 of its own, so
a mirrored or rotated re-upload still meets its source. PDQ does not survive crops, borders, masks
or banners: the image embedding covers those.

Canonical size. PDQ's box filter and 64x64 decimation are only mirror-symmetric when the filter
window and the decimation step are both odd; at common avatar sizes they are not, and a mirrored
256 px photo was 24-64 bits from its source's mirror variant (measured on Meta's test photos). For
matching, images are therefore resized to ``CANONICAL_SIDE`` (320: window 3, step 5) first, which
makes every dihedral variant exact (0 bits) and stays within 14 bits of Meta's reference hashes of
the originals (``canonical=False`` hashes the image as given: within 10 bits, for hash sharing).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pdqhash
from PIL import Image

CANONICAL_SIDE = 320
HASH_BYTES = 32
HASH_BITS = 256
MATCH_BITS = 31
MIN_QUALITY = 50

# Order of pdqhash.compute_dihedral, checked against Meta's expected_dih.csv in the tests.
DIHEDRAL_NAMES = (
    "as given",
    "rotated 90°",
    "rotated 180°",
    "rotated 270°",
    "upside-down flip",
    "mirror flip",
    "transposed",
    "anti-transposed",
)

_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def _to_bytes(vector: npt.NDArray[np.generic]) -> bytes:
    # pdqhash gives the 256 bits most significant first, as Meta's hex prints them.
    return np.packbits(np.asarray(vector, dtype=np.uint8)).tobytes()


def _pixels(img: Image.Image, canonical: bool) -> npt.NDArray[np.uint8]:
    rgb = img.convert("RGB")
    if canonical and rgb.size != (CANONICAL_SIDE, CANONICAL_SIDE):
        rgb = rgb.resize((CANONICAL_SIDE, CANONICAL_SIDE), Image.Resampling.LANCZOS)
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))


def pdq_hash(img: Image.Image, *, canonical: bool = False) -> tuple[bytes, int]:
    """The PDQ hash (32 bytes) and its quality (0-100); by default of the image as given, the
    hash partners and Meta's reference implementations compute."""
    vector, quality = pdqhash.compute(_pixels(img, canonical))
    return _to_bytes(vector), int(quality)


def pdq_dihedral(img: Image.Image, *, canonical: bool = True) -> tuple[tuple[bytes, ...], int]:
    """The 8 dihedral PDQ hashes (``[0]`` the image as given, order of ``DIHEDRAL_NAMES``) and
    the quality, computed in one pass; by default at the canonical size, where the variants are
    exact (what ``Avatar.pdq`` holds and matching uses)."""
    vectors, quality = pdqhash.compute_dihedral(_pixels(img, canonical))
    return tuple(_to_bytes(v) for v in vectors), int(quality)


def usable(quality: int) -> bool:
    """Whether a hash of this quality may be used for matching (Meta: discard below 50)."""
    return quality >= MIN_QUALITY


def hamming(a: bytes, b: bytes) -> int:
    """Bits that differ between two 32-byte hashes."""
    if len(a) != HASH_BYTES or len(b) != HASH_BYTES:
        raise ValueError(f"PDQ hashes are {HASH_BYTES} bytes, got {len(a)} and {len(b)}")
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


def best_dihedral(query: Sequence[bytes], cand: bytes) -> tuple[int, int]:
    """Smallest distance from any of the query's dihedral variants to the candidate's hash as
    given, and the index of that variant (0 = as given, 4 = mirror flip ...)."""
    if not query:
        raise ValueError("no query hashes")
    dists = [hamming(q, cand) for q in query]
    best = int(np.argmin(dists))
    return dists[best], best


def to_hex(h: bytes) -> str:
    return h.hex()


def from_hex(text: str) -> bytes:
    """Parse Meta's 64-hex-digit form; raises ``ValueError`` on anything else."""
    raw = bytes.fromhex(text.strip())
    if len(raw) != HASH_BYTES:
        raise ValueError(f"a PDQ hash has 64 hex digits, got {len(text.strip())}")
    return raw


def codes(hashes: Sequence[bytes]) -> npt.NDArray[np.uint8]:
    """Hashes as an ``(n, 32)`` uint8 array: the rows a FAISS binary index
    (``IndexBinaryFlat(256)``) stores and searches, with Hamming distance as its metric."""
    if not hashes:
        return np.zeros((0, HASH_BYTES), dtype=np.uint8)
    arr = np.frombuffer(b"".join(hashes), dtype=np.uint8).reshape(-1, HASH_BYTES)
    if arr.shape[0] != len(hashes):
        raise ValueError("every PDQ hash must be 32 bytes")
    return arr.copy()


def distance_matrix(
    queries: npt.NDArray[np.uint8], bank: npt.NDArray[np.uint8]
) -> npt.NDArray[np.int32]:
    """All pairwise Hamming distances between two code arrays (brute force; the oracle for the
    binary index and the tool of the benchmark)."""
    out = np.empty((queries.shape[0], bank.shape[0]), dtype=np.int32)
    for i in range(queries.shape[0]):
        out[i] = _POPCOUNT[np.bitwise_xor(bank, queries[i])].sum(axis=1, dtype=np.int32)
    return out
