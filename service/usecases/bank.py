"""Changes to the bank of banned accounts, each with its entry in the audit log, written in the
same transaction as the change (both are committed or neither is)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from service.domain import Profile
from service.errors import MirrorscanError, NotFound
from service.pipeline import Pipeline
from service.store.audit import AuditNote
from service.store.bank import UpsertResult

Outcome = UpsertResult | MirrorscanError


def put_account(pipeline: Pipeline, actor: str, profile: Profile) -> UpsertResult:
    """Add or replace one account (by id); raises what makes it unusable."""

    def note(outcomes: list[Outcome]) -> AuditNote | None:
        [outcome] = outcomes
        if isinstance(outcome, MirrorscanError):
            return None
        return AuditNote(actor, "account.put", profile.id, {"outcome": outcome.outcome})

    [result] = pipeline.upsert([profile], audit=note)
    if isinstance(result, MirrorscanError):
        raise result
    return result


def put_accounts(
    pipeline: Pipeline, actor: str, items: Sequence[Profile | MirrorscanError]
) -> tuple[list[Outcome], dict[str, int]]:
    """Add or replace many accounts; an item that did not parse keeps its error. Returns each
    item's outcome, in order, and the tally the audit entry records."""
    parse_errors = sum(isinstance(p, MirrorscanError) for p in items)

    def note(outcomes: list[Outcome]) -> AuditNote:
        return AuditNote(actor, "account.bulk", "", tally_of(outcomes, parse_errors))

    written = iter(pipeline.upsert([p for p in items if isinstance(p, Profile)], audit=note))
    outcomes: list[Outcome] = [
        p if isinstance(p, MirrorscanError) else next(written) for p in items
    ]
    return outcomes, tally_of(outcomes)


def tally_of(outcomes: Sequence[Outcome], more_errors: int = 0) -> dict[str, int]:
    counts = Counter("error" if isinstance(o, MirrorscanError) else o.outcome for o in outcomes)
    if more_errors:
        counts["error"] += more_errors
    return {str(k): v for k, v in counts.items()}


def remove_account(pipeline: Pipeline, actor: str, account_id: str) -> None:
    """Remove an account; ``NotFound`` when there is none by that id."""
    if not pipeline.remove(account_id, AuditNote(actor, "account.remove", account_id, {})):
        raise NotFound(f"no banned account with id {account_id!r}")
