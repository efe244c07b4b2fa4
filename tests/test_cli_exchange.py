"""The command line: banks, export and import in every exchange format, a partner pull through
the safe fetcher (incremental, idempotent, with provenance), and the audit export."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.store.bank import Store
from tests.helpers.settings import fake_env

runner = CliRunner()
BANK = [
    {"id": "ttp-x", "platform": "x", "handle": "TTP_Media", "display_name": "TTP Media",
     "links": ["t.me/ttpmedia"], "group": "TTP"},
    {"id": "blf-x", "platform": "x", "handle": "Gwahram_BLF", "display_name": "Gwahram Baloch",
     "group": "BLF"},
]  # fmt: skip


def run(env: dict[str, str], *args: str) -> object:
    result = runner.invoke(app, list(args), env=env)
    return result


def ok(env: dict[str, str], *args: str) -> dict[str, object] | list[object]:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    data: dict[str, object] | list[object] = json.loads(result.stdout)
    return data


def test_banks_export_and_import(tmp_path: Path) -> None:
    a, b = fake_env(tmp_path / "a"), fake_env(tmp_path / "b")
    ok(a, "bank", "create", "pk-proscribed")
    ok(a, "bank", "create", "official", "--kind", "allow")
    src = tmp_path / "bank.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in BANK) + "\n")
    assert ok(a, "bank", "import", str(src), "--bank", "pk-proscribed")["outcomes"] == {
        "created": 2}  # fmt: skip
    banks = {x["name"]: x for x in ok(a, "bank", "list")}  # type: ignore[index,union-attr]
    assert banks["pk-proscribed"]["accounts"] == 2
    ok(a, "bank", "disable", "official")
    for fmt in ("stix", "pdq", "jsonl"):
        out = tmp_path / f"out.{fmt}"
        done = ok(a, "bank", "export", str(out), "--format", fmt, "--bank", "pk-proscribed")
        assert done["exported"] == (0 if fmt == "pdq" else 2)  # no avatars: no PDQ rows
    got = ok(b, "bank", "import", str(tmp_path / "out.stix"))
    assert got["format"] == "stix" and got["outcomes"] == {"created": 2}
    assert got["banks_created"] == ["pk-proscribed"]
    again = ok(b, "bank", "import", str(tmp_path / "out.jsonl"))
    assert again["outcomes"] == {"unchanged": 2}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"type": "bundle", "objects": [
        {"type": "user-account", "spec_version": "2.1", "user_id": 3,
         "id": "user-account--0f3c2b1a-9d8e-5f7a-8b6c-4d3e2f1a0b9c"}]}))  # fmt: skip
    refused = runner.invoke(app, ["bank", "import", str(bad)], env=b)
    assert refused.exit_code == 1
    assert (
        "object 1 (user-account--0f3c2b1a" in refused.output and "nothing written" in refused.output
    )
    audit = tmp_path / "audit.csv"
    meta = ok(a, "audit", "export", str(audit), "--action", "bank.*")
    assert meta["entries"] >= 3  # type: ignore[operator]
    seq, digest = str(meta["chain_head"]).split(":")  # the head doctor --audit-anchor takes
    assert int(seq) >= 3 and len(digest) == 64
    assert audit.read_text().splitlines()[1] == "seq,at,actor,action,subject,payload"


class _Partner(BaseHTTPRequestHandler):
    bundle: bytes = b""
    asked: list[str | None] = []

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        since = parse_qs(urlsplit(self.path).query).get("since", [None])[0]
        type(self).asked.append(since)
        body = self.bundle if since is None else json.dumps(
            {"type": "bundle", "id": "bundle--6d5d0ef6-2bd8-4e3c-9a53-1c5a1e2f0b11",
             "objects": []}).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/stix+json;version=2.1")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Mirrorscan-Cursor", "42" if since is None else "43")
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def partner(tmp_path: Path) -> Iterator[str]:
    env = fake_env(tmp_path / "partner")
    src = tmp_path / "p.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in BANK) + "\n")
    ok(env, "bank", "import", str(src))
    out = tmp_path / "export.json"
    ok(env, "bank", "export", str(out), "--format", "stix")
    _Partner.bundle, _Partner.asked = out.read_bytes(), []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Partner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/export.json"
    server.shutdown()
    server.server_close()


def test_exchange_pull_is_incremental_and_idempotent(tmp_path: Path, partner: str) -> None:
    env = {**fake_env(tmp_path / "me"),
           "MIRRORSCAN_FETCH__ALLOW_LOOPBACK": "true",  # TEST ONLY: the partner is on loopback
           "MIRRORSCAN_EXCHANGE__PARTNER_HOSTS": '["127.0.0.1"]'}  # fmt: skip
    first = ok(env, "exchange", "pull", partner, "--bank", "partner-a")
    assert first["outcomes"] == {"created": 2} and first["cursor"] == "42"
    second = ok(env, "exchange", "pull", partner, "--bank", "partner-a")
    assert second["since"] == "42" and second["records"] == 0
    full = ok(env, "exchange", "pull", partner, "--bank", "partner-a", "--full")
    assert full["outcomes"] == {"unchanged": 2}
    assert _Partner.asked == [None, "42", None]
    store = Store(f"sqlite:///{(tmp_path / 'me' / 'bank.sqlite3').resolve()}")
    try:
        stored = store.get("ttp-x")
        assert stored is not None and stored.bank == "partner-a"
        prov = store.banks.provenance("ttp-x")
        assert prov is not None and prov.source == partner
    finally:
        store.close()
    closed = {**env, "MIRRORSCAN_EXCHANGE__PARTNER_HOSTS": '["partner.example.org"]'}
    refused = runner.invoke(app, ["exchange", "pull", partner], env=closed)
    assert refused.exit_code == 1 and "partner host allow-list" in refused.output
