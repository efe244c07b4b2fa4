"""/readyz answers 503 while the pipeline loads, and the scoring routes do too."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.pipeline import Pipeline
from tests.helpers.settings import SCORE_KEY, fake_settings

KEY = {"X-API-Key": SCORE_KEY}


def test_not_ready_until_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real_open = Pipeline.open

    def slow_open(settings: object) -> Pipeline:
        release.wait(30)
        return real_open(settings)  # type: ignore[arg-type]

    monkeypatch.setattr(Pipeline, "open", staticmethod(slow_open))
    with TestClient(create_app(fake_settings(tmp_path))) as client:
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.headers["retry-after"] == "5"
        scored = client.post("/v1/score", json={"handle": "x"}, headers={"X-API-Key": SCORE_KEY})
        assert scored.status_code == 503
        assert client.get("/healthz").status_code == 200
        release.set()
        for _ in range(200):
            if client.get("/readyz").status_code == 200:
                break
            threading.Event().wait(0.05)
        assert client.get("/readyz").status_code == 200


def test_a_failed_load_is_reported_without_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(settings: object) -> Pipeline:
        raise RuntimeError("SELECT secret FROM accounts; index folder /srv/data unreadable")

    monkeypatch.setattr(Pipeline, "open", staticmethod(broken))
    with TestClient(create_app(fake_settings(tmp_path))) as client:
        for _ in range(100):
            detail = client.get("/readyz").json()["detail"]
            if "failed" in detail:
                break
            threading.Event().wait(0.05)
        for r in (client.get("/readyz"), client.post("/v1/score", json={}, headers=KEY)):
            assert r.status_code == 503 and "loading failed" in r.json()["detail"]
            assert "SELECT" not in r.text and "/srv" not in r.text, r.text
