"""The HTTP API against the real app with the real models (e5, EfficientNet-Lite0, PDQ)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from tests.helpers.http import assert_problem, wait_ready
from tests.helpers.images import png_bytes
from tests.helpers.settings import ADMIN_KEY, KEYS, SCORE_KEY, WRITE_KEY
from tests.helpers.web_site import demo_bank

DEMO = Path(__file__).resolve().parents[1] / "demo"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("api"), api_keys=KEYS)
    with TestClient(create_app(settings)) as c:
        wait_ready(c)
        r = c.post("/v1/accounts/bulk", json={"accounts": demo_bank()},
                   headers={"X-API-Key": WRITE_KEY})  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json()["counts"] == {"created": 9}
        yield c


def auth(key: str = SCORE_KEY) -> dict[str, str]:
    return {"X-API-Key": key}


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"} | client.get("/healthz").json()
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["indexed"]["name"] == 9
    assert ready["indexed"]["pdq"] >= 1


def test_a_mirror_of_a_demo_account_is_blocked_with_evidence(client: TestClient) -> None:
    avatar = base64.b64encode((DEMO / "avatars" / "ttp-reupload.jpg").read_bytes()).decode()
    r = client.post("/v1/score", headers=auth(), json={
        "id": "c1", "platform": "x", "handle": "ttp_rnedia2", "display_name": "𝐓𝐓𝐏 𝐌𝐞𝐝𝐢𝐚 🔴",
        "bio": "Backup account, old one suspended. t.me/ttpmedia_official",
        "links": ["t.me/ttpmedia_official"], "avatar_b64": avatar,
    })  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["band"] == "block"
    top = body["matches"][0]
    assert top["account_id"] == "ttp-x-1"
    assert top["group"] == "Tehreek-e-Taliban Pakistan"
    assert body["score"] == top["score"] and 0.9 < top["score"] <= 1.0
    evidence = {e["signal"] for e in top["evidence"]}
    assert {"name", "links", "avatar"} <= evidence
    assert all(set(e) == {"signal", "contribution", "detail"} for e in top["evidence"])
    scores = [m["score"] for m in body["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_cross_script_name_finds_the_urdu_account(client: TestClient) -> None:
    r = client.post("/v1/score", headers=auth(), json={"display_name": "عمر میڈیا"})
    assert r.json()["matches"][0]["account_id"] == "ttp-tg-1"


def test_an_unrelated_profile_is_allowed(client: TestClient) -> None:
    r = client.post("/v1/score", headers=auth(), json={
        "handle": "gardening_daily", "display_name": "Gardening Daily",
        "bio": "Roses, tomatoes and compost tips every morning.", "avatar_b64":
        base64.b64encode(png_bytes(5)).decode()})  # fmt: skip
    assert r.status_code == 200
    assert r.json()["band"] == "allow"


def test_missing_and_wrong_keys(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/score", json={"display_name": "x"}), 401)
    assert "X-API-Key" in str(body["detail"])
    assert_problem(client.post("/v1/score", json={}, headers=auth("wrong-key-0123456789")), 401)
    assert_problem(client.put("/v1/accounts/a", json={}, headers=auth(SCORE_KEY)), 403)
    assert (
        client.put("/v1/accounts/zz", json={"handle": "zz"}, headers=auth(ADMIN_KEY)).status_code
        == 201
    )


def test_malformed_bodies_are_problems(client: TestClient) -> None:
    bad_json = client.post("/v1/score", headers={**auth(), "content-type": "application/json"},
                           content=b'{"display_name": ')  # fmt: skip
    assert_problem(bad_json, 422)
    wrong_type = assert_problem(client.post("/v1/score", headers=auth(), json={"bio": 5}), 422)
    assert "bio" in str(wrong_type["detail"])
    assert_problem(client.post("/v1/score", headers=auth(), json={"nope": 1}), 422)
    assert_problem(client.post("/v1/score", headers=auth(), json=[1, 2]), 422)


def test_a_3mb_body_is_refused(client: TestClient) -> None:
    big = {"bio": "x" * 3_000_000}
    assert_problem(client.post("/v1/score", headers=auth(), json=big), 413)
    chunked = client.post("/v1/score", headers={**auth(), "content-type": "application/json"},
                          content=iter([b'{"bio": "', b"x" * 3_000_000, b'"}']))  # fmt: skip
    assert_problem(chunked, 413)


def test_long_text_under_the_body_cap_is_422(client: TestClient) -> None:
    assert_problem(client.post("/v1/score", headers=auth(), json={"bio": "x" * 30_000}), 422)


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ("not base64!!", 422),
        (base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode(), 415),
        (base64.b64encode(png_bytes(3)[:200]).decode(), 422),
        (base64.b64encode(b"").decode() + "A", 422),
    ],
)
def test_bad_avatars_are_problems(client: TestClient, payload: str, status: int) -> None:
    r = client.post("/v1/score", headers=auth(), json={"handle": "x", "avatar_b64": payload})
    assert_problem(r, status)


def test_batch_scores_each_and_fails_only_the_bad_one(client: TestClient) -> None:
    r = client.post("/v1/score/batch", headers=auth(), json={"profiles": [
        {"id": "a", "display_name": "Al Azaim Foundation"},
        {"id": "b", "avatar_b64": "%%%"},
        {"id": "c", "handle": "Gwahram_BLF"},
    ]})  # fmt: skip
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["id"] for x in results] == ["a", "b", "c"]
    assert results[0]["result"]["matches"][0]["account_id"] == "iskp-tg-1"
    assert results[1]["error"]["status"] == 422
    assert results[2]["result"]["matches"][0]["account_id"] == "blf-x-1"
    too_many = {"profiles": [{"id": str(i)} for i in range(101)]}
    assert_problem(client.post("/v1/score/batch", headers=auth(), json=too_many), 413)


def test_account_lifecycle(client: TestClient) -> None:
    h = auth(WRITE_KEY)
    r = client.put("/v1/accounts/new-1", headers=h, json={
        "platform": "x", "handle": "fulaani_front", "display_name": "Fulaani Front",
        "group": "Fulaani", "avatar_b64": base64.b64encode(png_bytes(9)).decode()})  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["has_avatar"] and len(r.json()["avatar_pdq"]) == 64
    assert client.put("/v1/accounts/new-1", headers=h, json={
        "handle": "fulaani_front", "display_name": "Fulaani Front 2", "group": "Fulaani"
    }).status_code == 200  # fmt: skip
    assert client.get("/v1/accounts/new-1", headers=h).json()["display_name"] == "Fulaani Front 2"
    found = client.post("/v1/score", headers=auth(), json={"display_name": "Fulaani Front"})
    assert found.json()["matches"][0]["account_id"] == "new-1"
    assert client.delete("/v1/accounts/new-1", headers=h).status_code == 204
    assert_problem(client.get("/v1/accounts/new-1", headers=h), 404)
    assert_problem(client.delete("/v1/accounts/new-1", headers=h), 404)
    gone = client.post("/v1/score", headers=auth(), json={"display_name": "Fulaani Front"})
    assert "new-1" not in [m["account_id"] for m in gone.json()["matches"]]


def test_bulk_reports_each_item(client: TestClient) -> None:
    r = client.post("/v1/accounts/bulk", headers=auth(WRITE_KEY), json={"accounts": [
        {"id": "b1", "handle": "one"},
        {"id": "b2", "avatar_b64": "@@"},
        {"id": "b1", "handle": "one"},
    ]})  # fmt: skip
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["results"]] == ["created", "error", "created"]
    assert r.json()["results"][1]["error"]["status"] == 422


def test_unknown_route_and_docs(client: TestClient) -> None:
    assert_problem(client.get("/v1/nothing"), 404)
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/score", "/v1/score/batch", "/v1/accounts/{account_id}", "/readyz"} <= set(paths)
