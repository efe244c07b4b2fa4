"""The ``avatar_features`` field of a bank file: the stored avatar signals (PDQ hashes and their
quality, the embedding and the encoder that made it) as one text value, so that ``bank export``
then ``bank import`` keeps what was derived from the original picture rather than re-deriving it
from the exported thumbnail. The value is JSON (the same in JSON Lines, CSV and Parquet):
``{"v": 1, "image_model": "name:dim", "pdq": [64 hex x 1-8], "quality": 0-100,
"embedding": base64 of float16 | null}``. ``pdq`` holds the image's hash, then its dihedral
variants' when they were derived here (a hash from an HMA list or a STIX bundle comes alone).
The STIX bundles (``service.ingest.exchange.stix``) carry the embedding the same way."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import numpy as np
import numpy.typing as npt

from service.domain import Avatar, StoredAvatar
from service.errors import InvalidInput

PDQ_HASHES = 8
PDQ_HEX = 64
MAX_DIM = 4096


def format_avatar_features(avatar: Avatar, image_model: str) -> str:
    embedding = avatar.embedding
    return json.dumps(
        {
            "v": 1,
            "image_model": image_model,
            "pdq": [h.hex() for h in avatar.pdq],
            "quality": avatar.pdq_quality,
            "embedding": None if embedding is None else encode_f16(embedding),
        },
        separators=(",", ":"),
    )


def parse_avatar_features(text: str) -> StoredAvatar:
    """The stored avatar signals of a file line; ``InvalidInput`` saying what is wrong."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"avatar_features is not JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or data.get("v") != 1:
        raise InvalidInput('avatar_features must be an object with "v": 1')
    model, pdq, quality = data.get("image_model"), data.get("pdq"), data.get("quality")
    if not isinstance(model, str) or not 0 < len(model) <= 200:
        raise InvalidInput("avatar_features.image_model must be a short string")
    if (
        not isinstance(pdq, list)
        or not 1 <= len(pdq) <= PDQ_HASHES
        or not all(isinstance(h, str) and len(h) == PDQ_HEX for h in pdq)
    ):
        raise InvalidInput(
            f"avatar_features.pdq must be 1 to {PDQ_HASHES} hashes of {PDQ_HEX} hex digits"
        )
    if not isinstance(quality, int) or isinstance(quality, bool) or not 0 <= quality <= 100:
        raise InvalidInput("avatar_features.quality must be an integer from 0 to 100")
    try:
        hashes = tuple(bytes.fromhex(h) for h in pdq)
    except ValueError as exc:
        raise InvalidInput("avatar_features.pdq holds a hash that is not hex") from exc
    return StoredAvatar(model, hashes, quality, _embedding(data.get("embedding")))


def _embedding(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("avatar_features.embedding must be base64 text or null")
    return decode_f16(value, "avatar_features.embedding")


def encode_f16(vec: npt.NDArray[np.float32]) -> str:
    """An embedding as base64 of little-endian float16."""
    return base64.b64encode(np.asarray(vec, dtype="<f2").tobytes()).decode()


def decode_f16(text: str, what: str) -> npt.NDArray[np.float32]:
    """The embedding ``encode_f16`` wrote; ``InvalidInput`` naming ``what`` when it is not one."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"{what} is not base64") from exc
    if not raw or len(raw) % 2 or len(raw) // 2 > MAX_DIM:
        raise InvalidInput(f"{what} is not a float16 vector")
    vec = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    if not np.isfinite(vec).all():
        raise InvalidInput(f"{what} holds a value that is not finite")
    return vec
