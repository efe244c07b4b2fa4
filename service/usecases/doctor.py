"""The doctor's check that the derived indexes are honest: the current snapshot loads as a fresh
process would load it, and every channel index holds exactly what the store says it should."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from service.channels import account_vectors
from service.errors import IndexCorrupt
from service.index.snapshot import IndexSet, current_version
from service.indexing import IndexKeeper

SAMPLE = 10


@dataclass
class ChannelReport:
    indexed: int
    expected: int
    missing: int = 0  # in the store, not in the index
    extra: int = 0  # in the index, not (or no longer) in the store
    duplicates: int = 0
    examples: list[str] = field(default_factory=list)  # account ids of some disagreements

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.duplicates)


@dataclass
class Report:
    snapshot: str | None
    snapshot_error: str | None
    stale_accounts: int
    channels: dict[str, ChannelReport]
    accounts: int

    @property
    def ok(self) -> bool:
        return (
            self.snapshot is not None
            and self.snapshot_error is None
            and not self.stale_accounts
            and all(c.ok for c in self.channels.values())
        )

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **asdict(self)}


def check(keeper: IndexKeeper) -> Report:
    """Load the current snapshot as a fresh process would (checksums, manifest), catch it up
    with the store, and compare every channel's ids with what the store says it must hold."""
    root = keeper.settings.index_dir
    error = None
    loaded: IndexSet | None = None
    try:
        loaded = IndexSet.load_current(root, keeper.channel_specs())
        if loaded is None and current_version(root) is not None:
            error = "the current snapshot was built for other models or channels"
        elif loaded is None:
            error = "there is no snapshot"
    except IndexCorrupt as exc:
        error = exc.detail
    stale = keeper.store.count_stale(keeper.features.encoder_version)
    indexes = loaded
    if indexes is None:
        indexes = IndexSet(keeper.channel_specs())
    else:
        keeper.catch_up(indexes)
    return Report(
        snapshot=loaded.version if loaded else None,
        snapshot_error=error,
        stale_accounts=stale,
        channels=compare_with_store(keeper, indexes),
        accounts=keeper.store.count(),
    )


def compare_with_store(keeper: IndexKeeper, indexes: IndexSet) -> dict[str, ChannelReport]:
    """Per channel: the row ids the index holds against those the store's active accounts give
    it (the same rule the pipeline indexes by)."""
    expected: dict[str, list[int]] = {name: [] for name in indexes.channels}
    for batch in keeper.store.iter_accounts(batch=2000):
        for account in batch:
            for name in account_vectors(account):
                expected[name].append(account.row_id)
    out = {}
    for name, index in indexes.channels.items():
        held = index.ids()
        want = np.asarray(expected[name], dtype=np.int64)
        missing = np.setdiff1d(want, held)
        extra = np.setdiff1d(held, want)
        report = ChannelReport(
            indexed=int(len(held)),
            expected=int(len(want)),
            missing=int(len(missing)),
            extra=int(len(extra)),
            duplicates=int(len(held) - len(np.unique(held))),
        )
        report.examples = _examples(keeper, np.concatenate([missing, extra])[:SAMPLE])
        out[name] = report
    return out


def _examples(keeper: IndexKeeper, row_ids: npt.NDArray[np.int64]) -> list[str]:
    if not len(row_ids):
        return []
    rows = keeper.store.get_rows(row_ids.tolist())
    return [rows[r].profile.id if r in rows else f"row {r} (not in the store)" for r in row_ids]
