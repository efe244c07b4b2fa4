"""POST /v1/score/url: a pasted URL is canonicalised, fetched (here from saved real pages),
extracted and scored; refusals are problems."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service import runtime as runtime_module
from service.app import create_app
from tests.helpers.disk_fetcher import DiskFetcher
from tests.helpers.http import wait_ready
from tests.helpers.settings import SCORE_KEY, WRITE_KEY, fake_settings

PAGES = {"https://t.me/unlimitedhangout": "telegram-channel.html"}


class SavedPages(DiskFetcher):
    def __init__(self, _settings: object) -> None:
        super().__init__(PAGES)

    async def aclose(self) -> None:
        return None


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setattr(runtime_module, "SafeFetcher", SavedPages)
    with TestClient(create_app(fake_settings(tmp_path))) as c:
        wait_ready(c)
        yield c


def test_score_by_url_returns_the_extracted_profile(client: TestClient) -> None:
    from tests.helpers.settings import shared_data

    shared_data("pages")
    put = client.put("/v1/accounts/uh-1", headers={"X-API-Key": WRITE_KEY}, json={
        "platform": "telegram", "handle": "unlimitedhangout", "display_name": "Unlimited Hangout",
        "group": "test group"})  # fmt: skip
    assert put.status_code == 201
    r = client.post("/v1/score/url", headers={"X-API-Key": SCORE_KEY},
                    json={"url": "https://t.me/s/UnlimitedHangout/123"})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["profile"]["handle"] == "unlimitedhangout"
    assert body["profile"]["display_name"] == "Unlimited Hangout"
    assert body["id"] == "telegram:unlimitedhangout"
    assert body["matches"][0]["account_id"] == "uh-1"
    assert any("re-activation" in e["detail"] for e in body["matches"][0]["evidence"])
    # the saved fetcher serves a broken PNG as the avatar: scored without it, and noted
    assert any(n.startswith("avatar not used") for n in body["profile"]["notes"])


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("https://evil.example.com/x", 422, "not a supported site"),
        ("https://t.me/joinchat/abc", 422, "invite"),
        ("https://t.me/nobody_here", 502, "404"),
    ],
)
def test_urls_that_cannot_be_read_are_problems(
    client: TestClient, url: str, status: int, words: str
) -> None:
    r = client.post("/v1/score/url", headers={"X-API-Key": SCORE_KEY}, json={"url": url})
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert words in r.json()["detail"]
