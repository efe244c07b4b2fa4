"""Sign in with an API key (the session keeps its label and scopes, never the key); sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from service.errors import Unauthorized
from service.web.pages import NO_STORE, Anyone, CsrfOk, PageRoute, redirect, render, safe_next
from service.web.session import signed_in

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
    try:
        principal = ctx.runtime.keys.authenticate(api_key.strip())
    except Unauthorized:
        return render(
            ctx,
            "signin.html",
            401,
            next=safe_next(next),
            error="That API key is not valid. Paste the whole key, as it was given to you.",
        )
    # a new CSRF token with the new identity: a token seen before sign-in is worth nothing after
    return redirect(ctx.with_session(signed_in(principal.label, principal.scopes)), safe_next(next))


@router.post("/signout")
async def signout(ctx: Anyone, _csrf: CsrfOk) -> Response:
    response = RedirectResponse("/signin", status_code=303, headers=NO_STORE)
    ctx.web.sessions.clear(ctx.request, response)
    return response
