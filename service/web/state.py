"""What the web pages keep for the app's lifetime: templates and the session cookies' handler.
Sessions and checks awaiting their result page live in the store (``runtime.shared``), so any
replica serves any page. Created by the app's lifespan, reached as ``request.state.web``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.templating import Jinja2Templates

from service.config import Settings
from service.web.session import SessionCookies

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@dataclass(frozen=True, slots=True)
class WebState:
    settings: Settings
    templates: Jinja2Templates
    sessions: SessionCookies

    @classmethod
    def create(cls, settings: Settings) -> WebState:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,  # a typo in a template fails the test, not the moderator
            trim_blocks=True,
            lstrip_blocks=True,
        )
        return cls(
            settings=settings,
            templates=Jinja2Templates(env=env),
            sessions=SessionCookies(settings),
        )
