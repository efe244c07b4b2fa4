"""One error shape for every answer: ``application/problem+json`` (RFC 9457). Domain errors carry
their status; validation errors become 422 with the offending fields; a storage fault becomes 507
or 503; anything else is a logged 500 that leaks nothing. Every problem names the request's id
(``request_id``, also the ``X-Request-Id`` header), and a 5xx never carries internal text (SQL,
paths, tracebacks): those go to the log under the same id."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import INTERNAL_DETAIL, MirrorscanError, storage_error

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
INTERNAL_TYPE = "https://mirrorscan.dev/problems/internal"


def problem_body(
    status: int, title: str, detail: str, type_uri: str = "about:blank", **extra: Any
) -> dict[str, Any]:
    return {"type": type_uri, "title": title, "status": status, "detail": detail, **extra}


def problem_of(exc: MirrorscanError) -> dict[str, Any]:
    detail = exc.detail if exc.public or exc.status < 500 else INTERNAL_DETAIL
    body = problem_body(exc.status, exc.title, detail, exc.type_uri)
    errors = getattr(exc, "errors", None)  # an import refused names each line or object
    if isinstance(errors, list):
        body["errors"] = errors
    return body


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=int(body["status"]), media_type=PROBLEM, headers=headers)


def problem_for_exception(
    exc: BaseException, instance: str, request_id: str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The problem and headers answering any exception: a domain error as it says, a storage
    fault as 507/503, anything else as a bare 500 (logged with its traceback)."""
    domain = exc if isinstance(exc, MirrorscanError) else storage_error(exc)
    if domain is None:
        log.error("unexpected error on %s id=%s", instance, request_id, exc_info=exc)
        body = problem_body(500, "Internal error", INTERNAL_DETAIL, INTERNAL_TYPE)
    else:
        if domain.status >= 500:
            log.warning("%s on %s id=%s: %s", domain.title, instance, request_id, exc, exc_info=exc)
        body = problem_of(domain)
    body["instance"] = instance
    if request_id:
        body["request_id"] = request_id
    return body, headers_for(domain)


def headers_for(exc: MirrorscanError | None) -> dict[str, str]:
    if exc is None:
        return {}
    if exc.status == 401:
        return {"WWW-Authenticate": "X-API-Key"}
    if exc.headers:  # Retry-After of a 429 (throttle, rate limit) or an overloaded 503
        return exc.headers
    if exc.status in (503, 507):
        return {"Retry-After": "5"}
    return {}


def request_id_of(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


def _domain(request: Request, exc: Exception) -> JSONResponse:
    body, headers = problem_for_exception(exc, request.url.path, request_id_of(request))
    return problem_response(body, headers or None)


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
    if rid := request_id_of(request):
        body["request_id"] = rid
    return problem_response(body)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    body = problem_body(
        exc.status_code, str(exc.detail), str(exc.detail), instance=request.url.path
    )
    if rid := request_id_of(request):
        body["request_id"] = rid
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
    return problem_response(body, headers)


def allowed_methods(request: Request) -> str:
    """Every method the path has, from the OpenAPI document (Starlette's 405 names only the
    first route that fits the path). A path that is an operation of its own
    (``/v1/accounts/bulk``) answers for its own methods, not for a template it also fits
    (``/v1/accounts/{account_id}``). Empty when the path is not in the document (the pages)."""
    path = request.url.path
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    if path in paths:
        return _methods(paths[path])
    for template, item in paths.items():
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path):
            return _methods(item)
    return ""


def _methods(item: dict[str, Any]) -> str:
    verbs = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return ", ".join(sorted(m.upper() for m in item if m in verbs))


def install(app: FastAPI) -> None:
    """Handlers for what the routes raise. Anything else (and a storage fault raised as an
    ``OSError``) reaches ``RequestGuard``, the outermost middleware of the app, which answers it
    with the same problem shape, the request id and the security headers, and counts it."""
    app.add_exception_handler(MirrorscanError, _domain)
    app.add_exception_handler(OSError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
