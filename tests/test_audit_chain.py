"""The audit log's hash chain (issue 18, item 7): rows edited, deleted, reordered or cut from
the end directly in SQLite (triggers dropped first, as someone with file access would) are
found, with the first broken link; `mirrorscan doctor` reports it and the head hash; a database
from before the chain gets it from the migration step."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.pipeline import Pipeline
from service.store.audit import GENESIS
from service.store.bank import Store
from service.store.migrations import STEPS
from tests.helpers.settings import fake_env, fake_settings

Tamper = Callable[[sqlite3.Connection], None]


def _store(tmp_path: Path, n: int = 6) -> tuple[Store, Path]:
    db = tmp_path / "data" / "bank.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    store = Store(f"sqlite:///{db}")
    store.create_all()
    for i in range(1, n + 1):
        payload = {"decision": "confirmed", "score": i / 10, "note": f"n{i}"}
        store.audit_log.append(f"key:{i}", "decision", f"acct-{i}", payload)
    return store, db


def _behind_the_back(db: Path, change: Tamper) -> None:
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    change(conn)
    conn.commit()
    conn.close()


def _edit(conn: sqlite3.Connection) -> None:
    conn.execute("""UPDATE audit_log SET payload = '{"decision": "rejected", "score": 0.3,
                 "note": "n3"}' WHERE seq = 3""")


def _edit_actor(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE audit_log SET actor = 'key:other' WHERE seq = 3")


def _delete(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM audit_log WHERE seq = 3")


def _swap(conn: sqlite3.Connection) -> None:  # rows 3 and 4 trade places, hashes and all
    conn.execute("UPDATE audit_log SET seq = -3 WHERE seq = 3")
    conn.execute("UPDATE audit_log SET seq = 3 WHERE seq = 4")
    conn.execute("UPDATE audit_log SET seq = 4 WHERE seq = -3")


def _truncate(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM audit_log WHERE seq = 6")


def test_an_untouched_chain_holds(tmp_path: Path) -> None:
    store, _ = _store(tmp_path)
    report = store.audit_log.verify_chain()
    assert report.ok and report.entries == 6 and report.head_seq == 6
    entries = list(store.audit_log.iter_oldest_first())
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert store.audit_log.head() == (6, entries[-1].hash) == (6, report.head_hash)
    store.close()


@pytest.mark.parametrize(
    ("change", "broken", "words"),
    [(_edit, 3, "edited"), (_edit_actor, 3, "edited"), (_delete, 4, "deleted"),
     (_swap, 3, "moved"), (_truncate, 6, "removed from its end")],
)  # fmt: skip
def test_a_tampered_row_is_found(tmp_path: Path, change: Tamper, broken: int, words: str) -> None:
    store, db = _store(tmp_path)
    _behind_the_back(db, change)
    report = store.audit_log.verify_chain()
    assert not report.ok and report.first_broken == broken, report
    assert words in (report.reason or "")
    store.close()


def test_a_recorded_anchor_finds_a_cut_that_hid_its_tracks(tmp_path: Path) -> None:
    store, db = _store(tmp_path)
    anchor = store.audit_log.head()
    assert anchor[0] is not None

    def cut_and_rewind(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM audit_log WHERE seq >= 5")
        conn.execute("UPDATE counters SET value = 4 WHERE name = 'audit'")

    _behind_the_back(db, cut_and_rewind)
    assert store.audit_log.verify_chain().ok  # the chain alone cannot see it...
    report = store.audit_log.verify_chain((anchor[0], anchor[1]))
    assert not report.ok and "anchor" in (report.reason or "")  # ...the anchor does
    store.close()


def test_doctor_reports_the_first_broken_link_and_the_head(tmp_path: Path) -> None:
    store, db = _store(tmp_path)
    head = store.audit_log.head()
    store.close()
    pipeline = Pipeline.open(fake_settings(tmp_path))  # a snapshot, so only the log can fail
    pipeline.write_snapshot()
    pipeline.close()
    env = fake_env(db.parent)
    runner = CliRunner()
    ok = runner.invoke(app, ["doctor", "--audit-anchor", f"{head[0]}:{head[1]}"], env=env)
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["audit"] == {"ok": True, "entries": 6, "head_seq": 6,
        "head_hash": head[1], "first_broken": None, "reason": None}  # fmt: skip
    assert head[1] in ok.stderr
    _behind_the_back(db, _edit)
    sick = runner.invoke(app, ["doctor"], env=env)
    assert sick.exit_code == 1
    assert json.loads(sick.stdout)["audit"]["first_broken"] == 3
    assert "tampered" in sick.stderr and "entry 3" in sick.stderr


def test_a_log_from_before_the_chain_is_chained_by_the_migration(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(db)
    conn.executescript("""
        CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at DATETIME, actor VARCHAR(200),
            action VARCHAR(60), subject VARCHAR(400), payload JSON);
        INSERT INTO audit_log VALUES (1, '2026-01-02 03:04:05.000006', 'key:a', 'decision',
            'acct-1', '{"decision": "confirmed"}');
        INSERT INTO audit_log VALUES (2, '2026-01-02 03:04:06.000000', 'key:b', 'account.put',
            'acct-2', '{"outcome": "created"}');
    """)  # fmt: skip
    conn.close()
    store = Store(f"sqlite:///{db}")
    store.create_all()
    store.create_all()  # idempotent: runs no step twice
    assert store.audit_log.verify_chain().ok
    store.audit_log.append("key:c", "decision", "acct-3", {"decision": "rejected"})
    report = store.audit_log.verify_chain()
    assert report.ok and report.entries == 3 and report.head_seq == 3
    with sqlite3.connect(db) as raw:
        names = [r[0] for r in raw.execute("SELECT name FROM schema_version ORDER BY ordinal")]
    assert names == [s.name for s in STEPS]
    store.close()
