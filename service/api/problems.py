"""One error shape for every answer: ``application/problem+json`` (RFC 9457). Domain errors carry
their status; validation errors become 422 with the offending fields; anything unexpected is a
logged 500 that leaks nothing."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import MirrorscanError

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem_body(
    status: int, title: str, detail: str, type_uri: str = "about:blank", **extra: Any
) -> dict[str, Any]:
    return {"type": type_uri, "title": title, "status": status, "detail": detail, **extra}


def problem_of(exc: MirrorscanError) -> dict[str, Any]:
    return problem_body(exc.status, exc.title, exc.detail, exc.type_uri)


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=int(body["status"]), media_type=PROBLEM, headers=headers)


def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MirrorscanError)
    body = problem_of(exc)
    body["instance"] = request.url.path
    headers = {"WWW-Authenticate": "X-API-Key"} if exc.status == 401 else None
    if exc.status == 503:
        headers = {"Retry-After": "5"}
    headers = {**(headers or {}), **exc.headers} or None  # e.g. Retry-After of a 429
    return problem_response(body, headers)


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    where = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
    body = problem_body(
        422,
        "Invalid request",
        where or "the request body does not match the schema",
        "https://mirrorscan.dev/problems/invalid-request",
        errors=errors,
        instance=request.url.path,
    )
    return problem_response(body)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    body = problem_body(
        exc.status_code, str(exc.detail), str(exc.detail), instance=request.url.path
    )
    return problem_response(body, dict(exc.headers or {}))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    body = problem_body(
        500,
        "Internal error",
        "an unexpected error occurred; it was logged",
        instance=request.url.path,
    )
    return problem_response(body)


def install(app: FastAPI) -> None:
    app.add_exception_handler(MirrorscanError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
