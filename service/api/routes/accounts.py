"""The bank: add, update, read and remove banned accounts. Every write is audited."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from service.api.deps import BankWriter, PipelineDep, RuntimeDep
from service.api.problems import problem_of
from service.api.schemas import AccountOut, BulkIn, BulkItem, BulkOut
from service.errors import InvalidInput, MirrorscanError, NotFound
from service.ingest.records import AccountFields
from service.runtime import parse_items
from service.usecases import bank

router = APIRouter(prefix="/v1/accounts", tags=["bank"])


@router.put(
    "/{account_id}",
    response_model=AccountOut,
    summary="Add or replace a banned account",
    responses={201: {"model": AccountOut, "description": "created (or restored)"}},
)
async def put_account(
    account_id: str,
    body: AccountFields,
    response: Response,
    runtime: RuntimeDep,
    pipeline: PipelineDep,
    caller: BankWriter,
) -> AccountOut:
    """Upsert by id; the account is matchable as soon as this returns."""
    if not 0 < len(account_id) <= 200:
        raise InvalidInput("account id must be 1 to 200 characters")
    profile = body.to_profile(account_id, body.group)
    result = await runtime.run(bank.put_account, pipeline, caller.label, profile, body.bank)
    if result.outcome in ("created", "restored"):
        response.status_code = status.HTTP_201_CREATED
    stored = await runtime.run(pipeline.store.get, account_id)
    assert stored is not None
    return AccountOut.of(stored, await runtime.run(pipeline.store.banks.provenance, account_id))


@router.get("/{account_id}", response_model=AccountOut, summary="Read a banned account")
async def get_account(
    account_id: str, runtime: RuntimeDep, pipeline: PipelineDep, _caller: BankWriter
) -> AccountOut:
    stored = await runtime.run(pipeline.store.get, account_id)
    if stored is None or stored.removed:
        raise NotFound(f"no banned account with id {account_id!r}")
    return AccountOut.of(stored, await runtime.run(pipeline.store.banks.provenance, account_id))


@router.delete(
    "/{account_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a banned account"
)
async def delete_account(
    account_id: str, runtime: RuntimeDep, pipeline: PipelineDep, caller: BankWriter
) -> Response:
    await runtime.run(bank.remove_account, pipeline, caller.label, account_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/bulk", response_model=BulkOut, summary="Upsert many banned accounts")
async def bulk(
    body: BulkIn, runtime: RuntimeDep, pipeline: PipelineDep, caller: BankWriter
) -> BulkOut:
    """Up to ``limits.max_bulk`` accounts of one bank (each item's ``bank``, the same for all, or
    none: existing accounts keep theirs, new ones go to the default bank); a result per item,
    in order. Costs its key one rate-limit unit per account."""
    runtime.admission.charge(caller.key_id, "bank:write", len(body.accounts) - 1)
    named = {a.bank for a in body.accounts if a.bank is not None}
    if len(named) > 1:
        raise InvalidInput(f"one bank per bulk request; these name {sorted(named)}")
    target = next(iter(named), None)
    parsed = parse_items(body.accounts, limit=runtime.settings.limits.max_bulk, what="bulk")
    outcomes, tally = await runtime.run(bank.put_accounts, pipeline, caller.label, parsed, target)
    results = [
        BulkItem(id=item.id, status="error", error=problem_of(outcome))
        if isinstance(outcome, MirrorscanError)
        else BulkItem(id=item.id, status=outcome.outcome)
        for item, outcome in zip(body.accounts, outcomes, strict=True)
    ]
    return BulkOut(results=results, counts=tally)
