"""Writes to the bank of banned accounts: upsert by id (an unchanged account is not re-encoded)
and removal, each written to the store and then replayed into the live indexes from the store's
change counter."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace

from service.domain import Avatar, Features, Profile, Progress
from service.errors import Conflict, MirrorscanError
from service.features.keys import profile_keys
from service.featurize import Featurizer
from service.indexing import IndexKeeper, ReadOnly
from service.store.bank import Fingerprint, Store, Upsert, UpsertResult
from service.store.schema import DEFAULT_BANK


class BankWriter:
    def __init__(self, store: Store, features: Featurizer, keeper: IndexKeeper) -> None:
        self.store = store
        self.features = features
        self.keeper = keeper

    def upsert(
        self,
        profiles: Sequence[Profile],
        progress: Progress | None = None,
        *,
        bank: str | None = None,
        avatars: Sequence[Avatar | None] | None = None,
    ) -> list[UpsertResult | MirrorscanError]:
        """Store and index accounts (upsert by id). Unchanged accounts are not re-encoded. A
        bad item gets its error; the others are written.

        ``bank``: the bank they go to (must exist); None keeps an existing account's bank and
        puts a new one in the default bank. An account that is active in another bank is
        refused (no silent move). ``avatars``: per profile, avatar signals derived elsewhere
        (an exchange file's PDQ hash, and the embedding when this image encoder made it),
        used instead of decoding ``profile.avatar``, whose bytes then give only the
        thumbnail (or the embedding, when none was given)."""
        if self.keeper.readonly:
            raise ReadOnly("a read-only pipeline does not write to the bank")
        encoder_version = self.features.encoder_version
        given = list(avatars) if avatars is not None else [None] * len(profiles)
        results: list[UpsertResult | MirrorscanError | None] = [None] * len(profiles)
        valid: list[tuple[int, Profile, str]] = []
        for i, p in enumerate(profiles):
            try:
                p = self.features.validate(p)
            except MirrorscanError as exc:
                results[i] = exc
                continue
            valid.append((i, p, content_hash(p, given[i])))
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
        derived = self._derive([(p, given[i]) for i, p, _, _ in todo])
        writes: list[tuple[int, Upsert]] = []
        for (i, p, h, target), f in zip(todo, derived, strict=True):
            if isinstance(f, MirrorscanError):
                results[i] = f
            else:
                keys = profile_keys(p)
                upsert = Upsert(replace(p, avatar=None), f, keys, h, encoder_version, target)
                writes.append((i, upsert))
        with self.keeper.write_lock:
            written = self.store.upsert([u for _, u in writes]) if writes else []
            for (i, _), r in zip(writes, written, strict=True):
                results[i] = r
            # replay from the store, not from what was just written: another process may have
            # written too, and setting ``store_seq`` past its changes would lose them
            self.keeper.catch_up()
        if progress:
            progress(len(profiles))
        return [r for r in results if r is not None]

    def _derive(
        self, items: Sequence[tuple[Profile, Avatar | None]]
    ) -> list[Features | MirrorscanError]:
        """Features of each profile; given avatar signals replace decoding where the bytes
        are not needed for the embedding."""
        plain = [p if a is None or a.embedding is None else replace(p, avatar=None)
                 for p, a in items]  # fmt: skip
        derived = self.features.derive(plain, bank=True)
        out: list[Features | MirrorscanError] = []
        for (p, given), f in zip(items, derived, strict=True):
            if given is None or isinstance(f, MirrorscanError):
                out.append(f)
                continue
            try:
                out.append(replace(f, avatar=self._merge(p, given, f.avatar)))
            except MirrorscanError as exc:
                out.append(exc)
        return out

    def _merge(self, profile: Profile, given: Avatar, derived: Avatar | None) -> Avatar:
        if derived is not None:  # decoded for its embedding: keep the hash that was given
            return replace(derived, pdq=given.pdq, pdq_quality=given.pdq_quality)
        thumb = self.features.thumbnail_of(profile.avatar) if profile.avatar else given.thumbnail
        return replace(given, thumbnail=thumb, views=None)

    def remove_bank(self, bank: str) -> int:
        """Remove every account of a bank; how many."""
        if self.keeper.readonly:
            raise ReadOnly("a read-only pipeline does not write to the bank")
        with self.keeper.write_lock:
            removed = self.store.remove_bank(bank)
            if removed:
                self.keeper.catch_up()
            return len(removed)

    def remove(self, account_id: str) -> bool:
        with self.keeper.write_lock:
            row_id = self.store.remove(account_id)
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


def content_hash(profile: Profile, given: Avatar | None = None) -> str:
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
    if given is not None:  # signals given by another system
        digest = hashlib.sha256(b"".join(given.pdq) + bytes([given.pdq_quality % 256]))
        if given.embedding is not None:
            digest.update(given.embedding.astype("<f4").tobytes())
        fields["avatar_signals"] = digest.hexdigest()
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
