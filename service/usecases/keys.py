"""API keys in the store: create (the key is shown once; only its hash is kept), list, revoke,
each with its audit entry in the change's own transaction. The API (``/v1/keys``) and the CLI
(``mirrorscan keys``) call these; every replica on the store picks the change up within its poll
interval (``service.follower``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.auth import KEY_FILE, KeyEntry, hash_key, new_key
from service.config import SCOPES, Settings
from service.errors import InvalidInput, NotFound
from service.store.apikeys import StoredKey
from service.store.audit import AuditNote
from service.store.exclusive import exclusive
from service.store.shared import SharedState

MAX_LABEL = 100
# A label is shown in pages, logs and the audit trail: any character but controls (C0, DEL, C1),
# line and paragraph separators and bidirectional overrides, with at least one that is not
# blank. The API declares the same pattern, so its OpenAPI document says what is accepted.
_REFUSED = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
LABEL_PATTERN = rf"^[^{_REFUSED}]*[^\s{_REFUSED}][^{_REFUSED}]*$"
_LABEL = re.compile(LABEL_PATTERN)
FIRST_ADMIN_LABEL = "admin (made at first start)"


def check_new_key(label: str, scopes: Sequence[str]) -> tuple[str, list[str]]:
    """The label and scopes of a key to create, validated: a person or system name of 1 to 100
    characters (``LABEL_PATTERN``), and at least one known scope."""
    label = label.strip()
    if not 0 < len(label) <= MAX_LABEL or not _LABEL.match(label) or not _is_unicode(label):
        raise InvalidInput(
            f"a key's label is 1 to {MAX_LABEL} characters, not blank, without control characters"
        )
    if not scopes:
        raise InvalidInput(f"give the key at least one scope: {', '.join(SCOPES)}")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise InvalidInput(f"unknown scopes {unknown}; known: {list(SCOPES)}")
    return label, sorted(set(scopes))


def _is_unicode(text: str) -> bool:
    """Whether ``text`` is stored as given: no lone surrogates (a command line's undecodable
    bytes come in as those; JSON bodies with them are refused before they get here)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def create_key(
    shared: SharedState, actor: str, label: str, scopes: Sequence[str]
) -> tuple[StoredKey, str]:
    """A new key and its record; the key itself is returned once and kept nowhere."""
    label, checked = check_new_key(label, scopes)
    key = new_key()
    stored = shared.keys.create(
        key_hash=hash_key(key),
        prefix=key[:8],
        label=label,
        scopes=checked,
        created_by=actor,
        audit=lambda k: AuditNote(actor, "key.create", k.id, {"label": label, "scopes": checked}),
    )
    return stored, key


def revoke_key(shared: SharedState, actor: str, key_id: str) -> StoredKey:
    """Revoke a key and end the moderator sessions it opened; ``NotFound`` when there is no
    active key by that id (keys from the settings are removed there, not here)."""
    revoked = shared.keys.revoke(
        key_id, audit=lambda k: AuditNote(actor, "key.revoke", key_id, {"label": k.label})
    )
    if revoked is None:
        raise NotFound(
            f"no active API key with id {key_id!r} (a key given in MIRRORSCAN_API_KEYS is "
            "removed there)"
        )
    return revoked


def list_keys(shared: SharedState, *, include_revoked: bool = False) -> list[StoredKey]:
    return shared.keys.listed(include_revoked=include_revoked)


def stored_ring(shared: SharedState) -> dict[str, KeyEntry]:
    """The store's active keys as key-ring entries (by hash)."""
    return {h: KeyEntry(k.id, k.label, frozenset(k.scopes)) for h, k in shared.keys.active_hashes()}


def ensure_first_admin_key(settings: Settings) -> str | None:
    """With no key anywhere (settings, an older data dir's key file, the store), create one admin
    key in the store and return it, for ``serve`` to print once. None when keys exist. Two
    processes starting together make one key between them."""
    if settings.api_keys or (settings.data_dir / KEY_FILE).exists():
        return None
    shared = SharedState.open(settings)
    try:
        with exclusive(shared.store.engine, "mirrorscan.first-admin-key"):
            if shared.keys.count_active():
                return None
            _, key = create_key(shared, "mirrorscan serve", FIRST_ADMIN_LABEL, list(SCOPES))
            return key
    finally:
        shared.close()
