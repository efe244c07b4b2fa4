"""The live indexes' lifecycle: load the current snapshot and catch it up with the store, build
from the store, write snapshots, rebuild beside the live set and swap, fit each channel's index to
its size. The store is the source of truth; the indexes (and the bank statistics the comparators
read) are derived from it and follow its change counter."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from service.channels import account_vectors, batch_grams, channel_specs
from service.config import Settings
from service.domain import Progress, StoredAccount
from service.errors import Conflict, IndexCorrupt, MirrorscanError
from service.featurize import Featurizer
from service.index.fit import fit_set
from service.index.plan import IndexPlan, IndexPolicy
from service.index.snapshot import ChannelSpec, IndexSet, current_version
from service.reencode import ensure_current_vectors
from service.scoring.compare import BankContext
from service.store import counters
from service.store.bank import Store
from service.store.exclusive import exclusive
from service.store.texts import iter_texts

log = logging.getLogger(__name__)
SNAPSHOT_LOCK = "mirrorscan.index-snapshot"


class ReadOnly(MirrorscanError):
    status = 409
    title = "Read-only pipeline"
    type_slug = "read-only"


class IndexKeeper:
    """The live index set of one process, and the lock that holds writes off while it changes.

    ``readonly``: a batch worker's keeper. It loads the current snapshot and catches up in
    memory, and refuses snapshot writes and rebuilds, so any number of workers share a data dir."""

    def __init__(self, settings: Settings, store: Store, features: Featurizer) -> None:
        self.settings = settings
        self.store = store
        self.features = features
        self.specs = channel_specs(features.text, features.image)
        self.indexes = IndexSet(self.specs)
        self.context = BankContext()
        self.readonly = store.readonly
        self.write_lock = threading.Lock()

    def channel_specs(self) -> dict[str, ChannelSpec]:
        return dict(self.specs)

    def load(self, progress: Progress | None = None) -> None:
        """The current snapshot caught up with the store; a missing, unreadable or other-model
        snapshot is rebuilt from the store (the source of truth). Accounts whose vectors were
        made by other encoders are re-encoded first (see ``service.reencode``)."""
        ensure_current_vectors(self.store, self.features, progress)
        try:
            loaded = IndexSet.load_current(self.settings.index_dir, self.channel_specs())
        except IndexCorrupt as exc:
            log.warning("index snapshot unusable (%s); rebuilding from the store", exc.detail)
            loaded = None
        if loaded is None:
            loaded = self.build(progress)
        else:
            self.observe_bank()
        self.catch_up(loaded)
        fit_set(loaded, IndexPolicy.of(self.settings.index))
        self.indexes = loaded

    def observe_bank(self) -> None:
        """Count every account's name and bio in the bank statistics. A set built from the
        store counted them while indexing; one loaded from a snapshot did not, and would score
        otherwise than a replica that built its set (name-word rarity, bio shingles)."""
        for batch in iter_texts(self.store):
            self.context.observe(batch)

    def build(self, progress: Progress | None = None) -> IndexSet:
        """A fresh index set from the store's stored vectors (no re-encoding)."""
        indexes = IndexSet(self.channel_specs(), store_seq=self.store.max_seq())
        for batch in self.store.iter_accounts(batch=2000):
            self._index(indexes, batch)
            if progress:
                progress(len(batch))
        return indexes

    def catch_up(self, indexes: IndexSet | None = None) -> int:
        """Apply the store changes the index set (the live one by default) has not seen;
        returns how many."""
        indexes = self.indexes if indexes is None else indexes
        target = self.store.max_seq()
        changed = 0
        for batch in self.store.iter_changes(indexes.store_seq):
            removed = np.array([a.row_id for a in batch if a.removed], dtype=np.int64)
            for index in indexes.channels.values():
                index.remove(removed)
            self.context.forget(removed.tolist())
            self._index(indexes, [a for a in batch if not a.removed])
            changed += len(batch)
        indexes.store_seq = max(indexes.store_seq, target)
        return changed

    def _index(self, indexes: IndexSet, accounts: Sequence[StoredAccount]) -> None:
        index_accounts(indexes, accounts)
        self.context.observe(accounts)

    def write_snapshot(self) -> Path:
        """Give each channel the index its size calls for (writes held off meanwhile), then write
        the live indexes as a new snapshot; upserts go on while it is written (see
        ``IndexSet.write_snapshot``). One process at a time writes (``_snapshot_turn``)."""
        if self.readonly:
            raise ReadOnly("a read-only pipeline does not write snapshots")
        with self._snapshot_turn():
            with self.write_lock:
                self.fit()
            return self.indexes.write_snapshot(self.settings.index_dir)

    @contextmanager
    def _snapshot_turn(self) -> Iterator[None]:
        """Replicas on one store write index snapshots one at a time (a PostgreSQL advisory
        lock, or a file lock beside the SQLite file); ``Conflict`` when the turn does not come
        within ``replicas.snapshot_lock_wait_s``."""
        wait = self.settings.replicas.snapshot_lock_wait_s
        with exclusive(self.store.engine, SNAPSHOT_LOCK, wait_s=wait) as held:
            if not held:
                raise Conflict(f"another process has been writing an index snapshot for {wait} s")
            yield

    def adopt_newer_snapshot(self) -> bool:
        """Swap in the snapshot ``CURRENT`` names when another process wrote it after the live
        set was made (a rebuild on another replica sharing the index folder), caught up with
        the store; searches go on meanwhile. False when there is nothing newer to adopt."""
        version = current_version(self.settings.index_dir)
        if self.readonly or version is None or version <= self.indexes.version:
            return False
        try:
            loaded = IndexSet.load_current(self.settings.index_dir, self.channel_specs())
        except IndexCorrupt as exc:
            log.warning("not adopting snapshot %s: %s", version, exc.detail)
            return False
        if loaded is None or loaded.version <= self.indexes.version:
            return False
        self.catch_up(loaded)
        with self.write_lock:
            self.catch_up(loaded)
            self.indexes = loaded
        log.info("adopted index snapshot %s written by another process", loaded.version)
        return True

    def rebuild(self, progress: Progress | None = None) -> IndexSet:
        """Build a new index set from the store beside the live one, snapshot it, then swap.

        Searches and upserts go on during the build: upserts update the store and the live set,
        and the new set catches up on them from the store. The swap happens under the write
        lock after a final catch-up, so no upsert is lost; a search holding the old set finishes
        on it. Nothing ever searches a half-built set."""
        if self.readonly:
            raise ReadOnly("a read-only pipeline does not rebuild indexes")
        fresh = self.build(progress)
        self.catch_up(fresh)
        fit_set(fresh, IndexPolicy.of(self.settings.index))
        with self._snapshot_turn():
            fresh.write_snapshot(self.settings.index_dir)
        with self.write_lock:
            self.catch_up(fresh)
            self.indexes = fresh
        with self.store.sessions.begin() as s:  # replicas sharing the folder adopt it
            counters.bump(s, counters.SNAPSHOTS)
        log.info("swapped to index snapshot %s: %s", fresh.version, fresh.counts())
        return fresh

    def fit(self) -> dict[str, IndexPlan]:
        """Give each channel the index its size calls for (exact, or an inverted file trained
        on its vectors); searches continue meanwhile. Call with writes held off."""
        return fit_set(self.indexes, IndexPolicy.of(self.settings.index))


def index_accounts(indexes: IndexSet, accounts: Sequence[StoredAccount]) -> None:
    """Put the accounts' stored vectors in every channel (replacing what the ids had)."""
    if not accounts:
        return
    ids = np.array([a.row_id for a in accounts], dtype=np.int64)
    channels = indexes.channels
    for index in channels.values():
        index.remove(ids)
    per_channel: dict[str, tuple[list[int], list[np.ndarray]]] = {n: ([], []) for n in channels}
    for a, gram in zip(accounts, batch_grams(accounts), strict=True):
        for name, vec in account_vectors(a, gram).items():
            per_channel[name][0].append(a.row_id)
            per_channel[name][1].append(vec)
    for name, (row_ids, vecs) in per_channel.items():
        if row_ids:
            channels[name].upsert(np.array(row_ids, dtype=np.int64), np.stack(vecs))
