"""Schema migrations: an older data dir (accounts without a bank) is brought up to date by
``Store.create_all()``, every account in the default bank; steps run once and are idempotent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from service.store.bank import Store
from service.store.migrations import STEPS, migrate
from tests.helpers.bank import upsert_item


def make_old(path: Path) -> str:
    """A data dir as the code before named banks left it."""
    url = f"sqlite:///{path}"
    store = Store(url)
    store.create_all()
    store.upsert([upsert_item("a"), upsert_item("b")])
    store.close()
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP INDEX ix_accounts_bank; ALTER TABLE accounts DROP COLUMN bank;"
        "DROP TABLE banks; DROP TABLE schema_version;"
    )
    conn.close()
    return url


def test_an_old_data_dir_gets_banks(tmp_path: Path) -> None:
    url = make_old(tmp_path / "bank.sqlite3")
    store = Store(url)
    store.create_all()
    try:
        assert {a.profile.id: a.bank for b in store.iter_accounts() for a in b} == {
            "a": "default", "b": "default"}  # fmt: skip
        [bank] = store.banks.list()
        assert (bank.name, bank.kind, bank.enabled) == ("default", "banned", True)
        assert store.banks.stats("default").accounts == 2
        assert migrate(store.engine) == []  # nothing left to do
    finally:
        store.close()


def test_steps_are_recorded_and_run_once(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    store.create_all()
    try:
        with store.engine.connect() as conn:
            names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM schema_version")}
        assert names == {s.name for s in STEPS}
        store.banks.delete("default")  # a bank removed stays removed
        store.create_all()
        assert store.banks.list() == []
        for step in STEPS:  # idempotent even when run again by hand
            with store.engine.begin() as conn:
                step.run(conn)
        assert [b.name for b in store.banks.list()] == ["default"]
    finally:
        store.close()
