"""Two replicas (``mirrorscan serve`` processes) on one store agree within a second, with no
sticky sessions: on PostgreSQL behind Debian's haproxy (separate data dirs, as in compose.yaml),
and on one SQLite data dir (two processes, one host, no load balancer).

- an account added through replica A is the top match through replica B within 1 s (and gone
  within 1 s of its removal);
- a key created on A works on B within 1 s, and B refuses it within 1 s of its revocation on A;
- a moderator's check made through A opens (and is decided) through B; a sign-out on B ends the
  session on A;
- one replica killed during a 30-second scoring load through the load balancer: no request
  fails (PostgreSQL + haproxy only).

The fake encoders stand in for the models (nothing here depends on them). The measured figures
are written to ``artifacts/replicas-<store>.json``: each delay is the time from the answer that
acknowledged the change on A to the first answer from B that shows it (B is asked in a loop)."""

from __future__ import annotations

import json
import os
import re
import secrets
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.index.snapshot import current_version
from tests.helpers.replicas import (
    Balancer,
    Replica,
    free_port,
    haproxy,
    postgres_schema,
    replica_env,
    start_balancer,
    wait_until,
)
from tests.helpers.settings import ADMIN_KEY, SCORE_KEY, WRITE_KEY, WRITE_LABEL
from tests.helpers.web_site import demo_bank

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
KEYS = json.dumps(
    {
        ADMIN_KEY: ["admin"],
        SCORE_KEY: ["score"],
        WRITE_KEY: {"label": WRITE_LABEL, "scopes": ["bank:write", "score"]},
    }
)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
WITHIN_S = 1.0
LOAD_S = 30.0
KILL_AT_S = 10.0


