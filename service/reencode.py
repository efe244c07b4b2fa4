"""Re-encoding after an encoder change. The store is the source of truth; an index is a cache of
it. A rebuild (``service.indexing``) needs no encoder because vectors are stored, unless the
encoders changed: then text is re-encoded from the stored fields, and avatar embeddings from the
stored thumbnails (the original image bytes are never kept; PDQ hashes do not depend on a model
and stay)."""

from __future__ import annotations

import io
import logging
from dataclasses import replace

import numpy as np
from PIL import Image

from service.domain import Avatar, Features, Progress, StoredAccount
from service.errors import MirrorscanError
from service.featurize import Featurizer
from service.store.bank import Store

log = logging.getLogger(__name__)
THUMB = "thumb"  # encoder-version suffix: avatar embedding made from the stored thumbnail


class StaleBank(MirrorscanError):
    status = 409
    title = "The bank was encoded by other models"
    type_slug = "stale-bank"


def ensure_current_vectors(
    store: Store, features: Featurizer, progress: Progress | None = None
) -> int:
    """Re-encode the accounts whose vectors other encoders made; returns how many. A read-only
    store cannot, and says what to run instead."""
    version = features.encoder_version
    stale = store.count_stale(version)
    if not stale:
        return 0
    if store.readonly:
        raise StaleBank(
            f"{stale} accounts were encoded by other models than {version}; "
            "run `mirrorscan reindex` first"
        )
    log.warning("%d accounts were encoded by other models; re-encoding them", stale)
    return reencode_stale(store, features, progress)


def reencode_stale(store: Store, features: Featurizer, progress: Progress | None = None) -> int:
    """Re-encode stale accounts in batches, each batch one store transaction (so an interrupted
    run resumes where it stopped: what was written is no longer stale)."""
    version = features.encoder_version
    text_version, image_version = version.split("|")
    done = 0
    for batch in store.iter_stale(version, batch=256):
        stored = store.fingerprints([a.profile.id for a in batch])
        old = {a.row_id: stored[a.profile.id].encoder_version.split("|") for a in batch}
        texts = _reencode_text(features, [a for a in batch if old[a.row_id][0] != text_version])
        written = []
        for account in batch:
            parts = old[account.row_id]
            derived = texts.get(account.row_id, account.features)
            suffix = parts[2:]  # how the avatar embedding was made, when not from the original
            if parts[1:2] != [image_version]:
                suffix = []
                if derived.avatar is not None:
                    avatar = _reembed_avatar(features, derived.avatar)
                    derived = replace(derived, avatar=avatar)
                    suffix = [THUMB]
            written.append((account.row_id, derived, "|".join([version, *suffix])))
        store.replace_features(written)
        done += len(batch)
        if progress:
            progress(len(batch))
    return done


def _reencode_text(features: Featurizer, accounts: list[StoredAccount]) -> dict[int, Features]:
    """Text vectors from the stored fields, through the pipeline's own feature step."""
    if not accounts:
        return {}
    derived = features.derive([replace(a.profile, avatar=None) for a in accounts])
    out = {}
    for account, f in zip(accounts, derived, strict=True):
        if isinstance(f, Features):
            out[account.row_id] = replace(account.features, name_vec=f.name_vec, bio_vec=f.bio_vec)
    return out


def _reembed_avatar(features: Featurizer, avatar: Avatar) -> Avatar:
    if not avatar.thumbnail:
        return replace(avatar, embedding=None)
    with Image.open(io.BytesIO(avatar.thumbnail)) as img:
        vec = features.image.encode([img.convert("RGB")])[0]
    return replace(avatar, embedding=np.asarray(vec, dtype=np.float32))
