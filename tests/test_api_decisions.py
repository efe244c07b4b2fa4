"""POST/GET /v1/decisions: moderator labels into the audit log, with what the model said."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.store.bank import Store
from service.usecases.decisions import list_decisions
from tests.helpers.http import wait_ready
from tests.helpers.settings import SCORE_KEY, WRITE_KEY, fake_settings

MIRROR = {"platform": "x", "handle": "ttp_media2", "display_name": "TTP Media",
          "links": ["t.me/ttpmedia"]}  # fmt: skip


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(fake_settings(tmp_path))) as c:
        wait_ready(c)
        put = c.put("/v1/accounts/ttp-x", headers={"X-API-Key": WRITE_KEY}, json={
            "platform": "x", "handle": "TTP_Media", "display_name": "TTP Media",
            "links": ["https://t.me/ttpmedia"], "group": "TTP"})  # fmt: skip
        assert put.status_code == 201
        yield c


def post(client: TestClient, **body: object) -> object:
    return client.post("/v1/decisions", headers={"X-API-Key": SCORE_KEY}, json=body)


def test_a_decision_is_recorded_with_the_models_view(client: TestClient, tmp_path: Path) -> None:
    r = post(client, profile=MIRROR, account_id="ttp-x", decision="confirmed", note="same link")
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["decision"] == "confirmed" and body["account_id"] == "ttp-x"
    assert body["actor"].startswith("key:") and body["model_version"]
    assert 0.5 < body["score"] <= 1.0 and body["evidence"]
    store = Store(fake_settings(tmp_path).db_url)
    [logged] = list_decisions(store)
    store.close()
    assert logged.features["links.shared_contact"] == 1.0  # the pair's features, for training
    assert logged.profile["handle"] == "ttp_media2"


def test_unknown_account_and_bad_decision(client: TestClient) -> None:
    r = post(client, profile=MIRROR, account_id="nope", decision="confirmed")
    assert r.status_code == 404  # type: ignore[attr-defined]
    r = post(client, profile=MIRROR, account_id="ttp-x", decision="maybe")
    assert r.status_code == 422  # type: ignore[attr-defined]
    anonymous = client.post("/v1/decisions", json={})
    assert anonymous.status_code == 401


def test_listing_is_newest_first_and_paged(client: TestClient) -> None:
    for i in range(3):
        post(client, profile={**MIRROR, "id": f"p{i}"}, account_id="ttp-x",
             decision="rejected" if i == 1 else "confirmed", note=f"n{i}")  # fmt: skip
    h = {"X-API-Key": SCORE_KEY}
    first = client.get("/v1/decisions?limit=2", headers=h).json()
    assert [d["note"] for d in first["decisions"]] == ["n2", "n1"]
    rest = client.get(f"/v1/decisions?limit=2&before={first['next_before']}", headers=h).json()
    assert [d["note"] for d in rest["decisions"]] == ["n0"] and rest["next_before"] is None
