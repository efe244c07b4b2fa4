"""Over HTTP: named banks, the bank filter and the allow list end to end; an answer that says
what it compared (an empty profile and an unusable avatar_url are problems); evidence one line
per family; exchange, webhooks and audit endpoints."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import FetchSettings, WebhookSettings
from tests.helpers.http import assert_problem, wait_ready
from tests.helpers.images import png_bytes
from tests.helpers.settings import ADMIN_KEY, SCORE_KEY, WRITE_KEY, fake_settings

ADMIN = {"X-API-Key": ADMIN_KEY}
WRITE = {"X-API-Key": WRITE_KEY}
SCORE = {"X-API-Key": SCORE_KEY}
PNG = png_bytes(1)


class _Images(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        if self.path == "/avatar.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def images() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, images: str) -> Iterator[TestClient]:
    # TEST ONLY: the fetcher may reach the loopback image server (its image host list says so)
    fetch = FetchSettings(allow_loopback=True, image_hosts={"x": ("127.0.0.1",)},
                          deadline_s=2.0)  # fmt: skip
    settings = fake_settings(tmp_path_factory.mktemp("banks"), fetch=fetch,
                             webhooks=WebhookSettings(allow_private_targets=False))  # fmt: skip
    with TestClient(create_app(settings)) as c:
        wait_ready(c)
        for name, kind in (("pk-proscribed", "banned"), ("partner-a", "banned"),
                           ("official", "allow")):  # fmt: skip
            r = c.post("/v1/banks", headers=WRITE, json={"name": name, "kind": kind})
            assert r.status_code == 201, r.text
        put(c, "ttp-x", "pk-proscribed", platform="x", handle="TTP_Media",
            display_name="TTP Media", links=["https://t.me/ttpmedia"], group="TTP",
            avatar_b64=base64.b64encode(PNG).decode())  # fmt: skip
        put(c, "ttp-partner", "partner-a", platform="telegram", handle="ttp_official_ch",
            display_name="TTP Official Channel", group="TTP")  # fmt: skip
        put(c, "bbc-urdu", "official", platform="x", handle="BBCUrdu", display_name="BBC Urdu",
            bio="News in Urdu from the BBC", group="BBC")  # fmt: skip
        put(c, "bbc-mirror-bait", "pk-proscribed", platform="x", handle="BBCUrdu_news",
            display_name="BBC Urdu News", bio="News in Urdu", group="Fake outlet")  # fmt: skip
        yield c


def put(c: TestClient, id_: str, bank: str, **fields: Any) -> None:
    r = c.put(f"/v1/accounts/{id_}", headers=WRITE, json={"bank": bank, **fields})
    assert r.status_code == 201, r.text
    assert r.json()["bank"] == bank


def score(c: TestClient, body: dict[str, Any], **query: Any) -> Any:
    return c.post("/v1/score", headers=SCORE, json=body, params=query)


def test_banks_are_listed_with_their_stats(client: TestClient) -> None:
    r = client.get("/v1/banks", headers=WRITE)
    banks = {b["name"]: b for b in r.json()["banks"]}
    assert set(banks) == {"default", "pk-proscribed", "partner-a", "official"}
    assert banks["pk-proscribed"]["accounts"] == 2 and banks["pk-proscribed"]["with_avatar"] == 1
    assert banks["official"]["kind"] == "allow" and banks["default"]["accounts"] == 0
    assert_problem(client.post("/v1/banks", headers=WRITE, json={"name": "official"}), 409)
    assert_problem(client.post("/v1/banks", headers=WRITE, json={"name": "Bad Name"}), 422)
    assert_problem(client.get("/v1/banks/nope", headers=WRITE), 404)


def test_the_bank_filter(client: TestClient) -> None:
    body = {"platform": "telegram", "handle": "ttp_official_ch2", "display_name": "TTP Official"}
    everywhere = score(client, body).json()
    assert everywhere["banks"] == ["default", "partner-a", "pk-proscribed"]
    assert everywhere["matches"][0]["account_id"] == "ttp-partner"
    assert everywhere["matches"][0]["bank"] == "partner-a"
    only = score(client, body, banks="pk-proscribed").json()
    assert only["banks"] == ["pk-proscribed"]
    assert {m["bank"] for m in only["matches"]} <= {"pk-proscribed"}
    assert "ttp-partner" not in {m["account_id"] for m in only["matches"]}
    r = client.patch("/v1/banks/partner-a", headers=WRITE, json={"enabled": False})
    assert r.json()["enabled"] is False
    try:
        disabled = score(client, body).json()
        assert "partner-a" not in disabled["banks"]
        assert "ttp-partner" not in {m["account_id"] for m in disabled["matches"]}
        named = score(client, body, banks="partner-a").json()  # a disabled bank, named
        assert named["matches"][0]["account_id"] == "ttp-partner"
    finally:
        client.patch("/v1/banks/partner-a", headers=WRITE, json={"enabled": True})
    assert_problem(score(client, body, banks="nope"), 422)
    assert_problem(score(client, body, banks="official"), 422)  # an allow list is not a filter


def test_limit_and_min_score(client: TestClient) -> None:
    body = {"platform": "x", "handle": "ttp_media2", "display_name": "TTP Media",
            "links": ["t.me/ttpmedia"]}  # fmt: skip
    assert len(score(client, body, limit=1).json()["matches"]) == 1
    kept = score(client, body, min_score=0.5).json()["matches"]
    assert kept and all(m["score"] >= 0.5 for m in kept)
    assert_problem(score(client, body, limit=0), 422)


def test_the_allow_listed_account_itself_is_never_blocked(client: TestClient) -> None:
    r = score(client, {"platform": "x", "handle": "BBCUrdu", "display_name": "BBC Urdu News",
                       "bio": "News in Urdu"})  # fmt: skip
    body = r.json()
    assert body["band"] == "allow", body
    assert "allow-listed account bbc-urdu" in body["band_reason"]
    assert body["allowed"][0]["account_id"] == "bbc-urdu"
    assert body["allowed"][0]["bank"] == "official"


def test_a_closer_allow_listed_match_prevents_a_block(client: TestClient) -> None:
    """The same profile blocks against the banned bank alone, and is sent to review when the
    allow list holds an account it resembles at least as closely."""
    profile = {"platform": "x", "handle": "bbc_urdu_news", "display_name": "BBC Urdu News",
               "bio": "News in Urdu from the BBC", "links": ["https://bbc.com/urdu"]}  # fmt: skip
    put(client, "bbc-urdu-news-official", "official", platform="instagram",
        handle="bbc_urdu_news", display_name="BBC Urdu News", bio="News in Urdu from the BBC",
        links=["https://bbc.com/urdu"], group="BBC")  # fmt: skip
    put(client, "bbc-bait-2", "pk-proscribed", platform="telegram", handle="bbcurdunews",
        display_name="BBC Urdu News", bio="News in Urdu from the BBC",
        links=["https://bbc.com/urdu"], group="Fake outlet")  # fmt: skip
    r = client.patch("/v1/banks/official", headers=WRITE, json={"enabled": False})
    assert r.status_code == 200
    try:
        without = score(client, profile).json()
    finally:
        client.patch("/v1/banks/official", headers=WRITE, json={"enabled": True})
    assert without["allowed"] == []
    assert without["band"] == "block", without["band_reason"]
    body = score(client, profile).json()
    assert body["allowed"][0]["account_id"] == "bbc-urdu-news-official"
    assert body["band"] == "review", body["band_reason"]
    assert "resembles the allow-listed account bbc-urdu-news-official" in body["band_reason"]


def test_nothing_to_compare_is_a_problem(client: TestClient) -> None:
    body = assert_problem(score(client, {}), 422)
    for field in ("display_name", "handle", "bio", "links", "avatar_b64", "avatar_url"):
        assert field in str(body["detail"])
    assert_problem(score(client, {"platform": "x"}), 422)
    profiles = [{"id": "e"}, {"id": "h", "handle": "x"}]
    r = client.post("/v1/score/batch", headers=SCORE, json={"profiles": profiles})
    results = r.json()["results"]
    assert results[0]["error"]["status"] == 422 and results[1]["result"] is not None


def test_avatar_url_is_fetched_or_refused(client: TestClient, images: str) -> None:
    ok = score(client, {"platform": "x", "handle": "someone", "avatar_url": f"{images}/avatar.png"})
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["compared"] == ["name", "handle", "identity", "avatar"]
    assert body["matches"][0]["account_id"] == "ttp-x"
    assert any(e["signal"] == "avatar" for e in body["matches"][0]["evidence"])
    closed = f"http://127.0.0.1:{_free_port()}/avatar.png"
    unreachable = assert_problem(score(client, {"platform": "x", "avatar_url": closed}), 502)
    assert "avatar_url could not be fetched" in str(unreachable["detail"])
    refused = assert_problem(
        score(client, {"platform": "x", "avatar_url": "https://evil.example/a.png"}), 422
    )
    assert "avatar_url refused" in str(refused["detail"])
    missing = assert_problem(
        score(client, {"platform": "x", "avatar_url": f"{images}/no.png"}), 502
    )
    assert "404" in str(missing["detail"])


def test_evidence_is_one_consistent_line_per_family(client: TestClient) -> None:
    body = {"platform": "x", "handle": "ttp_media2", "display_name": "TTP Media",
            "links": ["t.me/ttpmedia"], "avatar_b64": base64.b64encode(PNG).decode()}  # fmt: skip
    top = score(client, body).json()["matches"][0]
    signals = [e["signal"] for e in top["evidence"]]
    assert len(signals) == len(set(signals))  # one line per family
    assert set(signals) <= {"name", "identity", "avatar", "bio", "links"}
    assert all(e["contribution"] != 0 and set(e) == {"signal", "contribution", "detail"}
               for e in top["evidence"])  # fmt: skip
    avatar = next(e for e in top["evidence"] if e["signal"] == "avatar")
    assert "same picture with probability" in avatar["detail"]  # the combined verdict only
    assert "PDQ (" not in avatar["detail"]
    full = score(client, body, detail="full").json()["matches"][0]
    families = {e["signal"]: e for e in full["evidence"]}
    parts = {p["feature"] for p in families["avatar"]["parts"]}
    assert {"avatar.pdq", "avatar.match"} <= parts
    assert round(sum(p["contribution"] for p in families["name"]["parts"]), 4) == pytest.approx(
        families["name"]["contribution"], abs=1e-3
    )


def test_exchange_over_the_api(client: TestClient) -> None:
    r = client.get("/v1/exchange/export", headers=ADMIN,
                   params={"format": "stix", "bank": "pk-proscribed"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/stix+json")
    cursor = r.headers["x-mirrorscan-cursor"]
    bundle = r.json()
    assert bundle["type"] == "bundle" and bundle["x_mirrorscan_cursor"] == cursor
    assert sum(o["type"] == "user-account" for o in bundle["objects"]) == 3
    assert_problem(client.get("/v1/exchange/export", headers=WRITE), 403)
    r = client.post("/v1/banks", headers=WRITE, json={"name": "copy"})
    r = client.post("/v1/exchange/import", headers=ADMIN, params={"bank": "copy"},
                    content=b'{"id": "c1", "handle": "copied"}\n')  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["outcomes"] == {"created": 1} and r.json()["format"] == "jsonl"
    got = client.get("/v1/accounts/c1", headers=WRITE).json()
    assert got["bank"] == "copy" and got["provenance"]["source"].startswith("api:key:")
    # a file sent over the network names no file on the server: avatar_path is refused
    for target in ("/etc/hostname", "../../data/bank.sqlite3"):
        line = json.dumps({"id": "c2", "avatar_path": target}).encode() + b"\n"
        r = client.post("/v1/exchange/import", headers=ADMIN, params={"bank": "copy"},
                        content=line)  # fmt: skip
        problem = assert_problem(r, 422)
        assert "avatar_path is not accepted" in str(problem["errors"][0]), problem
    bundle_text = b'{"type": "bundle", "objects": [{"type": "user-account"}]}'
    bad = client.post("/v1/exchange/import", headers=ADMIN, params={"format": "stix"},
                      content=bundle_text)  # fmt: skip
    problem = assert_problem(bad, 422)
    assert problem["errors"] and str(problem["errors"][0]).startswith("object 1")
    # moving an account to another bank is refused, not silent
    moved = client.put("/v1/accounts/c1", headers=WRITE, json={"bank": "official", "handle": "x"})
    assert_problem(moved, 409)
    gone = client.delete("/v1/banks/copy", headers=ADMIN)
    assert_problem(gone, 409)
    assert client.delete("/v1/banks/copy", headers=ADMIN, params={"purge": True}).status_code == 204
    assert_problem(client.get("/v1/accounts/c1", headers=WRITE), 404)


def test_webhook_subscriptions(client: TestClient) -> None:
    new = {"url": "https://hooks.example.org/ms", "secret": "s" * 32, "events": ["block"]}
    private = client.post("/v1/webhooks", headers=ADMIN,
                          json={**new, "url": "http://127.0.0.1:9/hook"})  # fmt: skip
    assert "ALLOW_PRIVATE_TARGETS" in str(assert_problem(private, 422)["detail"])
    assert_problem(client.post("/v1/webhooks", headers=ADMIN,
                               json={**new, "url": "https://10.0.0.8/hook"}), 422)  # fmt: skip
    assert_problem(
        client.post("/v1/webhooks", headers=ADMIN, json={**new, "events": ["nope"]}), 422
    )
    assert_problem(client.post("/v1/webhooks", headers=ADMIN, json={**new, "secret": "short"}), 422)
    assert_problem(client.post("/v1/webhooks", headers=WRITE, json=new), 403)
    literal = {**new, "url": "https://93.184.215.14/hook"}  # public: no DNS needed
    r = client.post("/v1/webhooks", headers=ADMIN, json=literal)
    assert r.status_code == 201, r.text
    hook = r.json()
    assert "secret" not in hook
    assert hook["id"] in {
        h["id"] for h in client.get("/v1/webhooks", headers=ADMIN).json()["webhooks"]
    }
    assert client.delete(f"/v1/webhooks/{hook['id']}", headers=ADMIN).status_code == 204
    assert_problem(client.delete(f"/v1/webhooks/{hook['id']}", headers=ADMIN), 404)


def test_audit_for_an_auditor(client: TestClient) -> None:
    r = client.get("/v1/audit", headers=ADMIN, params={"action": "bank.*"})
    assert r.status_code == 200
    page = r.json()
    actions = {e["action"] for e in page["entries"]}
    assert {"bank.create", "bank.disable", "bank.enable"} <= actions
    assert all(a.startswith("bank.") for a in actions)
    seq, digest = page["chain_head"].split(":")  # the hash chain's head, as doctor takes it
    assert int(seq) >= page["entries"][0]["seq"] and len(digest) == 64
    puts = client.get("/v1/audit", headers=ADMIN, params={"action": "account.put", "limit": 2})
    assert len(puts.json()["entries"]) == 2 and puts.json()["next_before"]
    future = client.get("/v1/audit", headers=ADMIN, params={"since": "2999-01-01T00:00:00Z"})
    assert future.json()["entries"] == []
    assert_problem(client.get("/v1/audit", headers=WRITE), 403)
    csv_export = client.get("/v1/audit/export", headers=ADMIN,
                            params={"format": "csv", "action": "bank.create"})  # fmt: skip
    lines = csv_export.text.splitlines()
    assert lines[0].startswith("# mirrorscan {")
    assert json.loads(lines[0].removeprefix("# mirrorscan "))["chain_head"].count(":") == 1
    assert lines[1] == "seq,at,actor,action,subject,payload"
    assert len(lines) - 2 == int(csv_export.headers["x-mirrorscan-entries"]) >= 4
    client.post(
        "/v1/decisions",
        headers=SCORE,
        json={"profile": {"handle": "ttp_media2"}, "account_id": "ttp-x", "decision": "confirmed"},
    )
    decisions = client.get("/v1/audit/export", headers=ADMIN, params={"what": "decisions"})
    rows = decisions.text.splitlines()
    assert '"export": "decisions"' in rows[0] and '"account_id": "ttp-x"' in rows[1]
