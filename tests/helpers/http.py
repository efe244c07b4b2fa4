"""Talking to a test app: waiting until it is ready, checking problem answers."""

from __future__ import annotations

import time
from typing import Any


def wait_ready(client: Any, timeout: float = 300.0) -> None:
    """Poll a TestClient's /readyz until the pipeline has loaded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError(f"not ready: {client.get('/readyz').json()}")


def assert_problem(r: Any, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return dict(body)
