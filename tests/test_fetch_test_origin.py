"""The test-only ``FetchSettings.test_origin``: with ``allow_loopback`` every request goes to the
loopback origin (path and query kept, allow-lists still checked on the real URL); without
``allow_loopback`` it changes nothing."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from service.config import FetchSettings
from service.errors import FetchRefused
from service.ingest.fetch import SafeFetcher
from tests.helpers.fetch_server import PNG, Server, serve


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def fetch(settings: FetchSettings, kind: str, url: str, platform: str, **patch: Any) -> Any:
    async def go() -> Any:
        async with SafeFetcher(settings) as fetcher:
            for name, value in patch.items():
                setattr(fetcher, name, value)
            if kind == "image":
                return await fetcher.fetch_image(url, platform)
            return await fetcher.fetch_page(url, platform)

    return asyncio.run(go())


def test_requests_go_to_the_test_origin_with_loopback_allowed(server: Server) -> None:
    settings = FetchSettings(allow_loopback=True, test_origin=server.base, deadline_s=2.0)
    before = server.state.hits.get("/page", 0)
    page = fetch(settings, "page", "https://t.me/to-page?x=1", "telegram")
    assert page.url == "https://t.me/page", "the page keeps its real URL; the redirect too"
    assert "Café" in page.text and server.state.hits["/page"] == before + 1
    assert fetch(settings, "image", "https://cdn4.telesco.pe/image.png", "telegram") == PNG


def test_allow_lists_still_apply_to_the_real_url(server: Server) -> None:
    settings = FetchSettings(allow_loopback=True, test_origin=server.base, deadline_s=2.0)
    before = dict(server.state.hits)
    with pytest.raises(FetchRefused, match="allow-list"):
        fetch(settings, "page", "https://evil.example/page", "telegram")
    with pytest.raises(FetchRefused, match="allow-list"):
        fetch(settings, "image", "https://pbs.twimg.com/image.png", "telegram")
    assert server.state.hits == before


def test_ignored_without_allow_loopback(server: Server) -> None:
    settings = FetchSettings(allow_loopback=False, test_origin=server.base, deadline_s=2.0)
    before = dict(server.state.hits)

    async def resolve(host: str, port: int) -> list[ipaddress.IPv4Address]:
        assert host == "t.me", "the real host is resolved, not the test origin"
        return [ipaddress.IPv4Address("10.0.0.1")]

    with pytest.raises(FetchRefused, match="t.me"):
        fetch(settings, "page", "https://t.me/page", "telegram", _resolve=resolve)
    assert server.state.hits == before


@pytest.mark.parametrize(
    "origin",
    ["http://example.com:8080", "http://10.0.0.1:80", "ftp://127.0.0.1:21",
     "http://127.0.0.1:8080/path", "http://user@127.0.0.1:1"],
)  # fmt: skip
def test_only_a_loopback_origin_is_accepted(origin: str) -> None:
    with pytest.raises(ValidationError, match="test_origin"):
        FetchSettings(test_origin=origin)
