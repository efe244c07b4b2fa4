"""Every error path through one handler chain (issue 18, item 3): problems with the request id
and the security headers for 5xx too, counted on /metrics; no internal text in any answer;
request ids validated; the known 500s for bad input are 4xx."""

from __future__ import annotations

import base64
import errno
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.pipeline import Pipeline
from tests.helpers.http import assert_problem, wait_ready
from tests.helpers.images import png_bytes
from tests.helpers.settings import ADMIN_KEY, SCORE_KEY, fake_settings

KEY = {"X-API-Key": SCORE_KEY}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = fake_settings(tmp_path_factory.mktemp("errors"))
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        wait_ready(c)
        yield c


def _assert_guarded(r: object, status: int) -> dict[str, object]:
    body = assert_problem(r, status)
    headers = r.headers  # type: ignore[attr-defined]
    assert headers["x-request-id"] and body["request_id"] == headers["x-request-id"]
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    return body


def test_an_unexpected_error_is_a_bare_500_with_id_headers_and_a_count(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: Pipeline, *args: object) -> object:
        raise RuntimeError("SELECT * FROM accounts WHERE path='/srv/mirrorscan/bank.sqlite3'")

    monkeypatch.setattr(Pipeline, "score_many", boom)  # what /v1/score calls
    r = client.post("/v1/score", json={"handle": "x"}, headers=KEY | {"X-Request-Id": "abc-1"})
    body = _assert_guarded(r, 500)
    assert body["request_id"] == "abc-1"
    assert "SELECT" not in r.text and "/srv" not in r.text and "Traceback" not in r.text
    metrics = client.get("/metrics", headers={"X-API-Key": ADMIN_KEY}).text
    assert 'mirrorscan_http_requests_total{method="POST",route="/v1/score",status="500"}' in (
        metrics
    )


@pytest.mark.parametrize(
    ("code", "status"), [(errno.ENOSPC, 507), (errno.EROFS, 503), (errno.EDQUOT, 507)]
)
def test_an_os_storage_fault_is_507_or_503(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, code: int, status: int
) -> None:
    def full(self: Pipeline, *args: object) -> object:
        raise OSError(code, "No space left on device", "/srv/mirrorscan/indexes/x.faiss")

    monkeypatch.setattr(Pipeline, "score_many", full)
    r = client.post("/v1/score", json={"handle": "x"}, headers=KEY)
    _assert_guarded(r, status)
    assert r.headers["retry-after"] and "/srv" not in r.text


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("req-42.a:b_c", True),
        ("x" * 65, False),
        ("two words", False),
        ("fake\tline", False),
        ("ünïcode", False),
    ],
)
def test_request_ids_are_kept_only_when_short_and_printable(
    client: TestClient, sent: str, kept: bool
) -> None:
    r = client.get("/healthz", headers={"X-Request-Id": sent.encode()})
    got = r.headers["x-request-id"]
    assert (got == sent) is kept
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", got)


def test_huge_page_cursors_are_422_not_500(client: TestClient) -> None:
    for q in (2**63, 2**64 + 1, 10**30):
        _assert_guarded(client.get(f"/v1/decisions?before={q}", headers=KEY), 422)
    assert client.get(f"/v1/decisions?before={2**63 - 1}", headers=KEY).status_code == 200


def test_huge_page_cursors_on_the_pages_are_a_422_page(client: TestClient) -> None:
    client.cookies.clear()
    token = TOKEN.search(client.get("/signin").text)
    assert token
    r = client.post("/signin", data={"api_key": SCORE_KEY, "csrf_token": token.group(1)},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    for path in (f"/decisions?before={2**63}", f"/checks/nothing?recorded={2**64}"):
        page = client.get(path)
        assert page.status_code == 422, (path, page.status_code)
        assert page.headers["x-request-id"] and "Traceback" not in page.text
    client.cookies.clear()


def test_a_data_url_without_a_comma_is_422(client: TestClient) -> None:
    for value in ("data:", "data:image/png;base64"):
        body = _assert_guarded(client.post("/v1/score", json={"avatar_b64": value}, headers=KEY),
                               422)  # fmt: skip
        assert "comma" in str(body["detail"])


def test_one_bad_avatar_fails_only_its_item_in_a_batch(client: TestClient) -> None:
    good = base64.b64encode(png_bytes(3)).decode()
    r = client.post("/v1/score/batch", headers=KEY, json={"profiles": [
        {"id": "a", "handle": "one"}, {"id": "b", "avatar_b64": "data:"},
        {"id": "c", "avatar_b64": "not base64 !"}, {"id": "d", "avatar_b64": good},
    ]})  # fmt: skip
    assert r.status_code == 200, r.text
    results = {i["id"]: i for i in r.json()["results"]}
    assert results["a"]["result"] and results["d"]["result"]
    assert results["b"]["error"]["status"] == 422 and results["c"]["error"]["status"] == 422
