"""ASGI middleware: a request body cap (413 before the body is read into memory), a request id
on every answer and log line, security headers, and request counts and latency by route
template (into the runtime's metrics).

It is the outermost layer of the app that sees every request, so it is also where an exception
nothing else answered becomes a problem (500, or 507/503 for a storage fault): such answers get
the request id, the security headers and their count on ``/metrics`` like any other. A request
id sent by the client is kept only when it is short and printable (``[A-Za-z0-9._:-]``, at most
64); anything else is replaced, so it cannot forge log lines."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.problems import PROBLEM, problem_body, problem_for_exception
from service.fairness import Lane, current_lane

log = logging.getLogger("mirrorscan.access")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
# Nothing but this site's own stylesheet, webfonts and images (and data: images); no script at
# all, no framing, forms post only here. Platform images are never hot-linked: the service
# serves its own re-encoded thumbnails.
CSP = (
    b"default-src 'none'; img-src 'self' data:; style-src 'self'; font-src 'self'; "
    b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# An answer that sets its own policy keeps it: /docs (service/api/docs.py) allows this site's
# scripts, nothing from elsewhere.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_from(header: str | None) -> str:
    """The client's request id when it is short and printable, else a fresh one."""
    if header is not None and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex[:16]


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int, deadline_s: float = 30.0) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.deadline_s = deadline_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(_header(scope, b"x-request-id"))
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder: dict[str, int] = {}

        async def send_wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend((k, v) for k, v in SECURITY_HEADERS if k not in names)
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP))
                message = {**message, "headers": headers}
            await send(message)

        client = scope.get("client")
        # the request's lane for the CPU workers: its deadline, its client, and its key once
        # authenticated (service.fairness; service.api.deps names the key)
        lane = Lane(f"addr:{client[0] if client else 'unknown'}",
                    time.monotonic() + self.deadline_s)  # fmt: skip
        token = current_lane.set(lane)
        try:
            await self._guarded(scope, receive, send_wrapped, lane)
        except Exception as exc:  # answered here: nothing outside adds the id or the headers
            if "status" in status_holder:  # the answer had begun: nothing more can be sent
                log.error("error after the response started id=%s", request_id, exc_info=exc)
            else:
                body, headers = problem_for_exception(exc, scope["path"], request_id)
                await _send_problem(send_wrapped, body, headers)
        finally:
            current_lane.reset(token)
        elapsed = time.perf_counter() - started
        status = status_holder.get("status", 0) or (499 if lane.gone else 0)
        log.info(
            "%s %s %s %.1fms id=%s",
            scope["method"],
            scope["path"],
            status,
            elapsed * 1000,
            request_id,
        )
        runtime = scope.get("state", {}).get("runtime")
        if runtime is not None:
            route = getattr(scope.get("route"), "path", "unmatched")  # the template, not the path
            runtime.metrics.observe_request(route, scope["method"], status, elapsed)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, lane: Lane) -> None:
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await self._too_large(send, scope)
        elif declared is None and scope["method"] in ("POST", "PUT", "PATCH"):
            # chunked: buffer up to the cap (bounded memory), refuse past it, then replay
            body = await self._read_capped(receive)
            if body is None:
                await self._too_large(send, scope)
            else:
                lane.receive = _replay(body, receive)
                await self.app(scope, lane.receive, send)
        else:
            lane.receive = receive
            await self.app(scope, receive, send)

    async def _read_capped(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _too_large(self, send: Send, scope: Scope) -> None:
        path = str(scope["path"])
        if not path.startswith("/v1/") and "text/html" in (_header(scope, b"accept") or ""):
            await _send_page(
                send,
                413,
                _TOO_LARGE_PAGE.format(
                    limit=f"{self.max_body:,}", back="/bank" if path.startswith("/bank") else "/"
                ),
            )
            return
        body = problem_body(
            413,
            "Payload too large",
            f"the request body exceeds {self.max_body} bytes",
            "https://mirrorscan.dev/problems/payload-too-large",
            instance=scope["path"],
            request_id=scope["state"]["request_id"],
        )
        await _send_problem(send, body, {})


# A moderator's form past the body limit (a file too large for the bank page's upload): the
# browser shows a page in words, not a problem document. The pages' templates are not reachable
# from here (the API and the pages are independent), so the page is this one string.
_TOO_LARGE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too large · mirrorscan</title><link rel="stylesheet" href="/static/style.css"></head>
<body><main id="main"><h1>Too large</h1>
<p class="error" role="alert">The file is larger than {limit} bytes, the most one form may send.
Split it into smaller files and upload each, or ask an admin to run
<code>mirrorscan bank import</code> for a large file.</p>
<p><a href="{back}">Back</a></p></main></body></html>
"""


async def _send_page(send: Send, status: int, page: str) -> None:
    raw = page.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(raw)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


async def _send_problem(send: Send, body: dict[str, Any], headers: dict[str, str]) -> None:
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": int(body["status"]),
            "headers": [
                (b"content-type", PROBLEM.encode()),
                (b"content-length", str(len(raw)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in headers.items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _header(scope: Scope, name: bytes) -> Any:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None
