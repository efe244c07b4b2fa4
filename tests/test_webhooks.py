"""Webhooks: signing, target rules, and delivery from the persistent outbox against a local
receiver that fails, times out and restarts, across a restart of the service itself: every
event delivered, none lost, duplicates recognisable by event id. The fault test writes its
numbers to artifacts/webhook-faults.json."""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings, WebhookSettings
from service.errors import FetchRefused
from service.store.bank import Store
from service.usecases.webhooks import SIGNATURE, check_target, connect_allowed, sign, verify
from tests.helpers.http import wait_ready
from tests.helpers.settings import ADMIN_KEY, ROOT, SCORE_KEY, WRITE_KEY, fake_settings

SECRET = "a-shared-secret-of-32-characters"


def test_signature_is_hmac_over_timestamp_and_body() -> None:
    header = sign(SECRET, 1_700_000_000, b'{"id":"e1"}')
    assert header.startswith("t=1700000000,v1=") and len(header.split("v1=")[1]) == 64
    assert verify(SECRET, header, b'{"id":"e1"}', now=1_700_000_100)
    assert not verify(SECRET, header, b'{"id":"e2"}', now=1_700_000_100)  # body changed
    assert not verify("another-secret-of-32-characters!", header, b'{"id":"e1"}', now=1_700_000_100)
    assert not verify(SECRET, header, b'{"id":"e1"}', now=1_700_001_000)  # replayed too late
    assert not verify(SECRET, "v1=abc", b"", now=0)


def test_targets_follow_the_fetchers_address_rules() -> None:
    check_target("https://93.184.215.14/hook", False)
    for url in (
        "http://93.184.215.14/hook",
        "https://93.184.215.14:8443/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://[::1]/hook",
        "https://user:pw@93.184.215.14/",
        "ftp://93.184.215.14/",
        "https://0.0.0.0/",
    ):
        with pytest.raises(FetchRefused):
            check_target(url, False)  # fmt: skip
    check_target("http://127.0.0.1:8080/hook", True)  # on-premises receivers, when allowed
    check_target("http://10.1.2.3:9000/hook", True)
    with pytest.raises(FetchRefused):
        check_target("http://93.184.215.14/hook", True)  # public targets stay https:443
    with pytest.raises(FetchRefused):
        check_target("http://224.0.0.1/hook", True)
    public, private = ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("10.0.0.1")
    assert connect_allowed(False, public, 443) and not connect_allowed(False, public, 80)
    assert not connect_allowed(False, private, 443) and connect_allowed(True, private, 8080)


# --- a receiver that misbehaves ----------------------------------------------------------


class Receiver:
    """Records every request; ``fault(n)`` picks what request number n gets: "ok", "fail"
    (HTTP 500) or "slow" (answers after the sender has timed out, having taken it)."""

    def __init__(self, port: int, fault: Callable[[int], str], slow_s: float) -> None:
        self.port, self.fault, self.slow_s = port, fault, slow_s
        self.lock = threading.Lock()
        self.requests = 0
        self.injected = {"fail": 0, "slow": 0, "refused": 0}
        self.accepted: list[str] = []  # event ids answered 2xx (or taken, for "slow")
        self.bad_signatures = 0
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests += 1
                    n = receiver.requests
                    what = receiver.fault(n)
                    if not verify(SECRET, self.headers.get(SIGNATURE, ""), body, now=time.time()):
                        receiver.bad_signatures += 1
                    event_id = self.headers.get("X-Mirrorscan-Event-Id", "")
                    assert json.loads(body)["id"] == event_id
                    if what != "fail":
                        receiver.accepted.append(event_id)
                    if what in receiver.injected:
                        receiver.injected[what] += 1
                if what == "slow":
                    time.sleep(receiver.slow_s)
                status = 500 if what == "fail" else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                return

        self.server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _settings(tmp_path: Path, **hooks: Any) -> Settings:
    webhooks = WebhookSettings(allow_private_targets=True, timeout_s=0.4, backoff_s=0.05,
                               backoff_max_s=0.5, poll_s=0.05, **hooks)  # fmt: skip
    return fake_settings(tmp_path, webhooks=webhooks)


