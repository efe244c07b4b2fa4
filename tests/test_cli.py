"""The command line: import a bank of a few hundred accounts, stats, score; bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faker import Faker
from typer.testing import CliRunner

from service.cli import app
from tests.helpers.settings import fake_env

DEMO = Path(__file__).resolve().parents[1] / "demo"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return fake_env(tmp_path / "data")


def write_bank(path: Path, n: int) -> list[dict[str, object]]:
    fake = Faker(["en_PK", "ar_SA", "fa_IR"])
    fake.seed_instance(4)
    rows = []
    for i in range(n):
        name = fake.name()
        rows.append({"id": f"acct-{i}", "platform": "x", "handle": f"{fake.user_name()}{i}",
                     "display_name": name, "bio": fake.sentence(), "links": [],
                     "avatar_path": None, "group": f"group-{i % 7}"})  # fmt: skip
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return rows


def test_import_stats_score_on_a_few_hundred(tmp_path: Path, env: dict[str, str]) -> None:
    runner = CliRunner()
    bank = tmp_path / "bank.jsonl"
    rows = write_bank(bank, 300)
    r = runner.invoke(app, ["bank", "import", str(bank)], env=env)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["outcomes"] == {"created": 300}
    again = runner.invoke(app, ["bank", "import", str(bank)], env=env)
    assert json.loads(again.stdout)["outcomes"] == {"unchanged": 300}
    stats = json.loads(runner.invoke(app, ["bank", "stats"], env=env).stdout)
    assert stats["accounts"] == 300 and stats["indexed"]["name"] == 300
    out = tmp_path / "scores.jsonl"
    r = runner.invoke(app, ["score", str(bank), "--out", str(out)], env=env)
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == [row["id"] for row in rows]
    for line in lines:
        assert set(line) == {"id", "score", "band", "band_reason", "log_likelihood_ratio",
                             "prevalence", "compared", "matches"}  # fmt: skip
        assert line["band"] in {"block", "review", "allow"} and 0 <= line["score"] <= 1
        assert line["band_reason"] and line["prevalence"] == 0.05
        for m in line["matches"]:
            assert set(m) == {"account_id", "group", "score", "log_likelihood_ratio", "band",
                              "bank", "evidence"}  # fmt: skip
            assert all(set(e) == {"signal", "contribution", "detail"} for e in m["evidence"])
    # every account is in the bank: each finds itself first, by the same platform and handle
    assert all(x["matches"][0]["account_id"] == x["id"] for x in lines)


def test_demo_bank_imports_with_avatars(env: dict[str, str]) -> None:
    r = CliRunner().invoke(app, ["bank", "import", str(DEMO / "bank.jsonl")], env=env)
    assert r.exit_code == 0, r.output
    stats = json.loads(CliRunner().invoke(app, ["bank", "stats"], env=env).stdout)
    assert stats["indexed"]["avatar"] == 8


def test_malformed_lines_are_reported_with_their_number(
    tmp_path: Path, env: dict[str, str]
) -> None:
    bank = tmp_path / "bank.jsonl"
    bank.write_text(
        '{"id": "a", "handle": "one"}\n'
        "{not json\n"
        '{"id": "b", "display_name": 5}\n'
        '{"id": "c", "avatar_path": "missing.png"}\n'
        '{"handle": "no id"}\n'
        '{"id": "d", "handle": "four"}\n'
    )
    r = CliRunner().invoke(app, ["bank", "import", str(bank)], env=env)
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert report["outcomes"] == {"created": 2, "error": 4}
    for n in (2, 3, 4, 5):
        assert f"line {n}:" in r.stderr
    strict = CliRunner().invoke(app, ["bank", "import", str(bank), "--strict"], env=env)
    assert strict.exit_code == 1
    assert "line 2" in strict.stderr and "--strict" in strict.stderr


def test_score_keeps_one_line_per_input_even_for_bad_lines(
    tmp_path: Path, env: dict[str, str]
) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "ok", "handle": "x"}\n[1]\n{"id": "ok2", "avatar_b64": "!!"}\n')
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(app, ["score", str(inp), "--out", str(out)], env=env)
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 3
    assert lines[0]["band"] == "allow"
    assert lines[1]["error"].startswith("line 2:")
    assert lines[2]["id"] == "ok2" and lines[2]["error"].startswith("line 3:")


def test_missing_file_is_a_clear_error(tmp_path: Path, env: dict[str, str]) -> None:
    r = CliRunner().invoke(app, ["bank", "import", str(tmp_path / "nope.jsonl")], env=env)
    assert r.exit_code == 2
    assert "is not a file" in r.stderr


def test_keys_create_list_revoke(env: dict[str, str]) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["keys", "create", "--label", "Ayesha", "--scope", "score"], env=env)
    assert r.exit_code == 0 and r.stdout.startswith("ms_"), r.output
    key = r.stdout.strip()
    listed = json.loads(runner.invoke(app, ["keys", "list"], env=env).stdout)
    assert [(k["label"], k["scopes"], k["prefix"]) for k in listed] == [
        ("Ayesha", ["score"], key[:8])
    ]
    assert key not in json.dumps(listed)
    r = runner.invoke(app, ["keys", "revoke", listed[0]["id"]], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout)["label"] == "Ayesha"
    assert json.loads(runner.invoke(app, ["keys", "list"], env=env).stdout) == []
    again = runner.invoke(app, ["keys", "revoke", listed[0]["id"]], env=env)
    assert again.exit_code == 1 and "no active API key" in again.stderr
    bad = runner.invoke(app, ["keys", "create", "--label", "x", "--scope", "root"], env=env)
    assert bad.exit_code == 2 and "unknown scopes" in bad.stderr
    bad = runner.invoke(app, ["keys", "create", "--label", " ", "--scope", "score"], env=env)
    assert bad.exit_code == 2 and "label" in bad.stderr


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ('{"short-key": ["score"]}', "key 1 of 1: API keys must be at least 16 characters"),
        ('{"a-secret-key-0123456789": ["root"]}', "key 1 of 1: unknown scopes ['root']"),
        ('{"a-secret-key-0123456789": {"label": "", "scopes": ["score"]}}', "label"),
        ("not json", "is it valid JSON?"),
    ],
)
def test_a_bad_key_setting_stops_serve_with_one_line(
    env: dict[str, str], value: str, says: str
) -> None:
    r = CliRunner().invoke(app, ["serve"], env={**env, "MIRRORSCAN_API_KEYS": value})
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: bad setting"), r.stderr
    assert says in lines[0] and "a-secret-key" not in lines[0] and "Traceback" not in r.output
