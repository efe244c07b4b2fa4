"""The server is the runtime, not the training kit: serving (start, bank writes, scoring, the
pages) never imports Faker, scikit-learn, the training package or the benchmarks, so a deployment
installs ``mirrorscan`` without the ``[train]`` extra (issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers.settings import ROOT

OFFLINE = ("faker", "sklearn", "service.training", "service.bench", "benchmarks")

SERVE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from fastapi.testclient import TestClient
    from service.app import create_app
    from tests.helpers.http import wait_ready
    from tests.helpers.settings import ADMIN_KEY, SCORE_KEY, WRITE_KEY, fake_settings

    with TestClient(create_app(fake_settings(Path(sys.argv[1])))) as c:
        wait_ready(c)
        bank = [{"id": "a1", "platform": "x", "handle": "ttp_media", "display_name": "TTP Media",
                 "bio": "Official media", "group": "Tehreek-e-Taliban Pakistan"}]
        r = c.post("/v1/accounts/bulk", json={"accounts": bank}, headers={"X-API-Key": WRITE_KEY})
        assert r.status_code == 200, r.text
        r = c.post("/v1/score", json={"display_name": "TTP Media 2", "handle": "ttp_media2"},
                   headers={"X-API-Key": SCORE_KEY})
        assert r.status_code == 200, r.text
        assert c.get("/", follow_redirects=True).status_code == 200
    print(json.dumps(sorted(sys.modules)))
    """
)


def test_serving_imports_nothing_of_training_or_benchmarks(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", SERVE, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert "service.pipeline" in modules  # it did serve
    offending = [m for m in modules if m.split(".")[0] in OFFLINE or m.startswith(OFFLINE)]
    assert offending == []


def test_training_commands_say_which_extra_they_need(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from typer.testing import CliRunner

    from service.cli.main import app

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "sklearn" else real(name, *a)
    )
    r = CliRunner().invoke(app, ["model", "train", "--data", "nowhere"])
    assert r.exit_code == 2
    assert "needs sklearn" in r.output and "mirrorscan[train]" in r.output
