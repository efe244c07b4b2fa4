"""The key ring: the settings' keys and the store's, labels, lookup by key reference, and the
same work for an unknown, a near-miss and a valid key (no early exit)."""

from __future__ import annotations

import hmac
from pathlib import Path

import pytest

from service.auth import Authenticator, KeyEntry, KeyRing, hash_key
from service.config import Settings, ThrottleSettings
from service.errors import TooManyRequests, Unauthorized
from service.throttle import FailureThrottle

KEY = "a-settings-key-0123456789"
STORED = "ms_a-stored-key-0123456789"


def ring(tmp_path: Path) -> Authenticator:
    settings = Settings(data_dir=tmp_path, api_keys={KEY: {"label": "ops", "scopes": ["admin"]}})
    gate = Authenticator(KeyRing.from_settings(settings), FailureThrottle(ThrottleSettings()))
    gate.use_stored({hash_key(STORED): KeyEntry("k1", "Ayesha", frozenset({"score"}))})
    return gate


def test_settings_and_stored_keys_with_their_labels(tmp_path: Path) -> None:
    gate = ring(tmp_path)
    ops = gate.authenticate(KEY)
    assert (ops.label, ops.scopes) == ("ops", frozenset({"admin"}))
    assert ops.key_ref.startswith("settings:")
    stored = gate.authenticate(STORED)
    assert (stored.label, stored.key_ref) == ("Ayesha", "k1")
    assert gate.scopes_for("k1") == frozenset({"score"}) and gate.scopes_for("gone") is None
    gate.use_stored({})  # revoked in the store
    with pytest.raises(Unauthorized):
        gate.authenticate(STORED)
    unlabelled = Settings(data_dir=tmp_path, api_keys={KEY: ["score"]})
    principal = KeyRing.from_settings(unlabelled).authenticate(KEY)
    assert principal.label == f"key:{hash_key(KEY)[:8]}"


@pytest.mark.parametrize("presented", ["ms_unknown-0000000000000", STORED[:-1] + "X", STORED])
def test_every_key_is_compared_with_every_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, presented: str
) -> None:
    gate = ring(tmp_path)
    calls: list[int] = []
    compare = hmac.compare_digest

    def counting(a: str, b: str) -> bool:
        calls.append(1)
        return compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", counting)  # the module service.auth uses
    try:
        gate.authenticate(presented)
    except Unauthorized:
        pass
    assert len(calls) == 2  # as many as there are keys, found or not


def test_a_throttled_address_is_refused_before_the_key_is_looked_at(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, api_keys={KEY: ["score"]})
    gate = Authenticator(
        KeyRing.from_settings(settings), FailureThrottle(ThrottleSettings(address_burst=1))
    )
    with pytest.raises(Unauthorized):
        gate.authenticate("wrong-key-0000000000", "10.0.0.9")
    with pytest.raises(TooManyRequests):
        gate.authenticate(KEY, "10.0.0.9")
    assert gate.authenticate(KEY, "10.0.0.10").label.startswith("key:")
