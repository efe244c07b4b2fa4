"""Batch scoring: --resume after an interruption (a cut output, a SIGKILL) ends with the same bytes
as an uninterrupted run; CSV and Parquet inputs score like JSON Lines."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from service.cli import app
from service.usecases.resume import Done
from tests.helpers.population import write_population
from tests.helpers.settings import ROOT, fake_env


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = fake_env(tmp_path / "data")
    bank = tmp_path / "bank.jsonl"
    write_population(bank, 200)
    r = CliRunner().invoke(app, ["bank", "import", str(bank)], env=env)
    assert r.exit_code == 1, r.output  # the malformed lines
    return env


def score(env: dict[str, str], inp: Path, out: Path, *extra: str) -> str:
    r = CliRunner().invoke(app, ["score", str(inp), "--out", str(out), *extra], env=env)
    assert r.exit_code == 0, r.output
    return r.stderr


def test_resume_after_a_cut_output_gives_the_same_bytes(
    tmp_path: Path, env: dict[str, str]
) -> None:
    inp, full = tmp_path / "in.jsonl", tmp_path / "full.jsonl"
    write_population(inp, 150)
    score(env, inp, full)
    expected = full.read_bytes()
    lines = expected.splitlines(keepends=True)
    assert len(lines) == 150
    assert json.loads(lines[4]) == {"id": None, "line": 5, "error": json.loads(lines[4])["error"]}
    for keep in (5, 7, 150):  # after error lines with and without an id, and at the end
        out = tmp_path / f"out{keep}.jsonl"
        half = lines[keep][: len(lines[keep]) // 2] if keep < 150 else b""
        out.write_bytes(b"".join(lines[:keep]) + half)  # a write killed mid-line
        log = score(env, inp, out, "--resume")
        assert out.read_bytes() == expected, keep
        assert json.loads(log.splitlines()[-1])["outcomes"].get("skipped", 0) == keep


def test_resume_after_sigkill(tmp_path: Path, env: dict[str, str]) -> None:
    inp, full, out = tmp_path / "in.jsonl", tmp_path / "full.jsonl", tmp_path / "out.jsonl"
    write_population(inp, 1200)
    score(env, inp, full)
    cmd = [sys.executable, "-c", "from service.cli import main; main()", "score", str(inp),
           "--out", str(out), "--batch-size", "16"]  # fmt: skip
    proc = subprocess.Popen(cmd, env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if out.exists() and out.stat().st_size > 100_000:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    kept = len(Done.load(out))
    assert 0 < kept < 1200
    score(env, inp, out, "--resume")
    assert out.read_bytes() == full.read_bytes()


def test_csv_and_parquet_inputs_score_like_json_lines(tmp_path: Path, env: dict[str, str]) -> None:
    rows = [{"id": f"q{i}", "handle": f"h{i}", "display_name": f"Name {i}", "bio": "b",
             "links": ["t.me/x"]} for i in range(30)]  # fmt: skip
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    (tmp_path / "in.csv").write_text(
        "id,handle,display_name,bio,links\n"
        + "".join(f"{r['id']},{r['handle']},{r['display_name']},b,t.me/x\n" for r in rows)
    )
    outputs = []
    for name in ("in.jsonl", "in.parquet", "in.csv"):
        score(env, tmp_path / name, tmp_path / f"{name}.out")
        outputs.append((tmp_path / f"{name}.out").read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
