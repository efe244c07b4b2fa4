"""Writes to the bank of banned accounts: upsert by id (an unchanged account is not re-encoded)
and removal, each written to the store and then replayed into the live indexes from the store's
change counter."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace

from service.domain import Profile, Progress
from service.errors import MirrorscanError
from service.features.keys import profile_keys
from service.featurize import Featurizer
from service.indexing import IndexKeeper, ReadOnly
from service.store.bank import Store, Upsert, UpsertResult


class BankWriter:
    def __init__(self, store: Store, features: Featurizer, keeper: IndexKeeper) -> None:
        self.store = store
        self.features = features
        self.keeper = keeper

    def upsert(
        self, profiles: Sequence[Profile], progress: Progress | None = None
    ) -> list[UpsertResult | MirrorscanError]:
        """Store and index banned accounts (upsert by id). Unchanged accounts are not
        re-encoded. A bad item gets its error; the others are written."""
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
            if fp and (fp.content_hash, fp.encoder_version, fp.removed) == (
                h,
                encoder_version,
                False,
            ):
                results[i] = UpsertResult(p.id, fp.row_id, "unchanged")
            else:
                todo.append((i, p, h))
        derived = self.features.derive([p for _, p, _ in todo], bank=True)
        writes: list[tuple[int, Upsert]] = []
        for (i, p, h), f in zip(todo, derived, strict=True):
            if isinstance(f, MirrorscanError):
                results[i] = f
            else:
                upsert = Upsert(replace(p, avatar=None), f, profile_keys(p), h, encoder_version)
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

    def remove(self, account_id: str) -> bool:
        with self.keeper.write_lock:
            row_id = self.store.remove(account_id)
            if row_id is None:
                return False
            self.keeper.catch_up()
            return True


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
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
