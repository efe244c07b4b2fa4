"""Writing records read from a file into their banks: the bank each goes to, withdrawals, and
the checks that make an import refuse before it writes anything; the avatar signals another
system derived travel in ``Profile.avatar_features``. Shared by ``bank import``
(``service.usecases.batch``) and the exchange (``service.usecases.exchange``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from service.errors import MirrorscanError
from service.ingest.exchange import Problems
from service.ingest.records import Record
from service.pipeline import Pipeline
from service.store.bank import UpsertResult
from service.store.banks import check_name
from service.store.schema import DEFAULT_BANK


@dataclass
class Applied:
    """What one batch did, per record in order: an upsert result, ``removed``/``absent`` for a
    withdrawal, or the error."""

    outcomes: list[UpsertResult | str | MirrorscanError] = field(default_factory=list)


def image_model(pipeline: Pipeline) -> str:
    """The name an exported avatar embedding carries: it is used on import only when the
    importing service's image encoder has the same name."""
    return f"{pipeline.image.name}:{pipeline.image.dim}"


def image_part(encoder_version: str) -> str:
    """The image encoder of a stored account's ``encoder_version``
    (``text:dim|image:dim[|how]`` -> ``image:dim``)."""
    parts = encoder_version.split("|")
    return parts[1] if len(parts) > 1 else ""


def target_of(record: Record, override: str | None) -> str | None:
    return override or record.bank


def check_records(pipeline: Pipeline, records: Sequence[Record], override: str | None,
                  problems: Problems, where: str = "line") -> None:  # fmt: skip
    """Everything that would make a write fail, found before anything is written: a profile
    over the limits, a bank name that is not one, an account active in another bank."""
    for r in records:
        bank = target_of(r, override)
        try:
            pipeline.validate(r.profile)
            if bank is not None:
                check_name(bank)
        except MirrorscanError as exc:
            problems.add(f"{where} {r.line} ({r.profile.id[:100]}): {exc.detail}")
    known = pipeline.store.fingerprints([r.profile.id for r in records])
    for r in records:
        fp, bank = known.get(r.profile.id), target_of(r, override)
        if fp and not fp.removed and bank is not None and fp.bank != bank and not r.removed:
            problems.add(f"{where} {r.line} ({r.profile.id[:100]}): the account is in bank "
                         f"{fp.bank!r}, not {bank!r}; remove it there first")  # fmt: skip


def ensure_banks(pipeline: Pipeline, records: Sequence[Record], override: str | None) -> list[str]:
    """Create the banks a file names that this store lacks (with the kind the file gives, else
    ``banned``); the names created. A bank given by ``override`` must exist already."""
    banks = pipeline.store.banks
    if override is not None:
        banks.require(override)
        return []
    created = []
    for r in records:
        name = r.bank or DEFAULT_BANK
        if name not in created and banks.get(name) is None:
            banks.create(name, r.bank_kind or "banned", "created by an import")
            created.append(name)
    return created


def apply(pipeline: Pipeline, records: Sequence[Record], override: str | None) -> Applied:
    """Write one batch: upserts grouped by target bank, withdrawals of accounts in the target
    bank (an account elsewhere is left alone: ``absent``)."""
    outcomes: list[UpsertResult | str | MirrorscanError | None] = [None] * len(records)
    groups: dict[str | None, list[int]] = {}
    for i, r in enumerate(records):
        groups.setdefault(target_of(r, override), []).append(i)
    for bank, idx in groups.items():
        writes = [i for i in idx if not records[i].removed]
        if writes:
            results = pipeline.upsert([records[i].profile for i in writes], bank=bank)
            for i, result in zip(writes, results, strict=True):
                outcomes[i] = result
        for i in idx:
            if records[i].removed:
                outcomes[i] = _withdraw(pipeline, records[i].profile.id, bank or DEFAULT_BANK)
    return Applied([o for o in outcomes if o is not None])


def _withdraw(pipeline: Pipeline, account_id: str, bank: str) -> str:
    stored = pipeline.store.get(account_id)
    if stored is None or stored.removed or stored.bank != bank:
        return "absent"
    pipeline.remove(account_id)
    return "removed"
