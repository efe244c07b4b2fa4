"""Writes to the bank of banned accounts: upsert by id (an unchanged account is not re-encoded)
and removal, each written to the store and then replayed into the live indexes from the store's
change counter."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import replace

from service.domain import Profile, Progress
from service.errors import Conflict, MirrorscanError
from service.features.keys import profile_keys
from service.featurize import Featurizer
from service.indexing import IndexKeeper, ReadOnly
from service.store.audit import AuditNote
from service.store.bank import Fingerprint, Store, Upsert, UpsertResult
from service.store.schema import DEFAULT_BANK

Outcome = UpsertResult | MirrorscanError
# turns every item's outcome (in order) into the audit entry that records the write
AuditOf = Callable[[list[Outcome]], AuditNote | None]


class BankWriter:
    def __init__(self, store: Store, features: Featurizer, keeper: IndexKeeper) -> None:
        self.store = store
        self.features = features
        self.keeper = keeper

    def upsert(
        self,
        profiles: Sequence[Profile],
        progress: Progress | None = None,
        audit: AuditOf | None = None,
        *,
        bank: str | None = None,
    ) -> list[UpsertResult | MirrorscanError]:
        """Store and index accounts (upsert by id). Unchanged accounts are not re-encoded. A
        bad item gets its error; the others are written. ``audit``: the entry recording the
        write, committed in the same transaction as the accounts.

        ``bank``: the bank they go to (must exist); None keeps an existing account's bank and
        puts a new one in the default bank. An account that is active in another bank is
        refused (no silent move). A profile's ``avatar_features`` (signals a bank export or
        another system derived) are kept instead of re-deriving them (``Featurizer.derive``)."""
        if self.keeper.readonly:
            raise ReadOnly("a read-only pipeline does not write to the bank")
        encoder_version = self.features.encoder_version
        results: list[UpsertResult | MirrorscanError | None] = [None] * len(profiles)
        valid: list[tuple[int, Profile, str]] = []
        for i, p in enumerate(profiles):
            try:
                p = self.features.validate(p)
            except MirrorscanError as exc:
                results[i] = exc
                continue
            valid.append((i, p, content_hash(p)))
        known = self.store.fingerprints([p.id for _, p, _ in valid])
        todo = []
        for i, p, h in valid:
            fp = known.get(p.id)
            target = _target_bank(p.id, bank, fp)
            if isinstance(target, MirrorscanError):
                results[i] = target
            elif fp and (fp.content_hash, fp.encoder_version, fp.removed, fp.bank) == (
                h,
                encoder_version,
                False,
                target,
            ):
                results[i] = UpsertResult(p.id, fp.row_id, "unchanged")
            else:
                todo.append((i, p, h, target))
        derived = self.features.derive([p for _, p, _, _ in todo], bank=True)
        writes: list[tuple[int, Upsert]] = []
        for (i, p, h, target), f in zip(todo, derived, strict=True):
            if isinstance(f, MirrorscanError):
                results[i] = f
            else:
                keys = profile_keys(p)
                upsert = Upsert(replace(p, avatar=None), f, keys, h, encoder_version, target)
                writes.append((i, upsert))

        def note(written: list[UpsertResult]) -> AuditNote | None:
            everything = list(results)
            for (i, _), r in zip(writes, written, strict=True):
                everything[i] = r
            assert audit is not None
            return audit([r for r in everything if r is not None])

        with self.keeper.write_lock:
            if writes:
                upserts = [u for _, u in writes]
                written = self.store.upsert(upserts, note if audit is not None else None)
            else:
                written = []
                if audit is not None and (entry := audit([r for r in results if r])) is not None:
                    self.store.audit_log.append(
                        entry.actor, entry.action, entry.subject, entry.payload
                    )
            for (i, _), r in zip(writes, written, strict=True):
                results[i] = r
            # replay from the store, not from what was just written: another process may have
            # written too, and setting ``store_seq`` past its changes would lose them
            self.keeper.catch_up()
        if progress:
            progress(len(profiles))
        return [r for r in results if r is not None]

    def remove_bank(self, bank: str) -> int:
        """Remove every account of a bank; how many."""
        if self.keeper.readonly:
            raise ReadOnly("a read-only pipeline does not write to the bank")
        with self.keeper.write_lock:
            removed = self.store.remove_bank(bank)
            if removed:
                self.keeper.catch_up()
            return len(removed)

    def remove(self, account_id: str, audit: AuditNote | None = None) -> bool:
        with self.keeper.write_lock:
            row_id = self.store.remove(account_id, audit)
            if row_id is None:
                return False
            self.keeper.catch_up()
            return True


def _target_bank(
    account_id: str, bank: str | None, fp: Fingerprint | None
) -> str | MirrorscanError:
    if fp is None or fp.removed:
        return bank or DEFAULT_BANK
    if bank is None or bank == fp.bank:
        return fp.bank
    return Conflict(
        f"account {account_id!r} is in bank {fp.bank!r}; remove it there before adding it to "
        f"{bank!r}"
    )


def content_hash(profile: Profile) -> str:
    """What an upsert compares to decide whether an account changed."""
    fields = {
        "platform": profile.platform,
        "handle": profile.handle,
        "display_name": profile.display_name,
        "bio": profile.bio,
        "links": list(profile.links),
        "group": profile.group,
        "avatar_url": profile.avatar_url,
        "avatar": hashlib.sha256(profile.avatar).hexdigest() if profile.avatar else None,
    }
    kept = profile.avatar_features
    if kept is not None:  # signals carried by a bank export: a change to them is a change
        digest = hashlib.sha256(b"".join(kept.pdq) + bytes([kept.pdq_quality % 256]))
        if kept.embedding is not None:
            digest.update(kept.embedding.astype("<f4").tobytes())
        fields["avatar_features"] = f"{kept.image_model}:{digest.hexdigest()}"
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
