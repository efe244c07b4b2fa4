"""Backup and restore (issue 18, item 6): after a restore every account (fields, vectors, PDQ
hashes, thumbnails, keys), audit entry and decision is identical, the snapshot loads as it was,
and every score of a fixed candidate set is byte-identical."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app
from service.domain import Profile
from service.pipeline import Pipeline
from service.usecases import bank
from service.usecases.batch import verdict_line
from service.usecases.decisions import decide
from tests.helpers.bank import BANK, many
from tests.helpers.images import png_bytes
from tests.helpers.settings import fake_env, fake_settings

TABLES = ("accounts", "account_keys", "audit_log", "counters", "jobs", "schema_version")
CANDIDATES = [
    Profile(id="c1", platform="x", handle="ttp_rnedia2", display_name="TTP Media 2",
            links=("https://t.me/ttpmedia",), avatar=png_bytes(1)),
    Profile(id="c2", handle="gwahram_blf1", display_name="Gwahram Baloch", bio="BLF spokesman"),
    Profile(id="c3", display_name="Acct Number 7", bio="bio 7", avatar=png_bytes(2)),
    Profile(id="c4", handle="gardening", display_name="Gardening Daily", avatar=png_bytes(9)),
]  # fmt: skip


def _scores(pipeline: Pipeline) -> bytes:
    lines = [verdict_line(pipeline.score(p)) for p in CANDIDATES]
    return json.dumps(lines, sort_keys=True).encode()


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}


def _bank_with_history(data: Path) -> tuple[bytes, str]:
    """A bank with removals, decisions and changes after its snapshot; returns the scores of
    the candidates as a freshly started server gives them, and the snapshot's version. (A
    server that has been running since the bank was written may weigh name and bio words a
    little differently: its bank statistics saw the history, which a fresh start does not.)"""
    pipeline = Pipeline.open(fake_settings(data))
    try:
        bank.put_accounts(pipeline, "key:w", [*BANK, *many(30)])
        bank.remove_account(pipeline, "key:w", "acct-3")
        decide(pipeline, "key:m", CANDIDATES[0], "ttp-x", "confirmed", "same logo")
        decide(pipeline, "key:m", CANDIDATES[1], "blf-x", "rejected")
        version = pipeline.write_snapshot().name
        # changes after the snapshot: the restored server catches up on them from the bank
        bank.put_account(pipeline, "key:w", Profile(id="late", display_name="Late Addition",
                                                    avatar=png_bytes(4)))  # fmt: skip
    finally:
        pipeline.close()
    fresh = Pipeline.open(fake_settings(data))
    try:
        return _scores(fresh), version
    finally:
        fresh.close()


def test_restore_is_lossless_and_scores_are_byte_identical(tmp_path: Path) -> None:
    before, version = _bank_with_history(tmp_path / "a")
    db_a = tmp_path / "a" / "data" / "bank.sqlite3"
    tables_a = _tables(db_a)
    runner = CliRunner()
    saved = runner.invoke(app, ["backup", str(tmp_path / "bk")], env=fake_env(db_a.parent))
    assert saved.exit_code == 0, saved.output
    manifest = json.loads(saved.stdout)
    assert manifest["snapshot"] == version and manifest["accounts"] == 33
    assert manifest["audit_entries"] == 5 and manifest["audit_chain_ok"] is True
    env_b = fake_env(tmp_path / "b" / "data")
    restored = runner.invoke(app, ["restore", str(tmp_path / "bk")], env=env_b)
    assert restored.exit_code == 0, restored.output
    db_b = tmp_path / "b" / "data" / "bank.sqlite3"
    assert _tables(db_b) == tables_a  # every row of every table, blobs and hashes included
    pipeline = Pipeline.open(fake_settings(tmp_path / "b"))
    try:
        assert pipeline.indexes.version == version  # the snapshot itself, caught up
        assert _scores(pipeline) == before
        assert pipeline.store.audit_log.verify_chain().ok
    finally:
        pipeline.close()


def test_restore_refuses_a_bank_in_place_and_a_damaged_backup(tmp_path: Path) -> None:
    _bank_with_history(tmp_path / "a")
    env_a = fake_env(tmp_path / "a" / "data")
    runner = CliRunner()
    assert runner.invoke(app, ["backup", str(tmp_path / "bk")], env=env_a).exit_code == 0
    again = runner.invoke(app, ["backup", str(tmp_path / "bk")], env=env_a)
    assert again.exit_code == 1 and "not an empty folder" in str(again.exception)
    in_place = runner.invoke(app, ["restore", str(tmp_path / "bk")], env=env_a)
    assert in_place.exit_code == 1 and "--force" in str(in_place.exception)
    forced = runner.invoke(app, ["restore", str(tmp_path / "bk"), "--force"], env=env_a)
    assert forced.exit_code == 0, forced.output
    assert list((tmp_path / "a" / "data").glob("bank.sqlite3.before-restore-*"))
    damaged = tmp_path / "bk" / "bank.sqlite3"
    damaged.write_bytes(damaged.read_bytes()[:-10] + b"0123456789")
    bad = runner.invoke(app, ["restore", str(tmp_path / "bk")], env=fake_env(tmp_path / "c"))
    assert bad.exit_code == 1 and "checksum" in str(bad.exception)


def test_a_postgresql_bank_is_pointed_at_pg_dump(tmp_path: Path) -> None:
    env = {**fake_env(tmp_path / "d"),
           "MIRRORSCAN_DATABASE_URL": "postgresql+psycopg://u:secret@127.0.0.1:1/bank"}  # fmt: skip
    r = CliRunner().invoke(app, ["backup", str(tmp_path / "bk")], env=env)
    assert r.exit_code == 2 and "pg_dump" in r.stderr and "secret" not in r.stderr
