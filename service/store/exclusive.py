"""A named lock held by one process at a time among all those on one store: a PostgreSQL advisory
lock (on a connection of its own, so it ends with the process if that dies), or a file lock beside
the SQLite file (``fcntl.flock``: released by the kernel when the process dies). Used for work
that two replicas must not do at once: creating the schema, writing an index snapshot."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

_POLL_S = 0.05
_memory_locks: dict[str, threading.Lock] = {}


@contextmanager
def exclusive(
    engine: Engine, name: str, *, wait_s: float | None = None, discard: bool = False
) -> Iterator[bool]:
    """Hold the lock ``name`` for the block. Yields True when held, False when ``wait_s``
    seconds passed without it (``None``: wait as long as it takes; 0: one try). ``discard``: a
    lock used once (a job's), whose lock file goes when it is released."""
    deadline = None if wait_s is None else time.monotonic() + wait_s
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name, deadline) as held:
            yield held
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with _in_process(name, deadline) as held:
            yield held
        return
    slug = re.sub(r"[^a-z0-9.-]", "-", name.lower())
    with _file_lock(Path(f"{database}.{slug}.lock"), deadline, discard) as held:
        yield held


def lock_id(name: str) -> int:
    """The advisory lock's 64-bit key for ``name`` (stable across processes and versions)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _expired(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


@contextmanager
def _advisory(engine: Engine, name: str, deadline: float | None) -> Iterator[bool]:
    key = lock_id(name)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        while not conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}):
            if _expired(deadline):
                yield False
                return
            time.sleep(_POLL_S)
        try:
            yield True
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            except Exception:
                conn.invalidate()  # never back to the pool still holding the lock
                raise


@contextmanager
def _file_lock(path: Path, deadline: float | None, discard: bool) -> Iterator[bool]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if _expired(deadline):
                    yield False
                    return
                time.sleep(_POLL_S)
        try:
            yield True
        finally:
            if discard:
                path.unlink(missing_ok=True)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _in_process(name: str, deadline: float | None) -> Iterator[bool]:
    lock = _memory_locks.setdefault(name, threading.Lock())
    timeout = -1.0 if deadline is None else max(0.0, deadline - time.monotonic())
    if not lock.acquire(timeout=timeout):
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
