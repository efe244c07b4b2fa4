"""Keeping the derived indexes honest: re-encoding after an encoder change, and the doctor's check
that every channel index holds exactly what the store says it should.

The store is the source of truth; an index is a cache of it. A rebuild (``Pipeline.
rebuild_indexes``) needs no encoder because vectors are stored, unless the encoders changed: then
text is re-encoded from the stored fields, and avatar embeddings from the stored thumbnails (the
original image bytes are never kept; PDQ hashes do not depend on a model and stay)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from service.domain import Avatar, Features, StoredAccount
from service.errors import IndexCorrupt, MirrorscanError
from service.index.snapshot import IndexSet, current_version

if TYPE_CHECKING:
    from service.pipeline import Pipeline

log = logging.getLogger(__name__)
Progress = Callable[[int], None]
THUMB = "thumb"  # encoder-version suffix: avatar embedding made from the stored thumbnail
SAMPLE = 10


class StaleBank(MirrorscanError):
    status = 409
    title = "The bank was encoded by other models"
    type_slug = "stale-bank"


def ensure_current_vectors(pipeline: Pipeline, progress: Progress | None = None) -> int:
    """Re-encode the accounts whose vectors other encoders made; returns how many. A read-only
    pipeline cannot, and says what to run instead."""
    stale = pipeline.store.count_stale(pipeline.encoder_version)
    if not stale:
        return 0
    if pipeline.readonly:
        raise StaleBank(
            f"{stale} accounts were encoded by other models than {pipeline.encoder_version}; "
            "run `mirrorscan reindex` first"
        )
    log.warning("%d accounts were encoded by other models; re-encoding them", stale)
    return reencode_stale(pipeline, progress)


def reencode_stale(pipeline: Pipeline, progress: Progress | None = None) -> int:
    """Re-encode stale accounts in batches, each batch one store transaction (so an interrupted
    run resumes where it stopped: what was written is no longer stale)."""
    text_version, image_version = pipeline.encoder_version.split("|")
    done = 0
    for batch in pipeline.store.iter_stale(pipeline.encoder_version, batch=256):
        stored = pipeline.store.fingerprints([a.profile.id for a in batch])
        old = {a.row_id: stored[a.profile.id].encoder_version.split("|") for a in batch}
        texts = _reencode_text(pipeline, [a for a in batch if old[a.row_id][0] != text_version])
        written = []
        for account in batch:
            parts = old[account.row_id]
            features = texts.get(account.row_id, account.features)
            suffix = parts[2:]  # how the avatar embedding was made, when not from the original
            if parts[1:2] != [image_version]:
                suffix = []
                if features.avatar is not None:
                    features = replace(features, avatar=_reembed_avatar(pipeline, features.avatar))
                    suffix = [THUMB]
            written.append(
                (account.row_id, features, "|".join([pipeline.encoder_version, *suffix]))
            )
        pipeline.store.replace_features(written)
        done += len(batch)
        if progress:
            progress(len(batch))
    return done


def _reencode_text(pipeline: Pipeline, accounts: list[StoredAccount]) -> dict[int, Features]:
    """Text vectors from the stored fields, through the pipeline's own feature step."""
    if not accounts:
        return {}
    derived = pipeline.derive([replace(a.profile, avatar=None) for a in accounts])
    out = {}
    for account, f in zip(accounts, derived, strict=True):
        if isinstance(f, Features):
            out[account.row_id] = replace(account.features, name_vec=f.name_vec, bio_vec=f.bio_vec)
    return out


def _reembed_avatar(pipeline: Pipeline, avatar: Avatar) -> Avatar:
    if not avatar.thumbnail:
        return replace(avatar, embedding=None)
    with Image.open(io.BytesIO(avatar.thumbnail)) as img:
        vec = pipeline.image.encode([img.convert("RGB")])[0]
    return replace(avatar, embedding=np.asarray(vec, dtype=np.float32))


# --- the doctor ---------------------------------------------------------------------------


@dataclass
class ChannelReport:
    indexed: int
    expected: int
    missing: int = 0  # in the store, not in the index
    extra: int = 0  # in the index, not (or no longer) in the store
    duplicates: int = 0
    examples: list[str] = field(default_factory=list)  # account ids of some disagreements

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.duplicates)


@dataclass
class Report:
    snapshot: str | None
    snapshot_error: str | None
    stale_accounts: int
    channels: dict[str, ChannelReport]
    accounts: int

    @property
    def ok(self) -> bool:
        return (
            self.snapshot is not None
            and self.snapshot_error is None
            and not self.stale_accounts
            and all(c.ok for c in self.channels.values())
        )

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **asdict(self)}


def check(pipeline: Pipeline) -> Report:
    """Load the current snapshot as a fresh process would (checksums, manifest), catch it up
    with the store, and compare every channel's ids with what the store says it must hold."""
    root = pipeline.settings.index_dir
    error = None
    loaded: IndexSet | None = None
    try:
        loaded = IndexSet.load_current(root, pipeline.channel_specs())
        if loaded is None and current_version(root) is not None:
            error = "the current snapshot was built for other models or channels"
        elif loaded is None:
            error = "there is no snapshot"
    except IndexCorrupt as exc:
        error = exc.detail
    stale = pipeline.store.count_stale(pipeline.encoder_version)
    indexes = loaded
    if indexes is None:
        indexes = IndexSet(pipeline.channel_specs())
    else:
        pipeline.catch_up(indexes)
    return Report(
        snapshot=loaded.version if loaded else None,
        snapshot_error=error,
        stale_accounts=stale,
        channels=compare_with_store(pipeline, indexes),
        accounts=pipeline.store.count(),
    )


def compare_with_store(pipeline: Pipeline, indexes: IndexSet) -> dict[str, ChannelReport]:
    """Per channel: the row ids the index holds against those the store's active accounts give
    it (the same rule the pipeline indexes by)."""
    from service.pipeline import channel_vectors

    expected: dict[str, list[int]] = {name: [] for name in indexes.channels}
    for batch in pipeline.store.iter_accounts(batch=2000):
        for account in batch:
            for name in channel_vectors(account):
                expected[name].append(account.row_id)
    out = {}
    for name, index in indexes.channels.items():
        held = index.ids()
        want = np.asarray(expected[name], dtype=np.int64)
        missing = np.setdiff1d(want, held)
        extra = np.setdiff1d(held, want)
        report = ChannelReport(
            indexed=int(len(held)),
            expected=int(len(want)),
            missing=int(len(missing)),
            extra=int(len(extra)),
            duplicates=int(len(held) - len(np.unique(held))),
        )
        report.examples = _examples(pipeline, np.concatenate([missing, extra])[:SAMPLE])
        out[name] = report
    return out


def _examples(pipeline: Pipeline, row_ids: npt.NDArray[np.int64]) -> list[str]:
    if not len(row_ids):
        return []
    rows = pipeline.store.get_rows(row_ids.tolist())
    return [rows[r].profile.id if r in rows else f"row {r} (not in the store)" for r in row_ids]
