"""The JSON API under ``/v1``: routes, their dependencies and the problem+json mapping. Mounted
by the composition root (``service.app``); it reaches the runtime through the request state."""

from __future__ import annotations

from fastapi import FastAPI

from service.api import docs, problems
from service.api.routes import accounts, decisions, health, jobs, keys, metrics, score


def mount(app: FastAPI) -> None:
    """The error handlers (problem+json), the offline docs and every route of the API."""
    problems.install(app)
    docs.install(app)
    for module in (health, score, accounts, decisions, metrics, jobs, keys):
        app.include_router(module.router)
