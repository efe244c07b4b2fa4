"""Sign in with an API key (a session record in the store keeps its label and which key it was,
never the key); sign out (the record is deleted: the cookie is worth nothing after, on every
replica). Failed sign-ins are throttled like failed API keys (per address and key prefix)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from service.errors import TooManyRequests, Unauthorized
from service.web.pages import NO_STORE, Anyone, CsrfOk, PageRoute, redirect, render, safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/signin")
async def signin_page(ctx: Anyone, next: str = "/") -> Response:
    if ctx.session.signed_in:
        return redirect(ctx, safe_next(next))
    return render(ctx, "signin.html", next=safe_next(next), error=None)


@router.post("/signin")
async def signin(
    ctx: Anyone,
    _csrf: CsrfOk,
    api_key: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    client = ctx.request.client
    try:
        principal = ctx.runtime.keys.authenticate(api_key.strip(), client.host if client else None)
    except Unauthorized:
        return render(
            ctx,
            "signin.html",
            401,
            next=safe_next(next),
            error="That API key is not valid. Paste the whole key, as it was given to you.",
        )
    except TooManyRequests as exc:
        response = render(
            ctx,
            "signin.html",
            429,
            next=safe_next(next),
            error=f"Too many failed sign-ins. Try again in {exc.headers['Retry-After']} seconds.",
        )
        response.headers.update(exc.headers)
        return response
    # a new session record, id and CSRF token: a token seen before sign-in is worth nothing after
    session = await run_in_threadpool(ctx.web.sessions.sign_in, ctx.runtime.shared, principal)
    return redirect(ctx.with_session(session), safe_next(next))


@router.post("/signout")
async def signout(ctx: Anyone, _csrf: CsrfOk) -> Response:
    await run_in_threadpool(ctx.web.sessions.sign_out, ctx.runtime.shared, ctx.session)
    response = RedirectResponse("/signin", status_code=303, headers=NO_STORE)
    ctx.web.sessions.clear(ctx.request, response)
    return response
