"""How an account row maps to the domain and back: vectors as float16 blobs, the avatar's PDQ
hashes concatenated, and the query that finds rows whose vectors another encoder made."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from service.domain import Avatar, Features, Profile, StoredAccount, Vector
from service.store.schema import AccountRow

PDQ_BYTES = 32


def vec_to_blob(vec: Vector | None) -> bytes | None:
    return None if vec is None else np.asarray(vec, dtype=np.float16).tobytes()


def blob_to_vec(blob: bytes | None) -> Vector | None:
    return None if blob is None else np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fill_features(row: AccountRow, f: Features) -> None:
    row.name_vec = vec_to_blob(f.name_vec)
    row.bio_vec = vec_to_blob(f.bio_vec)
    avatar = f.avatar
    row.avatar_vec = vec_to_blob(avatar.embedding) if avatar else None
    row.avatar_pdq = b"".join(avatar.pdq) if avatar else None
    row.avatar_quality = avatar.pdq_quality if avatar else None
    row.avatar_thumb = avatar.thumbnail if avatar else None


def stale(encoder_version: str) -> Any:
    """Active rows whose vectors ``encoder_version`` did not make (a suffix such as ``|thumb``
    marks vectors the same encoders derived another way, which count as current)."""
    pattern = escape_like(encoder_version) + "|%"
    current = (AccountRow.encoder_version == encoder_version) | AccountRow.encoder_version.like(
        pattern, escape="\\"
    )
    return AccountRow.removed.is_(False) & ~current


def to_account(row: AccountRow) -> StoredAccount:
    profile = Profile(
        id=row.id,
        platform=row.platform,
        handle=row.handle,
        display_name=row.display_name,
        bio=row.bio,
        links=tuple(row.links or ()),
        avatar_url=row.avatar_url,
        group=row.group,
    )
    avatar = None
    if row.avatar_pdq is not None:
        pdq = tuple(
            row.avatar_pdq[i : i + PDQ_BYTES] for i in range(0, len(row.avatar_pdq), PDQ_BYTES)
        )
        avatar = Avatar(
            pdq=pdq,
            pdq_quality=int(row.avatar_quality or 0),
            embedding=blob_to_vec(row.avatar_vec),
            thumbnail=row.avatar_thumb or b"",
        )
    features = Features(
        name_vec=blob_to_vec(row.name_vec), bio_vec=blob_to_vec(row.bio_vec), avatar=avatar
    )
    return StoredAccount(row_id=row.row_id, profile=profile, features=features,
                         removed=row.removed, bank=row.bank,
                         encoder_version=row.encoder_version)  # fmt: skip


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
