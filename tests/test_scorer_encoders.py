"""A scorer only with the encoders it was trained on (issue 18, item 8)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.config import ModelSettings, Settings
from service.encoders import EncoderMismatch
from service.pipeline import Pipeline
from tests.helpers.settings import fake_env, fake_settings


def _with(tmp_path: Path, models: ModelSettings) -> Settings:
    return fake_settings(tmp_path).model_copy(update={"models": models})


def test_the_fake_encoders_do_not_open_with_the_shipped_scorer(tmp_path: Path) -> None:
    settings = _with(tmp_path, ModelSettings(fake=True))  # the shipped service/data/scorer.json
    with pytest.raises(EncoderMismatch) as raised:
        Pipeline.open(settings)
    assert "fake-trigram" in raised.value.detail and "e5-small" in raised.value.detail


def test_the_override_opens_and_says_so_loudly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    models = ModelSettings(fake=True, allow_encoder_mismatch=True)
    with caplog.at_level(logging.ERROR, logger="service.pipeline"):
        pipeline = Pipeline.open(_with(tmp_path, models))
    pipeline.close()
    assert any("NOT calibrated" in r.getMessage() for r in caplog.records)


def test_serve_refuses_the_fake_encoders_and_a_mismatched_scorer(tmp_path: Path) -> None:
    runner = CliRunner()
    fake = runner.invoke(app, ["serve"], env=fake_env(tmp_path / "d"))
    assert fake.exit_code == 2 and "tests only" in fake.stderr
    env = {"MIRRORSCAN_DATA_DIR": str(tmp_path / "d"), "MIRRORSCAN_MODELS__TEXT": "minilm",
           "MIRRORSCAN_MODELS__TEXT_RUNTIME": "torch"}  # fmt: skip
    minilm = runner.invoke(app, ["serve"], env=env)
    assert minilm.exit_code == 2, minilm.output
    assert "minilm" in minilm.stderr and "trained on" in minilm.stderr
