"""Changes to the banks and their accounts, each with its entry in the audit log and a
``bank.changed`` event for webhooks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from service.domain import Profile
from service.errors import InvalidInput, MirrorscanError, NotFound
from service.pipeline import Pipeline
from service.store.bank import Store, UpsertResult
from service.store.banks import Bank, BankStats
from service.store.schema import DEFAULT_BANK
from service.usecases.webhooks import emit

Outcome = UpsertResult | MirrorscanError
MAX_IDS_IN_EVENT = 100


def changed(store: Store, actor: str, change: str, bank: str, **data: Any) -> None:
    """The ``bank.changed`` event (account ids capped at ``MAX_IDS_IN_EVENT``)."""
    ids = data.pop("account_ids", None)
    if ids is not None:
        data["account_ids"] = list(ids)[:MAX_IDS_IN_EVENT]
        data["accounts"] = len(ids)
    emit(store, "bank.changed", {"change": change, "bank": bank, "actor": actor, **data})


def target_bank(store: Store, bank: str | None) -> str | None:
    """The bank named (it must exist), or None: keep an account's bank, new ones to default."""
    if bank is not None:
        store.banks.require(bank)
    elif store.banks.get(DEFAULT_BANK) is None:
        raise InvalidInput("name a bank: this data dir has no default bank")
    return bank


# --- accounts -----------------------------------------------------------------------------


def put_account(
    pipeline: Pipeline, actor: str, profile: Profile, bank: str | None = None
) -> UpsertResult:
    """Add or replace one account (by id); raises what makes it unusable."""
    store = pipeline.store
    [result] = pipeline.upsert([profile], bank=target_bank(store, bank))
    if isinstance(result, MirrorscanError):
        raise result
    where = _bank_of(store, profile.id)
    store.audit_log.append(actor, "account.put", profile.id,
                           {"outcome": result.outcome, "bank": where})  # fmt: skip
    if result.outcome != "unchanged":
        changed(store, actor, "account.put", where, account_ids=[profile.id],
                outcome=result.outcome)  # fmt: skip
    return result


def put_accounts(
    pipeline: Pipeline,
    actor: str,
    items: Sequence[Profile | MirrorscanError],
    bank: str | None = None,
) -> tuple[list[Outcome], dict[str, int]]:
    """Add or replace many accounts; an item that did not parse keeps its error. Returns each
    item's outcome, in order, and the tally the audit entry records."""
    store = pipeline.store
    target = target_bank(store, bank)
    written = iter(pipeline.upsert([p for p in items if isinstance(p, Profile)], bank=target))
    outcomes: list[Outcome] = [
        p if isinstance(p, MirrorscanError) else next(written) for p in items
    ]
    counts = Counter("error" if isinstance(o, MirrorscanError) else o.outcome for o in outcomes)
    tally = {str(k): v for k, v in counts.items()}
    store.audit_log.append(actor, "account.bulk", "", {**tally, "bank": target or ""})
    ids = [o.id for o in outcomes if isinstance(o, UpsertResult) and o.outcome != "unchanged"]
    if ids:
        changed(store, actor, "account.bulk", target or "", account_ids=ids, counts=tally)
    return outcomes, tally


def remove_account(pipeline: Pipeline, actor: str, account_id: str) -> None:
    """Remove an account; ``NotFound`` when there is none by that id."""
    store = pipeline.store
    where = _bank_of(store, account_id)
    if not pipeline.remove(account_id):
        raise NotFound(f"no banned account with id {account_id!r}")
    store.audit_log.append(actor, "account.remove", account_id, {"bank": where})
    changed(store, actor, "account.remove", where, account_ids=[account_id])


def _bank_of(store: Store, account_id: str) -> str:
    account = store.get(account_id)
    return account.bank if account is not None else ""


# --- banks --------------------------------------------------------------------------------


def list_banks(store: Store) -> list[BankStats]:
    return [store.banks.stats(b.name) for b in store.banks.list()]


def create_bank(
    store: Store, actor: str, name: str, kind: str, description: str = "", enabled: bool = True
) -> Bank:
    bank = store.banks.create(name, kind, description, enabled)
    store.audit_log.append(actor, "bank.create", name, {"kind": bank.kind, "enabled": enabled})
    changed(store, actor, "bank.create", name, kind=bank.kind, enabled=enabled)
    return bank


def update_bank(
    store: Store,
    actor: str,
    name: str,
    *,
    enabled: bool | None = None,
    description: str | None = None,
) -> Bank:
    bank = store.banks.update(name, enabled=enabled, description=description)
    if enabled is not None:
        action = "bank.enable" if enabled else "bank.disable"
        store.audit_log.append(actor, action, name, {})
        changed(store, actor, action, name, enabled=enabled)
    if description is not None:
        store.audit_log.append(actor, "bank.describe", name, {"description": description})
    return bank


def remove_bank(pipeline: Pipeline, actor: str, name: str, *, purge: bool = False) -> int:
    """Remove a bank; with ``purge`` its accounts first (else a bank holding any is a 409).
    Returns how many accounts were removed."""
    store = pipeline.store
    store.banks.require(name)
    removed = pipeline.remove_bank(name) if purge else 0
    store.banks.delete(name)
    store.audit_log.append(actor, "bank.remove", name, {"accounts_removed": removed})
    changed(store, actor, "bank.remove", name, accounts_removed=removed)
    return removed
