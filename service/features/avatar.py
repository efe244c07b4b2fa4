"""One decoded avatar -> its ``Avatar`` record (PDQ, embedding, thumbnail): the features stage.

A banned account's avatar gets the vector the index stores (``ImageEncoder.encode``); a query's
gets its views (``ImageEncoder.encode_views``), with view 0 as its ``embedding`` (what it searches
the index with). Decoding stays in ``service.normalize.image.decode_image``; this never sees bytes.
"""

from __future__ import annotations

from PIL import Image

from service.domain import Avatar
from service.features.image import ImageEncoder
from service.features.pdq import pdq_dihedral
from service.normalize.image import thumbnail


def banned_avatar(img: Image.Image, encoder: ImageEncoder) -> Avatar:
    """The record stored for a banned account's avatar (no views: they are query-side only)."""
    hashes, quality = pdq_dihedral(img)
    return Avatar(hashes, quality, encoder.encode([img])[0], thumbnail(img))


def query_avatar(img: Image.Image, encoder: ImageEncoder) -> Avatar:
    """The record of a profile being scored: its views for comparison, view 0 for the search."""
    hashes, quality = pdq_dihedral(img)
    views = encoder.encode_views([img])[0]
    return Avatar(hashes, quality, views[0], thumbnail(img), views=views)
