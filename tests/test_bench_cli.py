"""``mirrorscan bench`` at a small N: the report's shape and the choice it measures (the real
figures come from N = 1,000,000, in README)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app


def test_bench_reports_each_channel_and_the_worst_at_top_level(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {"MIRRORSCAN_INDEX__EXACT_MAX_MB": "2"}  # 384-d: exact up to 1,302 vectors
    r = CliRunner().invoke(
        app,
        ["bench", "--accounts", "4000", "--channels", "name,pdq", "--queries", "60",
         "--extra-channel", "grams:float:96", "--out", str(out)],
        env=env,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    report = json.loads(out.read_text())
    for key in ("search_p50_ms", "search_p99_ms", "recall_at_10", "build_s", "rss_gb"):
        assert isinstance(report[key], float), key
    channels = report["channels"]
    assert set(channels) == {"name", "pdq", "grams"}
    name = channels["name"]
    assert name["plan"]["family"] in ("ivf_sq8", "ivf_fp16") and name["vectors"] == 4000
    assert name["recall_at_10"] >= 0.9
    assert channels["grams"]["plan"]["family"] == "flat"  # 96-d x 4,000 fits in 2 MB
    assert channels["grams"]["recall_at_10"] == 1.0
    assert channels["pdq"]["plan"]["family"] == "binary_flat"
    assert channels["pdq"]["recall_at_10"] == 1.0 and channels["pdq"]["queries_per_request"] == 8
    assert report["recall_at_10"] == min(c["recall_at_10"] for c in channels.values())
    assert report["search_p99_ms"] == max(c["search_p99_ms"] for c in channels.values())


def test_bench_refuses_unknown_channels(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    r = CliRunner().invoke(app, ["bench", "--accounts", "2000", "--channels", "nope",
                                 "--out", str(out)])  # fmt: skip
    assert r.exit_code == 2 and not out.exists()
    r = CliRunner().invoke(app, ["bench", "--accounts", "2000", "--extra-channel", "x:y",
                                 "--out", str(out)])  # fmt: skip
    assert r.exit_code == 2 and not out.exists()