def _wait(until: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if until():
            return True
        time.sleep(0.1)
    return until()


@pytest.fixture
def store_of(tmp_path: Path) -> Iterator[Callable[[], Store]]:
    opened: list[Store] = []

    def open_store() -> Store:
        store = Store(_settings(tmp_path).db_url)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


def _events(c: TestClient, start: int, n: int) -> None:
    """n events: account changes (bank.changed), block and review verdicts, a decision."""
    write, score = {"X-API-Key": WRITE_KEY}, {"X-API-Key": SCORE_KEY}
    for i in range(start, start + n):
        kind = i % 4
        if kind in (0, 1):
            r = c.put(f"/v1/accounts/acct-{i}", headers=write, json={
                "platform": "x", "handle": f"group_media_{i}", "display_name": f"Group Media {i}",
                "links": [f"https://t.me/groupmedia{i}"], "group": "G"})  # fmt: skip
            assert r.status_code == 201, r.text
        elif kind == 2:  # a mirror of an account written above: block or review
            r = c.post("/v1/score", headers=score, json={
                "platform": "x", "handle": f"group_media_{i - 2}",
                "display_name": f"Group Media {i - 2}",
                "links": [f"https://t.me/groupmedia{i - 2}"]})  # fmt: skip
            assert r.json()["band"] in ("block", "review"), r.json()
        else:
            r = c.post("/v1/decisions", headers=score, json={
                "profile": {"handle": f"group_media_{i - 3}"}, "account_id": f"acct-{i - 3}",
                "decision": "confirmed"})  # fmt: skip
            assert r.status_code == 201, r.text


def test_every_event_is_delivered_through_receiver_faults_and_a_restart(
    tmp_path: Path, store_of: Callable[[], Store]
) -> None:
    port = _port()
    # every 4th request fails, every 7th is taken but answered too late; the receiver is also
    # down for a while (connections refused) and the service restarts mid-way
    receiver = Receiver(port, lambda n: "fail" if n % 4 == 1 else "slow" if n % 7 == 3 else "ok",
                        slow_s=1.0)  # fmt: skip
    receiver.start()
    # retries outlast the outage (the dead-letter test below covers running out of them)
    settings = _settings(tmp_path, max_attempts=40)
    store = store_of()
    with TestClient(create_app(settings)) as c:
        wait_ready(c)
        r = c.post("/v1/webhooks", headers={"X-API-Key": ADMIN_KEY}, json={
            "url": f"http://127.0.0.1:{port}/hook", "secret": SECRET,
            "events": ["block", "review", "decision", "bank.changed"]})  # fmt: skip
        assert r.status_code == 201, r.text
        hook = r.json()["id"]
        _events(c, 0, 24)
        assert _wait(lambda: len(set(receiver.accepted)) >= 8, 30)
        receiver.stop()  # the receiver goes down ...
        refused_from = receiver.requests
        _events(c, 24, 8)
        time.sleep(1.0)
        # ... and the service stops with deliveries pending (some in flight)
    pending_at_restart = store.outbox.counts(hook).get("pending", 0)
    receiver.start()  # the receiver is back; a new service process takes over
    with TestClient(create_app(settings)) as c:
        wait_ready(c)
        _events(c, 32, 16)
        done = _wait(lambda: store.outbox.counts(hook).get("pending", 0) == 0, 90)
        counts = store.outbox.counts(hook)
    receiver.stop()
    sent = store.outbox.event_ids()
    unique = set(receiver.accepted)
    errors = _attempt_errors(store)
    numbers = {
        "events_sent": len(sent),
        "requests_received": receiver.requests,
        "failures_injected": {"http_500": receiver.injected["fail"],
                              "answered_after_timeout": receiver.injected["slow"],
                              "receiver_down_s": 1.0, "service_restarts": 1},
        "failed_attempts_seen_by_sender": errors,
        "attempts_logged": store.outbox.attempts(hook),
        "pending_at_restart": pending_at_restart,
        "delivered": len(unique & set(sent)),
        "duplicates": len(receiver.accepted) - len(unique),
        "lost": len(set(sent) - unique),
        "dead": counts.get("dead", 0),
        "bad_signatures": receiver.bad_signatures,
        "requests_before_receiver_stop": refused_from,
    }  # fmt: skip
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "webhook-faults.json").write_text(json.dumps(numbers, indent=2))
    print("webhook fault test:", json.dumps(numbers))
    assert done, counts
    assert len(sent) >= 40
    assert numbers["lost"] == 0 and numbers["dead"] == 0 and not numbers["bad_signatures"]
    assert counts == {"delivered": len(sent)}
    assert receiver.injected["fail"] > 0 and receiver.injected["slow"] > 0
    assert pending_at_restart > 0  # the restart really left work for the next process


def _attempt_errors(store: Store) -> dict[str, int]:
    from sqlalchemy import select

    from service.store.outbox import AttemptRow

    out: dict[str, int] = {}
    with store.sessions() as s:
        for (error,) in s.execute(select(AttemptRow.error).where(AttemptRow.error != "")):
            kind = ("timeout" if error.startswith("no answer") else "http_500"
                    if error == "HTTP 500" else "connection_refused"
                    if "Connect" in error else "other")  # fmt: skip
            out[kind] = out.get(kind, 0) + 1
    return out


def test_a_delivery_that_keeps_failing_is_dead_lettered(
    tmp_path: Path, store_of: Callable[[], Store]
) -> None:
    port = _port()
    receiver = Receiver(port, lambda n: "fail", slow_s=0)
    receiver.start()
    with TestClient(create_app(_settings(tmp_path, max_attempts=3))) as c:
        wait_ready(c)
        new = {"url": f"http://127.0.0.1:{port}/", "secret": SECRET, "events": ["bank.changed"]}
        r = c.post("/v1/webhooks", headers={"X-API-Key": ADMIN_KEY}, json=new)
        hook = r.json()["id"]
        c.put("/v1/accounts/a1", headers={"X-API-Key": WRITE_KEY}, json={"handle": "a1"})
        store = store_of()
        assert _wait(lambda: store.outbox.counts(hook) == {"dead": 1}, 30)
        log = c.get(f"/v1/webhooks/{hook}/deliveries", headers={"X-API-Key": ADMIN_KEY}).json()
        [delivery] = log["deliveries"]
        assert delivery["status"] == "dead" and delivery["attempts"] == 3
        assert delivery["last_error"] == "HTTP 500" and delivery["type"] == "bank.changed"
    receiver.stop()
    assert receiver.requests == 3
