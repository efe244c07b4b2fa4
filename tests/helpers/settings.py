"""Settings for tests: the fast deterministic encoders, the test keys, the pinned test scorer,
and the reference data under ``../shared/data`` (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import ModelSettings, Settings

ROOT = Path(__file__).resolve().parents[2]  # the repository
SHARED_DATA = ROOT.parent / "shared" / "data"
# A small scorer pinned for the unit tests (not the shipped models/scorer.json): retraining the
# shipped model never changes what the unit tests see. tests/test_shipped_scorer.py checks the
# shipped one.
TEST_SCORER = Path(__file__).resolve().parent / "scorer.json"


def shared_data(*parts: str) -> Path:
    """Path under ``../shared/data``; skips the test when that reference data is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (a fresh clone has no ../shared)")
    return path


def fake_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings with the deterministic fake encoders and the test scorer: the real pipeline,
    fast."""
    return Settings(
        data_dir=tmp_path / "data",
        models=ModelSettings(fake=True, scorer_path=TEST_SCORER),
        api_keys=KEYS,
        **overrides,  # type: ignore[arg-type]
    )


def fake_env(data_dir: Path) -> dict[str, str]:
    """The same for a ``mirrorscan`` command run as a subprocess or by CliRunner."""
    return {
        "MIRRORSCAN_DATA_DIR": str(data_dir),
        "MIRRORSCAN_MODELS__FAKE": "true",
        "MIRRORSCAN_MODELS__SCORER_PATH": str(TEST_SCORER),
    }


ADMIN_KEY = "test-admin-key-0123456789"
SCORE_KEY = "test-score-key-0123456789"
WRITE_KEY = "test-write-key-0123456789"
WRITE_LABEL = "Bilal (bank editor)"
# keys as MIRRORSCAN_API_KEYS gives them: scopes alone (labelled key:<hash prefix>), or a label
KEYS: dict[str, object] = {
    ADMIN_KEY: ["admin"],
    SCORE_KEY: ["score"],
    WRITE_KEY: {"label": WRITE_LABEL, "scopes": ["bank:write", "score"]},
}
