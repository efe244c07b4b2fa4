"""Test harness for the moderator pages: the real app under uvicorn on 127.0.0.1 in a background
thread, and a local "platform" that serves a profile page and its avatar, reached by the real
fetcher through the test-only ``FetchSettings.test_origin``."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import uvicorn

from service.app import create_app
from service.config import Settings

DEMO = Path(__file__).resolve().parents[2] / "demo"

# A public Telegram channel page as t.me serves it (the parts its reader uses), for a channel
# that re-creates the demo bank's TTP media account with the same logo.
TELEGRAM_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Telegram: Contact @ttpmedia_backup</title>
<meta property="og:title" content="TTP Media Backup">
<meta property="og:image" content="https://cdn4.telesco.pe/file/ttp-avatar.png">
</head><body><div class="tgme_page">
<div class="tgme_page_photo"><img class="tgme_page_photo_image"
  src="https://cdn4.telesco.pe/file/ttp-avatar.png"></div>
<div class="tgme_page_title"><span dir="auto">TTP Media Backup</span></div>
<div class="tgme_page_extra">@ttpmedia_backup</div>
<div class="tgme_page_description">Official media of Tehreek-e-Taliban Pakistan. Statements and
videos. New channel after the ban.</div>
</div></body></html>"""


class _Platform(BaseHTTPRequestHandler):
    """``/ttpmedia_backup`` is the channel page, ``/file/ttp-avatar.png`` its avatar; every
    request's path is recorded so a test can tell what the fetcher asked for."""

    protocol_version = "HTTP/1.1"
    asked: list[str]

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self.asked.append(path)
        if path == "/ttpmedia_backup":
            self._send(200, "text/html; charset=utf-8", TELEGRAM_PAGE.encode())
        elif path == "/file/ttp-avatar.png":
            self._send(200, "image/png", (DEMO / "avatars" / "ttp.png").read_bytes())
        else:
            self._send(404, "text/html", b"<title>Not found</title>")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Platform:
    def __init__(self, origin: str, asked: list[str]) -> None:
        self.origin = origin
        self.asked = asked


@contextmanager
def platform_server() -> Iterator[Platform]:
    """The local platform on 127.0.0.1 only, in a background thread."""
    asked: list[str] = []
    handler = type("Handler", (_Platform,), {"asked": asked})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Platform(f"http://127.0.0.1:{httpd.server_address[1]}", asked)
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def running_app(settings: Settings, ready_timeout_s: float = 300.0) -> Iterator[str]:
    """The real app (lifespan, middleware, pages) served by uvicorn on a free loopback port;
    yields its base URL once ``/readyz`` says ready."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        create_app(settings), log_level="warning", ws="none", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_ready(base, ready_timeout_s)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def _wait_ready(base: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        try:
            r = httpx.get(f"{base}/readyz", timeout=2.0)
            if r.status_code == 200:
                return
            last = r.text
        except httpx.TransportError as exc:
            last = repr(exc)
        time.sleep(0.1)
    raise AssertionError(f"the app did not get ready: {last}")


def demo_bank() -> list[dict[str, object]]:
    """The demo bank as API bodies (avatars inline)."""
    out = []
    for line in (DEMO / "bank.jsonl").read_text().splitlines():
        item = json.loads(line)
        path = item.pop("avatar_path")
        if path:
            item["avatar_b64"] = base64.b64encode((DEMO / path).read_bytes()).decode()
        out.append(item)
    return out


def seed_demo_bank(base: str, key: str) -> None:
    r = httpx.post(
        f"{base}/v1/accounts/bulk",
        json={"accounts": demo_bank()},
        headers={"X-API-Key": key},
        timeout=120.0,
    )
    assert r.status_code == 200, r.text
    assert r.json()["counts"] == {"created": 9}, r.json()
