"""Storage faults (issue 18, item 4). A full database and a read-only one are real SQLite errors
raised through the real store: ``PRAGMA max_page_count`` caps the database file (SQLITE_FULL,
what a full disk gives) and ``PRAGMA query_only`` refuses writes (SQLITE_READONLY, what a
read-only data dir gives); a full filesystem for the CLI is a 1 MB tmpfs, where this machine
lets the test mount one. A garbage ``indexes/CURRENT`` is rebuilt from the store."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from service.app import create_app
from service.pipeline import Pipeline
from service.store.bank import Store
from tests.helpers.bank import BANK
from tests.helpers.http import assert_problem, wait_ready
from tests.helpers.settings import ROOT, WRITE_KEY, fake_env, fake_settings

KEY = {"X-API-Key": WRITE_KEY}
CLI = "from service.cli import main; main()"


def _pragma(store: Store, statement: str) -> None:
    """Apply ``statement`` to every connection the store opens from now on."""
    store.engine.dispose()

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(statement)
        cur.close()

    event.listen(store.engine, "connect", on_connect)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, list[Pipeline]]]:
    captured: list[Pipeline] = []
    real_open = Pipeline.open

    def keep(settings: Any, **kw: Any) -> Pipeline:
        p = real_open(settings, **kw)
        captured.append(p)
        return p

    pytest.MonkeyPatch().setattr(Pipeline, "open", staticmethod(keep))
    with TestClient(create_app(fake_settings(tmp_path))) as c:
        wait_ready(c)
        yield c, captured


def _put(c: TestClient, i: int) -> Any:
    return c.put(f"/v1/accounts/acct-{i}", headers=KEY,
                 json={"display_name": f"Account {i}", "bio": "x" * 4000})  # fmt: skip


def test_a_full_database_is_507_and_nothing_is_half_written(
    app: tuple[TestClient, list[Pipeline]],
) -> None:
    c, [pipeline] = app
    assert _put(c, 0).status_code == 201
    store = pipeline.store
    pages = store.engine.connect().exec_driver_sql("PRAGMA page_count").scalar()
    _pragma(store, f"PRAGMA max_page_count={pages}")  # full: no page can be added
    before = (store.count(), len(store.audit_log.entries(limit=1000)))
    statuses = [_put(c, i).status_code for i in range(1, 30)]
    assert 507 in statuses and 500 not in statuses, statuses
    body = assert_problem(_put(c, 99), 507)
    assert "full" in str(body["detail"])
    # every account written has its audit entry and no audit entry lacks its account
    written = store.count() - before[0]
    assert len(store.audit_log.entries(limit=1000)) - before[1] == written
    assert store.audit_log.verify_chain().ok
    _pragma(store, "PRAGMA max_page_count=1073741823")  # space is back: it recovers
    assert _put(c, 99).status_code == 201


def test_a_read_only_database_is_503(app: tuple[TestClient, list[Pipeline]]) -> None:
    c, [pipeline] = app
    _pragma(pipeline.store, "PRAGMA query_only=ON")
    r = _put(c, 1)
    body = assert_problem(r, 503)
    assert r.headers["retry-after"] and "read-only" in str(body["detail"])
    assert "INSERT" not in r.text and "UPDATE" not in r.text
    assert c.get("/healthz").status_code == 200


def test_garbage_current_is_rebuilt_from_the_store(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    first = Pipeline.open(settings)
    first.upsert(BANK)
    first.write_snapshot()
    first.close()
    for garbage in (b"\xff\xfe\x00bad", b"../../etc", b"no such snapshot", b"\n"):
        (settings.index_dir / "CURRENT").write_bytes(garbage)
        again = Pipeline.open(settings)
        try:
            assert again.ready and again.indexes.counts()["name"] == 3
        finally:
            again.close()


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True)  # fmt: skip
    return done.returncode == 0


def test_the_cli_says_the_disk_is_full(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    if os.geteuid() != 0 or not _mount_tmpfs(disk, "1m"):
        pytest.skip("mounting a small tmpfs needs root and mount rights on this machine")
    try:
        bank = tmp_path / "bank.jsonl"
        big = "y" * 4000
        bank.write_text("".join(
            f'{{"id": "a{i}", "display_name": "Account {i}", "bio": "{big}"}}\n'
            for i in range(600)
        ))  # fmt: skip
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "OMP_NUM_THREADS": "1",
            **fake_env(disk / "data"),
        }
        done = subprocess.run(
            [sys.executable, "-c", CLI, "bank", "import", str(bank)],
            capture_output=True, env=env, timeout=300,
        )  # fmt: skip
        err = done.stderr.decode()
        assert done.returncode == 1, err
        assert "error:" in err and "full" in err and "Traceback" not in err, err[-2000:]
        print(err.strip().splitlines()[-1])
    finally:
        subprocess.run(["umount", str(disk)], check=False)
