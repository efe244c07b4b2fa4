"""Dependency aliases for routes: the runtime, the pipeline, and the caller with a scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from service.auth import Principal
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


def require(scope: str) -> Callable[[Principal], Principal]:
    def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        principal.require(scope)
        return principal

    return check


ScoreCaller = Annotated[Principal, Depends(require("score"))]
BankWriter = Annotated[Principal, Depends(require("bank:write"))]
Admin = Annotated[Principal, Depends(require("admin"))]
