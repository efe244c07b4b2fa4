"""The composition root: ``create_app`` builds the runtime (models, store, indexes, keys, the
executor) in the lifespan and mounts the JSON API and the moderator pages on one app. The API and
the pages never import each other; both reach the runtime through the request state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from service import __version__, api, web
from service.api.middleware import RequestGuard
from service.auth import KeyRing
from service.config import Settings
from service.runtime import Runtime


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        runtime = Runtime(settings, KeyRing.from_settings(settings))
        await runtime.open_shared()  # keys, sessions, checks: the store's, for every replica
        loading = asyncio.create_task(runtime.load())
        try:
            yield {"runtime": runtime, "web": web.WebState.create(settings)}
        finally:
            await loading
            await runtime.stop_background()
            await runtime.stop_following()
            await runtime.fetcher.aclose()
            await asyncio.to_thread(runtime.close)

    app = FastAPI(
        title="mirrorscan",
        version=__version__,
        summary="Calibrated likelihood that a profile re-creates a banned account, with evidence.",
        lifespan=lifespan,
    )
    api.mount(app, settings.limits)
    web.mount(app)
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.limits.max_body_bytes,
        deadline_s=settings.fairness.deadline_s,
    )
    return app
