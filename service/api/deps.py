"""Dependency aliases for routes: the runtime, the pipeline, and the caller with a scope."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from service.auth import Principal
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


# a security scheme in the OpenAPI document (not a plain header parameter); a missing key is
# answered by ``KeyRing.authenticate`` as a 401 problem like a wrong one
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key")


def get_principal(
    runtime: RuntimeDep, x_api_key: Annotated[str | None, Depends(API_KEY)] = None
) -> Principal:
    return runtime.keys.authenticate(x_api_key)


def require(scope: str) -> Callable[[RuntimeDep, Principal], AsyncIterator[Principal]]:
    """The caller, with ``scope``; admitted by its key's rate and concurrency limits for that
    scope (429 past them), and its work queued under its key (``service.fairness``)."""

    async def check(
        runtime: RuntimeDep, principal: Annotated[Principal, Depends(get_principal)]
    ) -> AsyncIterator[Principal]:
        principal.require(scope)
        lane = current_lane.get()
        if lane is not None:
            lane.key = principal.label
        with runtime.admission.admit(principal.label, scope):
            yield principal

    return check


ScoreCaller = Annotated[Principal, Depends(require("score"))]
BankWriter = Annotated[Principal, Depends(require("bank:write"))]
Admin = Annotated[Principal, Depends(require("admin"))]
