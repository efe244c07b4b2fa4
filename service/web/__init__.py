"""The moderator pages: server-rendered (Jinja2, plain forms, post-redirect-get), no build step
and no JavaScript. They call only the pipeline and the store, through the app's runtime."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from service.web.routes import auth, bank, check, decisions, fonts, queue
from service.web.state import STATIC, WebState

__all__ = ["WebState", "mount"]


def mount(app: FastAPI) -> None:
    """Add the pages, their stylesheet and webfonts to ``app``; its lifespan must yield ``web``
    (a ``WebState``) beside ``runtime``."""
    for module in (auth, check, decisions, bank, queue, fonts):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
