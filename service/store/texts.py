"""The bank's names and bios alone (no vectors): what the bank statistics count (word rarity,
bio shingles), read cheaply when the indexes come from a snapshot rather than from the store."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from service.domain import Features, Profile, StoredAccount
from service.store.bank import Store
from service.store.schema import AccountRow

_NO_FEATURES = Features(name_vec=None, bio_vec=None, avatar=None)


def iter_texts(store: Store, *, batch: int = 5000) -> Iterator[list[StoredAccount]]:
    """Active accounts in row order, in batches, each with only its id, name and bio."""
    last = 0
    cols = (AccountRow.row_id, AccountRow.id, AccountRow.display_name, AccountRow.bio)
    while True:
        with store.sessions() as s:
            q = (
                select(*cols)
                .where(AccountRow.row_id > last, AccountRow.removed.is_(False))
                .order_by(AccountRow.row_id)
                .limit(batch)
            )
            rows = list(s.execute(q))
        if not rows:
            return
        last = rows[-1][0]
        yield [
            StoredAccount(row_id, Profile(id=id_, display_name=name, bio=bio), _NO_FEATURES)
            for row_id, id_, name, bio in rows
        ]
