"""What batch work needs from the store, on SQLite and PostgreSQL: changes after a change number in
order, stale vectors after a model change, a read-only view, and the jobs table."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from service.domain import Features
from service.errors import Conflict, StorageUnavailable
from service.store.bank import Store
from service.store.exclusive import exclusive
from service.store.jobs import INTERRUPTED, JobStore, job_lock, new_job_id
from tests.helpers.bank import upsert_item as _item


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bank.sqlite3'}"
    url = os.environ.get("MIRRORSCAN_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("set MIRRORSCAN_TEST_POSTGRES_URL to run the store tests on PostgreSQL")
    s = Store(url)
    with s.engine.begin() as conn:
        conn.execute(
            text(
                "DROP TABLE IF EXISTS jobs, account_keys, accounts, audit_log, counters, "
                "schema_version"
            )
        )
    s.close()
    return url


@pytest.fixture
def store(url: str) -> Store:
    s = Store(url)
    s.create_all()
    return s


def test_changes_after_a_change_number_in_order(store: Store) -> None:
    store.upsert([_item("a"), _item("b"), _item("c")])  # one transaction: one change number
    store.upsert([_item("d")])
    store.upsert([_item("a", "renamed")])
    store.remove("b")
    assert store.max_seq() == 4
    pages = list(store.iter_changes(1, batch=1))
    assert [[a.profile.id for a in p] for p in pages] == [["d"], ["a"], ["b"]]
    assert pages[-1][0].removed
    everything = [a.profile.id for p in store.iter_changes(0, batch=2) for a in p]
    assert everything == ["c", "d", "a", "b"]  # each row once, at its latest change
    assert list(store.iter_changes(4)) == []
    store.close()


def test_stale_vectors_are_found_and_replaced(store: Store) -> None:
    store.upsert([_item("a", version="m1|img"), _item("b", version="m2|img"),
                  _item("c", version="m2|img|thumb"), _item("d", version="m2|img2")])  # fmt: skip
    assert store.count_stale("m2|img") == 2  # a (text model) and d (image model: not a prefix)
    stale = [a for p in store.iter_stale("m2|img", batch=1) for a in p]
    assert [a.profile.id for a in stale] == ["a", "d"]
    seq = store.max_seq()
    vec = np.full(4, 0.5, dtype=np.float32)
    changed = store.replace_features([(stale[0].row_id, Features(vec, vec, None), "m2|img")])
    assert changed == 1 and store.max_seq() == seq + 1
    assert store.count_stale("m2|img") == 1
    assert [a.profile.id for p in store.iter_changes(seq) for a in p] == ["a"]
    store.close()


def test_a_read_only_store_refuses_writes(url: str, store: Store) -> None:
    store.upsert([_item("a")])
    ro = Store(url, readonly=True)
    try:
        assert ro.count() == 1 and ro.get("a") is not None
        with pytest.raises((DBAPIError, StorageUnavailable)):  # SQLite: READONLY, mapped
            ro.upsert([_item("b")])
    finally:
        ro.close()
        store.close()
    again = Store(url)
    assert again.count() == 1
    again.close()


def test_one_active_job_per_kind_and_restarts(store: Store) -> None:
    jobs = JobStore(store)
    runner = ExitStack()  # a live process runs the job: it holds the job's lock (replicas)
    job_id = new_job_id()
    assert runner.enter_context(exclusive(store.engine, job_lock(job_id), wait_s=0, discard=True))
    first = jobs.create("rebuild", job_id=job_id)
    with pytest.raises(Conflict, match=first.id):
        jobs.create("rebuild")
    jobs.start(first.id)
    with pytest.raises(Conflict):
        jobs.create("rebuild")
    jobs.progress(first.id, 5, 10)
    got = jobs.get(first.id)
    assert got is not None and got.status == "running" and got.progress == 0.5
    assert jobs.fail_interrupted() == 0  # its process is alive
    runner.close()  # and now gone
    assert jobs.fail_interrupted() == 1
    failed = jobs.get(first.id)
    assert failed is not None and failed.status == "failed" and failed.error == INTERRUPTED
    second = jobs.create("rebuild")  # can be asked for again
    jobs.start(second.id)
    jobs.succeed(second.id, {"snapshot": "v"})
    done = jobs.get(second.id)
    assert done is not None and done.progress == 1.0 and done.result == {"snapshot": "v"}
    assert [j.id for j in jobs.recent()] == [second.id, first.id]
    assert jobs.get("nope") is None
    store.close()
