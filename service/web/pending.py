"""A picture chosen on a form that asks for confirmation before it writes (replacing a bank
account): a browser cannot re-send a file from a hidden field, so the bytes wait in the data
dir's tmp folder under a random token the confirmation form carries, for ``KEEP_S`` at most.
Blocking (file I/O): call through the runtime's workers."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

KEEP_S = 3600.0
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _folder(data_dir: Path) -> Path:
    folder = data_dir / "tmp" / "pending-avatars"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(data_dir: Path, data: bytes) -> str:
    """Keep the bytes; the token that reads them back. Drops what has waited too long."""
    folder = _folder(data_dir)
    now = time.time()
    for old in folder.iterdir():
        try:
            if now - old.stat().st_mtime > KEEP_S:
                old.unlink(missing_ok=True)
        except FileNotFoundError:  # another worker dropped it first
            continue
    token = secrets.token_urlsafe(24)
    path = folder / token
    path.write_bytes(data)
    return token


def take(data_dir: Path, token: str) -> bytes | None:
    """The bytes kept under ``token`` (once: they are deleted), or None when the token is not
    one, or the bytes are gone or too old."""
    if not _TOKEN.fullmatch(token):
        return None
    path = _folder(data_dir) / token
    try:
        fresh = time.time() - path.stat().st_mtime <= KEEP_S
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    path.unlink(missing_ok=True)
    return data if fresh else None
