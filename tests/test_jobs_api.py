"""The index-job API on the real app (fake encoders): a rebuild while a client scores in a loop,
one rebuild at a time, and jobs interrupted by a restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.domain import Profile
from service.pipeline import Pipeline
from service.store.bank import Store
from service.store.exclusive import exclusive
from service.store.jobs import JobStore, job_lock
from tests.helpers.bank import BANK, many
from tests.helpers.http import assert_problem, wait_ready
from tests.helpers.settings import ADMIN_KEY, SCORE_KEY, fake_settings

ADMIN = {"X-API-Key": ADMIN_KEY}
LATE = Profile(id="late", platform="x", handle="zarb_e_momin", display_name="Zarb e Momin Radio",
               bio="Voice of the mujahideen", group="TTP")  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = fake_settings(tmp_path)
    p = Pipeline.open(settings)
    p.upsert(many(4000) + BANK)
    p.write_snapshot()
    p.close()
    return settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        wait_ready(c)
        yield c


def wait_job(client: TestClient, location: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(location, headers=ADMIN).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        assert body["status"] in ("queued", "running") and 0 <= body["progress"] <= 1
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_rebuild_while_a_client_scores(settings: Settings, client: TestClient) -> None:
    # another process (a CLI import) adds an account: the server follows the store's changes
    writer = Pipeline.open(settings)
    writer.upsert([LATE])
    written = time.monotonic()
    writer.close()
    probes = {
        "acct-17": "Acct Number 17",
        "acct-3999": "Acct Number 3999",
        "late": LATE.display_name,
    }
    seen: list[tuple[float, str, int, str | None]] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            for expected, name in probes.items():
                r = client.post("/v1/score", headers={"X-API-Key": SCORE_KEY},
                                json={"id": "q", "display_name": name})  # fmt: skip
                matches = r.json().get("matches") or [{}]
                top = matches[0].get("account_id")
                seen.append((time.monotonic(), expected, r.status_code, top))

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        time.sleep(0.5)
        asked = time.monotonic()
        r = client.post("/v1/index-jobs", headers=ADMIN)
        assert r.status_code == 202, r.text
        location = r.headers["location"]
        assert location == f"/v1/index-jobs/{r.json()['id']}"
        job = wait_job(client, location)
        finished = time.monotonic()
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join()

    assert job["status"] == "succeeded", job
    assert job["progress"] == 1.0 and job["error"] is None
    assert job["result"]["indexed"]["name"] == 4000 + len(BANK) + 1
    assert all(status == 200 for _, _, status, _ in seen)  # no failed request
    during = [s for s in seen if asked <= s[0] <= finished]
    assert during, "no request was scored during the rebuild"
    for _, expected, _, top in seen:
        if expected != "late":
            assert top == expected  # never a half-built index
    late = [(t, top == "late") for t, expected, _, top in seen if expected == "late"]
    assert all(found for t, found in late if t > written + 1.0)  # followed within a second
    assert all(found for t, found in late if t > finished)  # and the new snapshot has it
    flips = [b for (_, a), (_, b) in zip(late, late[1:], strict=False) if a != b]
    assert flips in ([], [True])  # found from then on, never lost (not even by the swap)
    ready = client.get("/readyz").json()
    assert ready["snapshot"] == job["result"]["snapshot"]


def test_one_rebuild_at_a_time_and_restarts(settings: Settings) -> None:
    store = Store(settings.db_url)
    try:
        with TestClient(create_app(settings)) as client:
            wait_ready(client)
            assert_problem(client.get("/v1/index-jobs/nope", headers=ADMIN), 404)
            assert_problem(client.post("/v1/index-jobs", headers={"X-API-Key": SCORE_KEY}), 403)
            # as if another live process started one: it holds the job's lock
            running = exclusive(store.engine, job_lock("elsewhere"), wait_s=0, discard=True)
            with running:
                blocking = JobStore(store).create("rebuild", job_id="elsewhere")
                conflict = assert_problem(client.post("/v1/index-jobs", headers=ADMIN), 409)
                assert blocking.id in str(conflict["detail"])
                JobStore(store).start(blocking.id)
        # the process ended with the job running (its lock is free): the next start fails it
        with TestClient(create_app(settings)) as client:
            wait_ready(client)
            old = client.get(f"/v1/index-jobs/{blocking.id}", headers=ADMIN).json()
            assert old["status"] == "failed" and "interrupted by a restart" in old["error"]
            r = client.post("/v1/index-jobs", headers=ADMIN, json={"kind": "rebuild"})
            assert r.status_code == 202, r.text  # and it can be run again
            assert wait_job(client, r.headers["location"])["status"] == "succeeded"
            listed = client.get("/v1/index-jobs", headers=ADMIN).json()["jobs"]
            assert [j["status"] for j in listed] == ["succeeded", "failed"]
            assert_problem(client.post("/v1/index-jobs", headers=ADMIN, json={"kind": "x"}), 422)
    finally:
        store.close()


def test_a_start_leaves_a_live_process_job_alone(settings: Settings) -> None:
    """Replicas: one starting does not fail the rebuild another runs; once that process is
    gone (its job's lock free), the next request for a rebuild fails the orphan and runs."""
    store = Store(settings.db_url)
    store.create_all()
    replica_b = ExitStack()  # another process running a rebuild holds its job's lock
    try:
        assert replica_b.enter_context(
            exclusive(store.engine, job_lock("on-replica-b"), wait_s=0, discard=True)
        )
        JobStore(store).create("rebuild", job_id="on-replica-b")
        JobStore(store).start("on-replica-b")
        with TestClient(create_app(settings)) as client:
            wait_ready(client)
            job = client.get("/v1/index-jobs/on-replica-b", headers=ADMIN).json()
            assert job["status"] == "running"
            assert_problem(client.post("/v1/index-jobs", headers=ADMIN), 409)
            replica_b.close()  # replica B dies
            r = client.post("/v1/index-jobs", headers=ADMIN)
            assert r.status_code == 202, r.text
            gone = client.get("/v1/index-jobs/on-replica-b", headers=ADMIN).json()
            assert gone["status"] == "failed" and "interrupted" in gone["error"]
            assert wait_job(client, r.headers["location"])["status"] == "succeeded"
    finally:
        replica_b.close()
        store.close()
