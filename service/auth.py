"""API keys with scopes. Only SHA-256 hashes of keys are held; a presented key is hashed and
compared in constant time against every known hash. One key ring serves the API (``X-API-Key``),
the moderator pages (sign-in) and the CLI (``mirrorscan keys``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from service.config import SCOPES, Settings
from service.errors import Forbidden, Unauthorized

KEY_FILE = "api_keys.json"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a short label of the key (never the key) and its scopes."""

    label: str
    scopes: frozenset[str]

    def require(self, scope: str) -> None:
        if scope not in self.scopes and "admin" not in self.scopes:
            raise Forbidden(f"this API key lacks the '{scope}' scope")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyRing:
    def __init__(self, hashed: dict[str, frozenset[str]]) -> None:
        self._hashed = hashed

    def __len__(self) -> int:
        return len(self._hashed)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        """Keys from ``MIRRORSCAN_API_KEYS``, else the hashed key file in the data dir."""
        if settings.api_keys:
            return cls({hash_key(k): frozenset(v) for k, v in settings.api_keys.items()})
        path = settings.data_dir / KEY_FILE
        if path.exists():
            data = json.loads(path.read_text())
            return cls({h: frozenset(s) for h, s in data.items()})
        return cls({})

    def authenticate(self, key: str | None) -> Principal:
        if not key:
            raise Unauthorized("send an API key in the X-API-Key header")
        presented = hash_key(key)
        found: frozenset[str] | None = None
        for known, scopes in self._hashed.items():  # no early exit: constant time over keys
            if hmac.compare_digest(presented, known):
                found = scopes
        if found is None:
            raise Unauthorized("the API key is not valid")
        return Principal(label=label_of(presented), scopes=found)

    def scopes_for(self, label: str) -> frozenset[str] | None:
        """The scopes of the key(s) behind ``label`` (the intersection if several keys share
        it), or None when no known key has it: a web session outlives no key it came from."""
        found = [scopes for known, scopes in self._hashed.items() if label_of(known) == label]
        if not found:
            return None
        return frozenset.intersection(*found)


def label_of(key_hash: str) -> str:
    """A short public name for a key: enough to tell keys apart in logs, useless to an attacker."""
    return f"key:{key_hash[:8]}"


def ensure_admin_key(settings: Settings) -> str | None:
    """With no key configured, create one admin key on first start; keep only its hash in the
    data dir and return the key so ``serve`` can print it once. None when keys already exist."""
    path = settings.data_dir / KEY_FILE
    if settings.api_keys or path.exists():
        return None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = "ms_" + secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({hash_key(key): list(SCOPES)}, fh)
    return key


def add_key(path: Path, scopes: list[str]) -> str:
    """Create a key with the given scopes in a key file; returns the key (shown once)."""
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes {sorted(unknown)}; known: {list(SCOPES)}")
    data = json.loads(path.read_text()) if path.exists() else {}
    key = "ms_" + secrets.token_urlsafe(32)
    data[hash_key(key)] = scopes
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return key