@dataclass
class Cluster:
    store: str
    a: Replica
    b: Replica
    balancer: Balancer | None
    figures: dict[str, Any] = field(default_factory=dict)
    # one client for the whole run: a new one per request costs a TLS context each time, which
    # on a busy two-core machine is most of a request's time
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    store = request.param
    folder = tmp_path_factory.mktemp(f"replicas-{store}")
    if store == "sqlite":
        shared = folder / "data"  # one data dir: one SQLite file, one index folder
        yield from _run(Cluster(store, *_pair(folder, shared, shared, None), None))
        return
    url = os.environ.get("MIRRORSCAN_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("set MIRRORSCAN_TEST_POSTGRES_URL (.ci/run starts PostgreSQL on :55432)")
    if haproxy() is None:
        pytest.skip("haproxy is not installed (apt-get install haproxy; .ci/run installs it)")
    with postgres_schema(url) as scoped:
        a, b = _pair(folder, folder / "data-a", folder / "data-b", scoped)
        yield from _run(Cluster(store, a, b, None), balanced=True)


def _pair(folder: Path, dir_a: Path, dir_b: Path, url: str | None) -> tuple[Replica, Replica]:
    return (
        Replica("a", free_port(), dir_a, folder / "a.log", replica_env(dir_a, KEYS, url)),
        Replica("b", free_port(), dir_b, folder / "b.log", replica_env(dir_b, KEYS, url)),
    )


def _run(cluster: Cluster, *, balanced: bool = False) -> Iterator[Cluster]:
    replicas = (cluster.a, cluster.b)
    started = time.monotonic()
    try:
        for replica in replicas:
            replica.start()
        for replica in replicas:
            replica.wait_ready()
        cluster.figures["start_s"] = round(time.monotonic() - started, 1)
        if balanced:
            cluster.balancer = start_balancer(cluster.a.log.parent, list(replicas))
            balancer = cluster.balancer.url
            wait_until(lambda: _ok(cluster.http, balancer + "/readyz"), 30, 0.1)
        seeded = cluster.http.post(
            cluster.a.url + "/v1/accounts/bulk",
            json={"accounts": demo_bank()},
            headers={"X-API-Key": WRITE_KEY},
            timeout=60,
        )
        assert seeded.status_code == 200, seeded.text
        yield cluster
    finally:
        if cluster.balancer is not None:
            cluster.balancer.stop()
        for replica in replicas:
            replica.stop()
        cluster.http.close()
        ARTIFACTS.mkdir(exist_ok=True)
        out = ARTIFACTS / f"replicas-{cluster.store}.json"
        out.write_text(json.dumps(cluster.figures, indent=2))


def _ok(http: httpx.Client, url: str) -> bool:
    try:
        return http.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _seq(http: httpx.Client, replica: Replica) -> int:
    """The store change number the replica has applied (``/readyz``)."""
    return int(http.get(replica.url + "/readyz").json()["store_seq"])


def _top(http: httpx.Client, url: str, profile: dict[str, Any]) -> str | None:
    r = http.post(url + "/v1/score", json=profile, headers={"X-API-Key": SCORE_KEY})
    assert r.status_code == 200, r.text
    matches = r.json()["matches"]
    return matches[0]["account_id"] if matches else None


def test_an_account_added_through_a_is_the_top_match_through_b(cluster: Cluster) -> None:
    http, a, b = cluster.http, cluster.a, cluster.b
    tag = secrets.token_hex(3)
    account_id = f"replica-test-{tag}"
    name = f"Qamar Zubair Tanzeem {tag}"
    profile = {"platform": "telegram", "handle": f"qzt_{tag}_media", "display_name": name,
               "links": [f"t.me/qzt_{tag}"]}  # fmt: skip
    writer = {"X-API-Key": WRITE_KEY}
    assert _top(http, b.url, profile) != account_id
    r = http.put(f"{a.url}/v1/accounts/{account_id}", json={**profile, "group": "QZT"},
                 headers=writer)  # fmt: skip
    assert r.status_code == 201, r.text
    done = time.monotonic()
    seq = _seq(http, a)
    applied = wait_until(lambda: _seq(http, b) >= seq, 3, since=done)
    top = wait_until(lambda: _top(http, b.url, profile) == account_id, 3, since=done)
    r = http.delete(f"{a.url}/v1/accounts/{account_id}", headers=writer)
    assert r.status_code == 204
    done = time.monotonic()
    seq = _seq(http, a)
    unapplied = wait_until(lambda: _seq(http, b) >= seq, 3, since=done)
    gone = wait_until(lambda: _top(http, b.url, profile) != account_id, 3, since=done)
    cluster.figures["account"] = {
        "added_on_a_applied_on_b_s": applied,
        "added_on_a_top_match_on_b_s": top,
        "removed_on_a_applied_on_b_s": unapplied,
        "removed_on_a_gone_on_b_s": gone,
    }
    assert max(applied, top, unapplied, gone) < WITHIN_S, cluster.figures["account"]


def test_a_key_created_on_a_works_on_b_and_its_revocation_reaches_b(cluster: Cluster) -> None:
    http, a, b = cluster.http, cluster.a, cluster.b
    admin = {"X-API-Key": ADMIN_KEY}
    r = http.post(a.url + "/v1/keys", json={"label": "Replica test", "scopes": ["score"]},
                  headers=admin)  # fmt: skip
    assert r.status_code == 201, r.text
    done = time.monotonic()
    made = r.json()
    mine = {"X-API-Key": made["key"]}

    def status_on_b() -> int:
        """403: B knows the key (a score key may not list keys); 401: it does not."""
        return http.get(b.url + "/v1/keys", headers=mine).status_code

    works = wait_until(lambda: status_on_b() == 403, 3, since=done)
    assert http.get(b.url + "/v1/decisions?limit=1", headers=mine).status_code == 200
    r = http.delete(f"{a.url}/v1/keys/{made['id']}", headers=admin)
    assert r.status_code == 204
    done = time.monotonic()
    refused = wait_until(lambda: status_on_b() == 401, 3, since=done)
    cluster.figures["key"] = {"created_on_a_works_on_b_s": works,
                              "revoked_on_a_refused_on_b_s": refused}  # fmt: skip
    assert max(works, refused) < WITHIN_S, cluster.figures["key"]
    listed = http.get(b.url + "/v1/keys?include_revoked=true", headers=admin).json()
    assert any(k["id"] == made["id"] and k["revoked_at"] for k in listed["keys"])


class Browser:
    """A moderator's cookie, carried to whichever replica is asked (no sticky sessions)."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"Cookie": cookie} if cookie else {}
        r = self.http.request(method, url, headers=headers, **kwargs)
        self.http.cookies.clear()  # this jar is the only one
        for name, value in r.cookies.items():
            self.cookies[name] = value
        if "max-age=0" in r.headers.get("set-cookie", "").lower():
            self.cookies.clear()
        return r

    def token(self, url: str) -> str:
        found = TOKEN.search(self.request("GET", url).text)
        assert found, "every form carries a CSRF token"
        return found.group(1)


def test_a_check_made_through_a_opens_and_is_decided_through_b(cluster: Cluster) -> None:
    a, b = cluster.a.url, cluster.b.url
    browser = Browser(cluster.http)
    r = browser.request("POST", a + "/signin", data={
        "api_key": WRITE_KEY, "csrf_token": browser.token(a + "/signin")})  # fmt: skip
    assert r.status_code == 303, r.text
    fields = {"display_name": "TTP Media", "handle": "ttp_media2", "platform": "x"}
    r = browser.request("POST", a + "/check", data={"csrf_token": browser.token(a + "/"), **fields})
    assert r.status_code == 303 and r.headers["location"].startswith("/checks/"), r.text
    location = r.headers["location"]
    page = browser.request("GET", b + location)
    assert page.status_code == 200 and "ttp-x-1" in page.text
    token = TOKEN.search(page.text)
    assert token
    decide = {"csrf_token": token.group(1), "account_id": "ttp-x-1", "decision": "confirmed"}
    r = browser.request("POST", b + location + "/decision", data=decide)
    assert r.status_code == 303 and "recorded=" in r.headers["location"], r.text
    decisions = cluster.http.get(
        a + "/v1/decisions?limit=1", headers={"X-API-Key": SCORE_KEY}
    ).json()
    assert decisions["decisions"][0]["actor"] == WRITE_LABEL

    kept = dict(browser.cookies)  # a copy of the cookie, as a thief would keep it
    r = browser.request("POST", b + "/signout", data={"csrf_token": token.group(1)})
    assert r.status_code == 303
    thief = Browser(cluster.http)
    thief.cookies = kept
    assert thief.request("GET", a + location).status_code == 303, "signed out everywhere"


def test_a_replica_killed_under_load_fails_no_request(cluster: Cluster) -> None:
    if cluster.balancer is None:
        pytest.skip("one host, two processes: no load balancer in front (PostgreSQL run only)")
    url = cluster.balancer.url + "/v1/score"
    profiles = [{"display_name": a["display_name"], "handle": a["handle"]} for a in demo_bank()]
    results: list[tuple[float, str, float]] = []  # (started, outcome, seconds)
    stop = threading.Event()
    scored_before = cluster.b.log.read_text(errors="replace").count("POST /v1/score 200")
    began = time.monotonic()

    def client(n: int) -> None:
        with httpx.Client(headers={"X-API-Key": SCORE_KEY}, timeout=30) as c:
            i = n
            while not stop.is_set():
                t = time.monotonic()
                try:
                    outcome = str(c.post(url, json=profiles[i % len(profiles)]).status_code)
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                results.append((t - began, outcome, time.monotonic() - t))
                i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(KILL_AT_S)
    cluster.b.kill()  # SIGKILL: mid-request, no goodbye
    killed = time.monotonic() - began
    time.sleep(LOAD_S - KILL_AT_S)
    stop.set()
    for t in threads:
        t.join(60)
    failed = [(round(s, 2), outcome) for s, outcome, _ in results if outcome != "200"]
    seconds = sorted(d for _, _, d in results)
    after = [d for s, _, d in results if s >= killed]
    served_by_b = cluster.b.log.read_text(errors="replace").count("POST /v1/score 200")
    served_by_b -= scored_before
    cluster.figures["kill_under_load"] = {
        "scored_by_b_before_kill": served_by_b,
        "load_s": LOAD_S,
        "killed_at_s": round(killed, 2),
        "clients": len(threads),
        "requests": len(results),
        "failed": len(failed),
        "after_kill": len(after),
        "p50_ms": round(1000 * statistics.median(seconds), 1),
        "p99_ms": round(1000 * seconds[int(0.99 * (len(seconds) - 1))], 1),
        "slowest_after_kill_ms": round(1000 * max(after), 1) if after else None,
    }
    assert served_by_b > 20, "the killed replica had its share of the load"
    assert not failed, failed[:20]
    assert len(after) > 20, "the surviving replica went on answering"


def test_replicas_stop_cleanly_one_snapshot_writer_at_a_time(cluster: Cluster) -> None:
    alive = [r for r in (cluster.a, cluster.b) if r.proc is not None and r.proc.poll() is None]
    for r in alive:  # both at once: on SQLite they share the index folder
        assert r.proc is not None
        r.proc.terminate()
    codes = [r.stop() for r in alive]
    # uvicorn shuts down, then re-raises the SIGTERM it caught: -15 after a clean shutdown
    assert set(codes) <= {0, -15}, [r.tail() for r in alive]
    for r in alive:
        log = r.log.read_text(errors="replace")
        assert "Application shutdown complete" in log and "Traceback" not in log, r.tail()
        version = current_version(r.data_dir / "indexes")
        assert version and (r.data_dir / "indexes" / version / "manifest.json").is_file()
