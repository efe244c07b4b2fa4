"""The app factory. The lifespan owns every resource: the executor, the models, the store and the
indexes (loaded in the background so ``/readyz`` answers 503 until they are ready)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from service import __version__, web
from service.api import docs, problems
from service.api.auth import KeyRing
from service.api.middleware import RequestGuard
from service.api.routes import accounts, decisions, health, jobs, metrics, score
from service.api.runtime import Runtime
from service.config import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        runtime = Runtime(settings, KeyRing.from_settings(settings))
        loading = asyncio.create_task(runtime.load())
        try:
            yield {"runtime": runtime, "web": web.WebState.create(settings)}
        finally:
            await loading
            await runtime.fetcher.aclose()
            await asyncio.to_thread(runtime.close)

    app = FastAPI(
        title="mirrorscan",
        version=__version__,
        summary="Calibrated likelihood that a profile re-creates a banned account, with evidence.",
        lifespan=lifespan,
        responses={
            401: {"description": "missing or invalid API key (problem+json)"},
            403: {"description": "the key lacks the scope (problem+json)"},
            413: {"description": "body too large (problem+json)"},
            422: {"description": "invalid input (problem+json)"},
            503: {"description": "not ready (problem+json)"},
        },
    )
    problems.install(app)
    docs.install(app)
    app.include_router(health.router)
    app.include_router(score.router)
    app.include_router(accounts.router)
    app.include_router(decisions.router)
    web.mount(app)
    app.include_router(metrics.router)
    app.include_router(jobs.router)
    app.add_middleware(RequestGuard, max_body_bytes=settings.limits.max_body_bytes)
    return app
