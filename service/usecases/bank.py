"""Changes to the banks and their accounts, each with its entry in the audit log (written in
the same transaction as an account change: both are committed or neither is) and a
``bank.changed`` event for webhooks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from service.domain import Profile, StoredAccount, StoredAvatar
from service.errors import Conflict, InvalidInput, MirrorscanError, NotFound
from service.pipeline import Pipeline
from service.store.audit import AuditNote
from service.store.bank import Store, UpsertResult
from service.store.banks import Bank, BankStats
from service.store.schema import DEFAULT_BANK
from service.usecases.bank_import import image_model, image_part
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
    target = target_bank(store, bank)
    where = _landing(store, profile.id, target)

    def note(outcomes: list[Outcome]) -> AuditNote | None:
        [outcome] = outcomes
        if isinstance(outcome, MirrorscanError):
            return None
        payload = {"outcome": outcome.outcome, "bank": where}
        return AuditNote(actor, "account.put", profile.id, payload)

    [result] = pipeline.upsert([profile], audit=note, bank=target)
    if isinstance(result, MirrorscanError):
        raise result
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
    parse_errors = sum(isinstance(p, MirrorscanError) for p in items)

    def note(outcomes: list[Outcome]) -> AuditNote:
        payload: dict[str, Any] = {**tally_of(outcomes, parse_errors), "bank": target or ""}
        return AuditNote(actor, "account.bulk", "", payload)

    profiles = [p for p in items if isinstance(p, Profile)]
    written = iter(pipeline.upsert(profiles, audit=note, bank=target))
    outcomes: list[Outcome] = [
        p if isinstance(p, MirrorscanError) else next(written) for p in items
    ]
    return outcomes, tally_of(outcomes)


def tally_of(outcomes: Sequence[Outcome], more_errors: int = 0) -> dict[str, int]:
    counts = Counter("error" if isinstance(o, MirrorscanError) else o.outcome for o in outcomes)
    if more_errors:
        counts["error"] += more_errors
    return {str(k): v for k, v in counts.items()}


def active_account(store: Store, account_id: str) -> StoredAccount | None:
    """The account by that id when it is in a bank now (not removed)."""
    account = store.get(account_id)
    return None if account is None or account.removed else account


def version_of(store: Store, account_id: str) -> str:
    """What an account holds now, as a token a form carries back ("" when there is none): a
    write that expects another version is refused or asked again, never silently applied."""
    fp = store.fingerprints([account_id]).get(account_id)
    return "" if fp is None or fp.removed else fp.content_hash


def edit_account(
    pipeline: Pipeline, actor: str, profile: Profile, *, version: str, keep_avatar: bool = True
) -> UpsertResult:
    """Replace an account's fields in the bank it is in (the page's edit form). ``version``:
    what the form was opened on (``version_of``); a change by someone else since is a 409.
    Without a new picture the account keeps its avatar's stored signals (unless
    ``keep_avatar`` is False) and the source's ``avatar_url``; nothing changed is
    ``unchanged`` and writes nothing."""
    store = pipeline.store
    stored = active_account(store, profile.id)
    if stored is None:
        raise NotFound(f"no banned account with id {profile.id!r}; it may have been removed")
    if version_of(store, profile.id) != version:
        raise Conflict(f"account {profile.id!r} was changed by someone else after you opened "
                       "it; open it again to see the change")  # fmt: skip
    old, avatar = stored.profile, stored.features.avatar
    profile = replace(profile, avatar_url=old.avatar_url)
    if profile.avatar is None and keep_avatar and avatar is not None:
        same = (old.platform, old.handle, old.display_name, old.bio, old.links, old.group) == (
            profile.platform, profile.handle, profile.display_name, profile.bio, profile.links,
            profile.group)  # fmt: skip
        if same:
            return UpsertResult(profile.id, stored.row_id, "unchanged")
        encoder = image_part(stored.encoder_version) or image_model(pipeline)
        kept = StoredAvatar(encoder, avatar.pdq, avatar.pdq_quality, avatar.embedding)
        profile = replace(profile, avatar=avatar.thumbnail or None, avatar_features=kept)
    return put_account(pipeline, actor, profile, stored.bank)


def remove_account(pipeline: Pipeline, actor: str, account_id: str) -> None:
    """Remove an account; ``NotFound`` when there is none by that id."""
    store = pipeline.store
    where = _bank_of(store, account_id)
    note = AuditNote(actor, "account.remove", account_id, {"bank": where})
    if not pipeline.remove(account_id, note):
        raise NotFound(f"no banned account with id {account_id!r}")
    changed(store, actor, "account.remove", where, account_ids=[account_id])


def _bank_of(store: Store, account_id: str) -> str:
    account = store.get(account_id)
    return account.bank if account is not None else ""


def _landing(store: Store, account_id: str, target: str | None) -> str:
    """The bank an upsert puts the account in (``BankWriter``'s rule)."""
    if target is not None:
        return target
    account = store.get(account_id)
    return account.bank if account is not None and not account.removed else DEFAULT_BANK


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
