"""Changes to the bank of banned accounts, each with its entry in the audit log."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from service.domain import Profile
from service.errors import MirrorscanError, NotFound
from service.pipeline import Pipeline
from service.store.bank import UpsertResult

Outcome = UpsertResult | MirrorscanError


def put_account(pipeline: Pipeline, actor: str, profile: Profile) -> UpsertResult:
    """Add or replace one account (by id); raises what makes it unusable."""
    [result] = pipeline.upsert([profile])
    if isinstance(result, MirrorscanError):
        raise result
    pipeline.store.audit_log.append(actor, "account.put", profile.id, {"outcome": result.outcome})
    return result


def put_accounts(
    pipeline: Pipeline, actor: str, items: Sequence[Profile | MirrorscanError]
) -> tuple[list[Outcome], dict[str, int]]:
    """Add or replace many accounts; an item that did not parse keeps its error. Returns each
    item's outcome, in order, and the tally the audit entry records."""
    written = iter(pipeline.upsert([p for p in items if isinstance(p, Profile)]))
    outcomes: list[Outcome] = [
        p if isinstance(p, MirrorscanError) else next(written) for p in items
    ]
    counts = Counter("error" if isinstance(o, MirrorscanError) else o.outcome for o in outcomes)
    tally = {str(k): v for k, v in counts.items()}
    pipeline.store.audit_log.append(actor, "account.bulk", "", tally)
    return outcomes, tally


def remove_account(pipeline: Pipeline, actor: str, account_id: str) -> None:
    """Remove an account; ``NotFound`` when there is none by that id."""
    if not pipeline.remove(account_id):
        raise NotFound(f"no banned account with id {account_id!r}")
    pipeline.store.audit_log.append(actor, "account.remove", account_id, {})
