"""The review queue's pages without a browser: off by default (the page says so and every
action is 404), forms need their CSRF token, and an unknown item is a 404 page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import QueueSettings
from tests.helpers.http import wait_ready
from tests.helpers.settings import SCORE_KEY, fake_settings

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "every form carries a CSRF token"
    return found.group(1)


def client_for(tmp_path: Path, enabled: bool) -> Iterator[TestClient]:
    settings = fake_settings(tmp_path, queue=QueueSettings(enabled=enabled))
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        wait_ready(c)
        token = csrf_of(c.get("/signin").text)
        r = c.post("/signin", data={"api_key": SCORE_KEY, "csrf_token": token},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303, r.text
        yield c


@pytest.fixture
def off(tmp_path: Path) -> Iterator[TestClient]:
    yield from client_for(tmp_path, enabled=False)


@pytest.fixture
def on(tmp_path: Path) -> Iterator[TestClient]:
    yield from client_for(tmp_path, enabled=True)


def test_off_by_default_says_so_and_refuses_every_action(off: TestClient) -> None:
    home = off.get("/").text
    assert 'href="/queue"' not in home, "no link to a queue that is off"
    page = off.get("/queue")
    assert page.status_code == 200 and "MIRRORSCAN_QUEUE__ENABLED=true" in page.text
    token = csrf_of(home)
    for path in ("/queue/next", "/queue/1/claim", "/queue/1/skip", "/queue/1/decide"):
        r = off.post(path, data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 404, path
    assert off.get("/queue/1").status_code == 404


def test_on_forms_need_the_token_and_unknown_items_are_404(on: TestClient) -> None:
    home = on.get("/").text
    assert 'href="/queue"' in home
    assert on.post("/queue/next", data={}, follow_redirects=False).status_code == 403
    token = csrf_of(home)
    r = on.post("/queue/next", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/queue?order=oldest&empty=true"
    assert "Nothing is waiting" in on.get(r.headers["location"]).text
    r = on.post("/queue/99/claim", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 404
    assert on.get("/queue/99").status_code == 404
    assert on.get("/queue?order=sideways").status_code == 422
