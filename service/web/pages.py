"""Plumbing shared by the moderator pages: the per-request context (session, runtime), the
scope and CSRF checks, rendering, and a route class that turns every error into an HTML page.

The JSON API answers errors as problem+json and authenticates with ``X-API-Key`` only; these
pages authenticate with the session cookie and check a CSRF token on every POST."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from service.errors import Forbidden, InvalidInput, MirrorscanError, NotReady, PayloadTooLarge
from service.runtime import Runtime
from service.web.session import Session, anonymous
from service.web.state import WebState

NO_STORE = {"Cache-Control": "no-store"}


class SignInRequired(Exception):
    """Raised by a page that needs a signed-in moderator; answered with a redirect."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True, slots=True)
class PageContext:
    request: Request
    web: WebState
    runtime: Runtime
    session: Session
    fresh: bool  # the session cookie must be (re)written on the answer

    @property
    def label(self) -> str:
        assert self.session.label is not None
        return self.session.label

    def with_session(self, session: Session) -> PageContext:
        return PageContext(self.request, self.web, self.runtime, session, True)


def read_session(request: Request) -> tuple[Session, bool]:
    """The request's session (anonymous and fresh when absent, forged, expired, signed out, or
    when its key is revoked or no longer known); a signed-in session takes its scopes from the
    key ring. Blocking (a store read): FastAPI runs this sync dependency in a thread."""
    web: WebState = request.state.web
    runtime: Runtime = request.state.runtime
    try:
        shared = runtime.shared
    except NotReady:
        shared = None  # still opening: anonymous
    session = web.sessions.read(request, shared)
    if session is None:
        return anonymous(), True
    if session.label is not None:
        scopes = runtime.keys.scopes_for(session.key_ref)
        if scopes is None:
            return anonymous(), True
        session = replace(session, scopes=scopes)
    return session, False


def page_context(request: Request) -> PageContext:
    session, fresh = read_session(request)
    return PageContext(request, request.state.web, request.state.runtime, session, fresh)


Ctx = Annotated[PageContext, Depends(page_context)]


def signed_in(scope: str | None = None) -> Callable[[PageContext], PageContext]:
    """A dependency: a signed-in moderator (with ``scope``), else a redirect to sign in."""

    def check(ctx: Ctx) -> PageContext:
        if not ctx.session.signed_in:
            url = ctx.request.url
            raise SignInRequired(url.path + (f"?{url.query}" if url.query else ""))
        if scope is not None and not ctx.session.can(scope):
            raise Forbidden(f"your API key lacks the '{scope}' scope needed for this page")
        return ctx

    return check


def csrf_checked(ctx: Ctx, csrf_token: Annotated[str, Form(max_length=200)] = "") -> None:
    """Every form carries the session's CSRF token; a POST without it, or with another, is 403."""
    if not ctx.session.csrf_ok(csrf_token):
        raise Forbidden("the form's security token is missing or out of date; reload the page")


CsrfOk = Annotated[None, Depends(csrf_checked)]
Anyone = Ctx
Moderator = Annotated[PageContext, Depends(signed_in("score"))]
BankEditor = Annotated[PageContext, Depends(signed_in("bank:write"))]
Viewer = Annotated[PageContext, Depends(signed_in())]


def render(ctx: PageContext, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    response = ctx.web.templates.TemplateResponse(
        ctx.request,
        template,
        {"session": ctx.session, "csrf": ctx.session.csrf, "path": ctx.request.url.path} | values,
        status_code=status,
        headers=NO_STORE,
    )
    if ctx.fresh:
        ctx.web.sessions.write(ctx.request, response, ctx.session)
    return response


def redirect(ctx: PageContext, url: str) -> RedirectResponse:
    """See other (303): the browser follows with a GET, so a reload never re-posts a form."""
    response = RedirectResponse(url, status_code=303, headers=NO_STORE)
    if ctx.fresh:
        ctx.web.sessions.write(ctx.request, response, ctx.session)
    return response


def safe_next(value: str | None) -> str:
    """Only a path on this site: never ``//host``, ``/\\host`` or a scheme (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(ch) < 0x20 for ch in value):
        return "/"
    return value


async def read_upload(ctx: PageContext, upload: UploadFile | None) -> bytes | None:
    """An uploaded file's bytes, capped at the image limit; None when no file was chosen (a
    browser sends an empty part then)."""
    if upload is None:
        return None
    cap = ctx.web.settings.limits.max_image_bytes
    data = await upload.read(cap + 1)
    await upload.close()
    if len(data) > cap:
        raise PayloadTooLarge(f"the avatar is larger than {cap:,} bytes")
    return data or None


def error_page(request: Request, exc: MirrorscanError) -> Response:
    """The error as a page (blocking: the session is read from the store)."""
    session, fresh = read_session(request)
    ctx = PageContext(request, request.state.web, request.state.runtime, session, fresh)
    headers = exc.headers or ({"Retry-After": "5"} if exc.status in (503, 507) else {})
    response = render(ctx, "error.html", exc.status, title=exc.title, detail=exc.detail)
    if headers:
        response.headers.update(headers)
    return response


class PageRoute(APIRoute):
    """Routes whose errors are HTML pages: a domain error shows its title and detail with its
    status, a malformed form is a 422 page, and a signed-out visitor is sent to sign in."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handle(request)
            except SignInRequired as exc:
                return RedirectResponse(
                    f"/signin?next={quote(exc.next_path, safe='/')}", 303, headers=NO_STORE
                )
            except MirrorscanError as exc:
                return await run_in_threadpool(error_page, request, exc)
            except RequestValidationError as exc:
                fields = sorted({str(e.get("loc", ("", ""))[-1]) for e in exc.errors()})
                invalid = InvalidInput(f"check these fields: {', '.join(fields)}")
                return await run_in_threadpool(error_page, request, invalid)

        return page_handler
