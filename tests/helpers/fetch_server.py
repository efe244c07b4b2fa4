"""A hostile little HTTP server on 127.0.0.1 for the fetcher tests: redirects to private
addresses, oversized and endless bodies, a slow drip, a gzip bomb, a login wall, cookies."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

BOMB = gzip.compress(b"\0" * 50_000_000, compresslevel=9)  # ~50 KB on the wire, 50 MB inflated
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4e60000000049454e44ae426082"
)


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: dict[str, int] = {}
        self.active = 0
        self.max_active = 0
        self.headers: dict[str, dict[str, str]] = {}


class _Handler(BaseHTTPRequestHandler):
    state: _State
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        with self.state.lock:
            self.state.hits[path] = self.state.hits.get(path, 0) + 1
            self.state.headers[path] = dict(self.headers.items())
        route = ROUTES.get(path)
        try:
            if route is None:
                self._send(404, "text/html", b"<title>Not found</title>")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return

    def _send(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _page(h: _Handler) -> None:
    h._send(200, "text/html; charset=utf-8", '<meta property="og:title" content="Café">'.encode())


def _slow(h: _Handler) -> None:
    with h.state.lock:
        h.state.active += 1
        h.state.max_active = max(h.state.max_active, h.state.active)
    time.sleep(0.3)
    with h.state.lock:
        h.state.active -= 1
    _page(h)


def _big_declared(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "50000000")
    h.end_headers()
    h.wfile.write(b"<html>" * 10)


def _big_chunked(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Connection", "close")
    h.end_headers()
    for _ in range(200):  # 200 x 64 KB, no Content-Length
        h.wfile.write(b"a" * 65536)


def _drip(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "1000")
    h.end_headers()
    for _ in range(1000):
        h.wfile.write(b"a")
        h.wfile.flush()
        time.sleep(0.2)


def _hang(h: _Handler) -> None:
    time.sleep(8)


def _bomb(h: _Handler) -> None:
    h._send(200, "text/html", BOMB, Content_Encoding="gzip")


def _gzip_ok(h: _Handler) -> None:
    body = gzip.compress(b'<meta property="og:title" content="Zipped">')
    h._send(200, "text/html", body, Content_Encoding="gzip")


ROUTES: dict[str, Callable[[_Handler], None]] = {
    "/page": _page,
    "/slow": _slow,
    "/image.png": lambda h: h._send(200, "image/png", PNG),
    "/json": lambda h: h._send(200, "application/json", b"{}"),
    "/svg": lambda h: h._send(200, "image/svg+xml", b"<svg/>"),
    "/cookie": lambda h: h._send(200, "text/html", b"<p>", Set_Cookie="sid=secret; Path=/"),
    "/echo": _page,
    "/forbidden": lambda h: h._send(403, "text/html", b"<title>Blocked</title>"),
    "/gone": lambda h: h._send(404, "text/html", b"<title>Nope</title>"),
    "/login-wall": lambda h: h._redirect("/accounts/login/?next=/someone/"),
    "/to-page": lambda h: h._redirect("/page"),
    "/to-metadata": lambda h: h._redirect("http://169.254.169.254/latest/meta-data/"),
    "/to-private-https": lambda h: h._redirect("https://10.0.0.1/"),
    "/to-mapped": lambda h: h._redirect("https://[::ffff:10.0.0.1]/"),
    "/to-elsewhere": lambda h: h._redirect("https://evil.example/"),
    "/loop": lambda h: h._redirect("/loop"),
    "/big-declared": _big_declared,
    "/big-chunked": _big_chunked,
    "/drip": _drip,
    "/hang": _hang,
    "/bomb": _bomb,
    "/gzip-ok": _gzip_ok,
}


class Server:
    def __init__(self, base: str, state: _State) -> None:
        self.base = base
        self.state = state

    def url(self, path: str) -> str:
        return self.base + path


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client that hung up on a drip or a bomb is the expected case


@contextmanager
def serve() -> Iterator[Server]:
    """Serve ROUTES on 127.0.0.1 (never another interface) in a background thread."""
    state = _State()
    handler = type("Handler", (_Handler,), {"state": state})
    httpd = _Quiet(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", state)
    finally:
        httpd.shutdown()
        httpd.server_close()
