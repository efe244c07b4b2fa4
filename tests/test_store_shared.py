"""What replicas share through the store: the cross-process lock, schema creation by two
processes at once, API keys (revoking ends their sessions), session records, secrets made once;
and the indexes: one snapshot writer at a time, a rebuilt snapshot adopted by another process,
bank changes made by another process applied by the follower's step."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from service.auth import Authenticator, KeyRing
from service.config import Settings, ThrottleSettings
from service.domain import Profile
from service.errors import Conflict
from service.follower import Follower
from service.indexing import SNAPSHOT_LOCK
from service.pipeline import Pipeline
from service.store import audit, counters
from service.store.bank import Store
from service.store.exclusive import exclusive
from service.store.shared import SharedState
from service.store.websessions import WebSession
from service.throttle import FailureThrottle
from service.usecases.keys import create_key, revoke_key, stored_ring
from tests.helpers.replicas import postgres_schema
from tests.helpers.settings import fake_settings


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bank.sqlite3'}"
        return
    base = os.environ.get("MIRRORSCAN_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("set MIRRORSCAN_TEST_POSTGRES_URL to run the store tests on PostgreSQL")
    with postgres_schema(base) as scoped:
        yield scoped


@pytest.fixture
def shared(url: str, tmp_path: Path) -> Iterator[SharedState]:
    state = SharedState.open(Settings(data_dir=tmp_path / "data", database_url=url))
    yield state
    state.close()


def test_one_holder_at_a_time_across_engines(url: str) -> None:
    one, two = create_engine(url), create_engine(url)
    try:
        with exclusive(one, "test.lock", wait_s=0) as held:
            assert held
            with exclusive(two, "test.lock", wait_s=0.2) as other:
                assert not other, "a second process does not get the lock"
            with exclusive(two, "another.lock", wait_s=0) as other:
                assert other, "locks are by name"
        with exclusive(two, "test.lock", wait_s=0) as held:
            assert held, "released at the end of the block"
    finally:
        one.dispose()
        two.dispose()


def test_two_processes_create_the_schema_at_once(url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def create() -> None:
        store = Store(url)
        try:
            barrier.wait()
            store.create_all()
        except BaseException as exc:  # noqa: B036 - reported below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=create) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine = create_engine(url)
    with engine.connect() as conn:
        names = list(conn.scalars(text("SELECT name FROM counters")))
        steps = list(conn.scalars(text("SELECT name FROM schema_version")))
    engine.dispose()
    # each counter once (the replicas' and the audit chain's), each migration step run once
    assert sorted(names) == sorted({*counters.COUNTERS, audit.COUNTER})
    assert len(steps) == len(set(steps))


def test_revoking_a_key_ends_its_sessions_and_leaves_others(shared: SharedState) -> None:
    kept, _ = create_key(shared, "test", "Kept", ["score"])
    gone, key = create_key(shared, "test", "Gone", ["score", "admin"])
    ring = stored_ring(shared)
    assert {e.label for e in ring.values()} == {"Kept", "Gone"}
    auth = Authenticator(KeyRing({}), FailureThrottle(ThrottleSettings()))
    auth.use_stored(ring)
    assert auth.authenticate(key).label == "Gone"
    far = 4e9
    shared.sessions.open("h1", WebSession("c1", "Gone", gone.id, far), max_per_key=10)
    shared.sessions.open("h2", WebSession("c2", "Kept", kept.id, far), max_per_key=10)
    revoke_key(shared, "test", gone.id)
    assert shared.sessions.get("h1") is None and shared.sessions.get("h2") is not None
    assert [k.label for k in shared.keys.listed()] == ["Kept"]
    assert shared.counters()["keys"] == 3  # two creations, one revocation


def test_sessions_expire_and_are_bounded_per_key(shared: SharedState) -> None:
    now = [1000.0]
    sessions = type(shared.sessions)(shared.store.sessions, clock=lambda: now[0])
    for i in range(4):
        now[0] += 1
        sessions.open(f"s{i}", WebSession("c", "Ayesha", "k1", 2000.0), max_per_key=3)
    assert sessions.get("s0") is None, "the oldest of the key's sessions ended"
    assert all(sessions.get(f"s{i}") for i in (1, 2, 3))
    now[0] = 2000.0
    assert sessions.get("s3") is None, "expired"
    sessions.close("s1")
    now[0] = 1500.0
    assert sessions.get("s1") is None and sessions.get("s2") is not None


def test_a_secret_is_made_once_for_every_process(url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    one, two = SharedState.open(settings), SharedState.open(settings)
    try:
        assert one.secret("x") == two.secret("x") and len(one.secret("x")) >= 48
        assert one.secret("y") != one.secret("x")
    finally:
        one.close()
        two.close()


def test_snapshots_are_written_one_process_at_a_time(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path).model_copy(
        update={"replicas": Settings().replicas.model_copy(update={"snapshot_lock_wait_s": 0.2})}
    )
    pipeline = Pipeline.open(settings)
    other = Store(settings.db_url)
    try:
        with exclusive(other.engine, SNAPSHOT_LOCK, wait_s=0) as held:
            assert held  # another process is writing
            with pytest.raises(Conflict):
                pipeline.write_snapshot()
        assert pipeline.write_snapshot().is_dir()
    finally:
        other.close()
        pipeline.close()


def test_another_process_changes_are_followed_and_its_rebuild_adopted(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    reader = Pipeline.open(settings)
    shared = SharedState.open(settings)
    auth = Authenticator(KeyRing({}), FailureThrottle(ThrottleSettings()))
    follower = Follower(shared, auth, lambda: reader, poll_s=0.1)
    writer = Pipeline.open(settings)
    try:
        follower.step()
        writer.upsert([Profile(id="late-1", display_name="Late Arrival Media")])
        query = Profile(id="q", display_name="Late Arrival Media")
        assert all(m.account_id != "late-1" for m in reader.score(query).matches)
        assert follower.step() == 1
        assert reader.score(query).matches[0].account_id == "late-1"
        fresh = writer.rebuild_indexes()
        assert follower.step() == 0 and reader.indexes.version == fresh.version
        assert reader.score(query).matches[0].account_id == "late-1"
    finally:
        writer.close()
        reader.close()
        shared.close()
