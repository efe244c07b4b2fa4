"""``/metrics``: admin only, a latency histogram per pipeline stage fed by real scoring, request
counts by route template, index gauges; each app owns its registry."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from service.app import create_app
from tests.helpers.http import wait_ready
from tests.helpers.images import png_bytes
from tests.helpers.settings import ADMIN_KEY, SCORE_KEY, WRITE_KEY, fake_settings


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition (parsed by prometheus_client), or 0."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def test_metrics_needs_the_admin_scope(tmp_path: Path) -> None:
    with TestClient(create_app(fake_settings(tmp_path))) as client:
        wait_ready(client)
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"X-API-Key": SCORE_KEY}).status_code == 403
        r = client.get("/metrics", headers={"X-API-Key": ADMIN_KEY})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/plain")


def test_stage_histograms_and_request_counts(tmp_path: Path) -> None:
    import base64

    avatar = base64.b64encode(png_bytes(5)).decode()
    with TestClient(create_app(fake_settings(tmp_path))) as client:
        wait_ready(client)
        put = client.put(
            "/v1/accounts/acc-1",
            json={"display_name": "Umar Media", "handle": "umar_media", "avatar_b64": avatar},
            headers={"X-API-Key": WRITE_KEY},
        )
        assert put.status_code == 201, put.text
        for i in range(3):
            r = client.post(
                "/v1/score",
                json={"id": f"q{i}", "display_name": "Umar Media 2", "avatar_b64": avatar},
                headers={"X-API-Key": SCORE_KEY},
            )
            assert r.status_code == 200, r.text
        assert (
            client.post("/v1/score", json={"id": ""}, headers={"X-API-Key": SCORE_KEY}).status_code
            == 422
        )
        text = client.get("/metrics", headers={"X-API-Key": ADMIN_KEY}).text

    for stage in ("decode", "hash", "embed", "search", "compare", "score"):
        assert _sample(text, "mirrorscan_stage_seconds_count", stage=stage) == 3, stage
        assert _sample(text, "mirrorscan_stage_budget_seconds", stage=stage) > 0
    assert _sample(text, "mirrorscan_stage_seconds_sum", stage="embed") > 0
    assert (
        _sample(
            text, "mirrorscan_http_requests_total", route="/v1/score", method="POST", status="200"
        )
        == 3
    )
    assert (
        _sample(
            text, "mirrorscan_http_requests_total", route="/v1/score", method="POST", status="422"
        )
        == 1
    )
    # the route template, never the raw path (one series per account would be unbounded)
    assert (
        _sample(
            text,
            "mirrorscan_http_requests_total",
            route="/v1/accounts/{account_id}",
            method="PUT",
            status="201",
        )
        == 1
    )
    assert _sample(text, "mirrorscan_index_vectors", channel="name") == 1
    assert _sample(text, "mirrorscan_index_vectors", channel="pdq") == 1
    assert 'family="flat"' in text and 'family="binary_flat"' in text


def test_two_apps_in_one_process_keep_separate_counts(tmp_path: Path) -> None:
    with TestClient(create_app(fake_settings(tmp_path / "a"))) as a:
        wait_ready(a)
        with TestClient(create_app(fake_settings(tmp_path / "b"))) as b:
            wait_ready(b)
            a.get("/healthz")
            a.get("/healthz")
            b.get("/healthz")
            text_a = a.get("/metrics", headers={"X-API-Key": ADMIN_KEY}).text
            text_b = b.get("/metrics", headers={"X-API-Key": ADMIN_KEY}).text
    labels = {"route": "/healthz", "method": "GET", "status": "200"}
    assert _sample(text_a, "mirrorscan_http_requests_total", **labels) == 2
    assert _sample(text_b, "mirrorscan_http_requests_total", **labels) == 1
