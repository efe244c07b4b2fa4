"""Dependency aliases for routes: the runtime, the pipeline, and the caller with a scope."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from service.auth import Principal
from service.errors import InvalidInput
from service.fairness import current_lane
from service.pipeline import Pipeline
from service.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_pipeline(runtime: RuntimeDep) -> Pipeline:
    return runtime.pipeline


PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]


def get_principal(
    request: Request,
    runtime: RuntimeDep,
    x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None,
) -> Principal:
    """The caller; failed keys are throttled per client address and key prefix (429)."""
    address = request.client.host if request.client else None
    return runtime.keys.authenticate(x_api_key, address)


def require(scope: str) -> Callable[[RuntimeDep, Principal], AsyncIterator[Principal]]:
    """The caller, with ``scope``; admitted by its key's rate and concurrency limits for that
    scope (429 past them), and its work queued under its key (``service.fairness``)."""

    async def check(
        runtime: RuntimeDep, principal: Annotated[Principal, Depends(get_principal)]
    ) -> AsyncIterator[Principal]:
        principal.require(scope)
        lane = current_lane.get()
        if lane is not None:
            lane.key = principal.key_id
        with runtime.admission.admit(principal.key_id, scope):
            yield principal

    return check


ScoreCaller = Annotated[Principal, Depends(require("score"))]
BankWriter = Annotated[Principal, Depends(require("bank:write"))]
Admin = Annotated[Principal, Depends(require("admin"))]


def known_query(request: Request) -> None:
    """A query parameter the route does not take is a 422, not silently ignored (a typo in
    ``?befor=`` would otherwise read the first page)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    known = _query_names(route.dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        shown = ", ".join(repr(u[:40]) for u in unknown[:5])
        raise InvalidInput(f"unknown query parameters: {shown}")


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names
