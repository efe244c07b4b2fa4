"""Settings: environment with the MIRRORSCAN_ prefix, nested groups, validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.config import KeySpec, Settings


def test_environment_and_nested_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIRRORSCAN_DATA_DIR", "/tmp/x")
    monkeypatch.setenv("MIRRORSCAN_BANDS__BLOCK", "0.99")
    monkeypatch.setenv("MIRRORSCAN_API_KEYS", '{"a-very-long-key-123": ["score"]}')
    s = Settings()
    assert str(s.data_dir) == "/tmp/x"
    assert s.bands.block == 0.99
    assert s.api_keys == {"a-very-long-key-123": ["score"]}
    assert s.db_url.startswith("sqlite:////tmp/x/")


def test_keys_with_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "MIRRORSCAN_API_KEYS",
        '{"a-very-long-key-123": {"label": "ops", "scopes": ["admin"]}, '
        '"another-long-key-456": ["score"]}',
    )
    keys = Settings().api_keys
    spec = keys["a-very-long-key-123"]
    assert isinstance(spec, KeySpec) and (spec.label, spec.scopes) == ("ops", ["admin"])
    assert keys["another-long-key-456"] == ["score"]


def test_database_url_overrides_sqlite() -> None:
    s = Settings(database_url="postgresql+psycopg://u:p@db/mirrorscan")
    assert s.db_url == "postgresql+psycopg://u:p@db/mirrorscan"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"api_keys": {"short": ["score"]}},
        {"api_keys": {"a-very-long-key-123": ["root"]}},
        {"api_keys": {"a-very-long-key-123": []}},
        {"api_keys": {"a-very-long-key-123": {"label": "", "scopes": ["score"]}}},
        {"api_keys": {"a-very-long-key-123": {"label": "ops", "scopes": ["score"], "x": 1}}},
        {"api_keys": ["a-very-long-key-123"]},
        {"bands": {"block": 0.5, "review": 0.9}},
        {"bands": {"block": 1.5}},
        {"workers": 0},
    ],
)
def test_invalid_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(**kwargs)  # type: ignore[arg-type]


def test_scoring_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIRRORSCAN_SCORING__PREVALENCE", "0.001")
    assert Settings().scoring.prevalence == 0.001
    for bad in ("0", "1", "-0.1"):
        monkeypatch.setenv("MIRRORSCAN_SCORING__PREVALENCE", bad)
        with pytest.raises(ValidationError):
            Settings()
