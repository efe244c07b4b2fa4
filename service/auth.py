"""API keys with scopes and a label (the person or system behind the key, shown in the audit log).
Only SHA-256 hashes of keys are held; a presented key is hashed and compared in constant time
against every known hash. One key ring serves the API (``X-API-Key``), the moderator pages
(sign-in) and the CLI: keys from ``MIRRORSCAN_API_KEYS`` (and a data dir's legacy key file), and
the keys in the store (``mirrorscan keys``, ``/v1/keys``), which every replica follows."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from service.config import KeySpec, Settings
from service.errors import Forbidden, Unauthorized
from service.throttle import FailureThrottle

KEY_FILE = "api_keys.json"  # hashed keys of data dirs made before keys lived in the store
SETTINGS_REF = "settings:"  # a key from the settings or the key file: revoked by removing it


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's label (never the key), its scopes, and which key it was
    (``key_ref``: a stored key's id, or ``settings:<hash prefix>``)."""

    label: str
    scopes: frozenset[str]
    key_ref: str = ""

    @property
    def key_id(self) -> str:
        """Which key, unique (labels are not: two keys may both be "ops"); fair sharing's
        buckets and queues are per key, not per label."""
        return self.key_ref or self.label

    def require(self, scope: str) -> None:
        if scope not in self.scopes and "admin" not in self.scopes:
            raise Forbidden(f"this API key lacks the '{scope}' scope")


@dataclass(frozen=True, slots=True)
class KeyEntry:
    ref: str
    label: str
    scopes: frozenset[str]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return "ms_" + secrets.token_urlsafe(32)


def label_of(key_hash: str) -> str:
    """The label of a key given without one: enough to tell keys apart, useless to an attacker."""
    return f"key:{key_hash[:8]}"


class KeyRing:
    """Known keys by hash. Immutable: a change of keys builds a new ring."""

    def __init__(self, hashed: Mapping[str, KeyEntry]) -> None:
        self._hashed = dict(hashed)
        self._by_ref = {e.ref: e for e in self._hashed.values()}

    def __len__(self) -> int:
        return len(self._hashed)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        """Keys from ``MIRRORSCAN_API_KEYS``, else the hashed key file of an older data dir."""
        hashed: dict[str, KeyEntry] = {}
        for key, spec in settings.api_keys.items():
            h = hash_key(key)
            if isinstance(spec, KeySpec):
                hashed[h] = KeyEntry(SETTINGS_REF + h[:16], spec.label, frozenset(spec.scopes))
            else:
                hashed[h] = KeyEntry(SETTINGS_REF + h[:16], label_of(h), frozenset(spec))
        path = settings.data_dir / KEY_FILE
        if not hashed and path.exists():
            for h, scopes in json.loads(path.read_text()).items():
                hashed[h] = KeyEntry(SETTINGS_REF + h[:16], label_of(h), frozenset(scopes))
        return cls(hashed)

    def merged(self, stored: Mapping[str, KeyEntry]) -> KeyRing:
        """This ring with the store's keys added (a key in both keeps this ring's entry)."""
        return KeyRing({**stored, **self._hashed})

    def authenticate(self, key: str) -> Principal:
        presented = hash_key(key)
        found: KeyEntry | None = None
        for known, entry in self._hashed.items():  # no early exit: constant time over keys
            if hmac.compare_digest(presented, known):
                found = entry
        if found is None:
            raise Unauthorized("the API key is not valid")
        return Principal(label=found.label, scopes=found.scopes, key_ref=found.ref)

    def scopes_for(self, key_ref: str) -> frozenset[str] | None:
        """The scopes of the key ``key_ref`` names, or None when it is no longer known: a web
        session outlives no key it came from."""
        entry = self._by_ref.get(key_ref)
        return None if entry is None else entry.scopes


class Authenticator:
    """The key ring in force (the settings' keys plus the store's, replaced whenever the store's
    keys change) behind the throttle of failed attempts."""

    def __init__(self, static: KeyRing, throttle: FailureThrottle) -> None:
        self.static = static
        self.throttle = throttle
        self._ring = static

    @property
    def ring(self) -> KeyRing:
        return self._ring

    def use_stored(self, stored: Mapping[str, KeyEntry]) -> None:
        self._ring = self.static.merged(stored)  # one reference swap: readers see old or new

    def authenticate(self, key: str | None, address: str | None = None) -> Principal:
        """The key's principal; ``Unauthorized`` for a missing or unknown key, counted against
        the address and the key's prefix; ``TooManyRequests`` while either is throttled."""
        if not key:
            raise Unauthorized("send an API key in the X-API-Key header")
        self.throttle.check(address, key)
        try:
            return self._ring.authenticate(key)
        except Unauthorized:
            self.throttle.failed(address, key)
            raise

    def scopes_for(self, key_ref: str) -> frozenset[str] | None:
        return self._ring.scopes_for(key_ref)
