"""The JSON API under ``/v1``: routes, their dependencies and the problem+json mapping. Mounted
by the composition root (``service.app``); it reaches the runtime through the request state."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from service.api import docs, openapi, problems
from service.api.deps import known_query
from service.api.routes import (
    accounts,
    audit,
    banks,
    decisions,
    health,
    jobs,
    keys,
    metrics,
    score,
    webhooks,
)
from service.config import LimitSettings


def mount(app: FastAPI, limits: LimitSettings | None = None) -> None:
    """The error handlers (problem+json), the offline docs, every route of the API, and the
    OpenAPI document with the errors and limits the server has."""
    problems.install(app)
    docs.install(app)
    for module in (health, score, accounts, banks, decisions, metrics, jobs, keys, webhooks, audit):
        app.include_router(module.router, dependencies=[Depends(known_query)])
    openapi.install(app, limits or LimitSettings())
