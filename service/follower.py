"""Keeps one process in step with what the others on its store did: every ``replicas.poll_s`` it
reads the store's change counters (one small query) and, for those that moved,

- ``accounts``: replays the bank changes into the live indexes (``IndexKeeper.catch_up``), so an
  account added or removed through any replica is matched (or not) here within a poll;
- ``keys``: reloads the store's API keys into the key ring (created keys work, revoked ones stop);
- ``snapshots``: adopts an index snapshot another process rebuilt, if it shares the folder.

The runtime's lifespan owns the task (``Follower.run``); each step runs in a thread of its own,
never on the request executor, so a queue of scoring work does not delay it."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from service.auth import Authenticator
from service.pipeline import Pipeline
from service.store import counters
from service.store.shared import SharedState
from service.usecases.keys import stored_ring

log = logging.getLogger(__name__)


class Follower:
    def __init__(
        self,
        shared: SharedState,
        keys: Authenticator,
        pipeline: Callable[[], Pipeline | None],
        poll_s: float,
    ) -> None:
        self.shared = shared
        self.keys = keys
        self._pipeline = pipeline  # the loaded pipeline, or None while it loads
        self.poll_s = poll_s
        self._keys_seen: int | None = None
        self._snapshots_seen: int | None = None
        self._last_error = ""
        self._lock = threading.Lock()  # the poll and a request's ``follow_now`` take turns

    def step(self) -> int:
        """Apply what changed since the last step; returns how many bank changes were replayed.
        Blocking (store reads, index updates): call it from a thread."""
        with self._lock:
            return self._step()

    def _step(self) -> int:
        seen = self.shared.counters()
        keys = seen.get(counters.KEYS, 0)
        if keys != self._keys_seen:
            self.keys.use_stored(stored_ring(self.shared))
            self._keys_seen = keys
        pipeline = self._pipeline()
        if pipeline is None or not pipeline.ready:
            return 0
        keeper = pipeline.keeper
        snapshots = seen.get(counters.SNAPSHOTS, 0)
        if self._snapshots_seen is not None and snapshots != self._snapshots_seen:
            keeper.adopt_newer_snapshot()
        self._snapshots_seen = snapshots
        if seen.get(counters.ACCOUNTS, 0) <= keeper.indexes.store_seq:
            return 0
        with keeper.write_lock:
            return keeper.catch_up()

    async def run(self) -> None:
        """Step every ``poll_s`` until cancelled; a failed step (the store unreachable) is logged
        once per distinct error and retried at the next poll."""
        while True:
            try:
                changed = await asyncio.to_thread(self.step)
                if changed:
                    log.debug("applied %d bank changes made by other processes", changed)
                self._last_error = ""
            except Exception as exc:  # logged; the next poll tries again
                message = f"{type(exc).__name__}: {exc}"
                if message != self._last_error:
                    log.warning("following the store failed (retrying): %s", message)
                self._last_error = message
            await asyncio.sleep(self.poll_s)
