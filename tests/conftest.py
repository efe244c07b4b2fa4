"""Shared fixtures (helpers live in ``tests/helpers``). Tests that need ``../shared/data`` skip
with a reason when it is absent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.pipeline import Pipeline
from tests.helpers.settings import ROOT, fake_settings


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    p = Pipeline.open(fake_settings(tmp_path))
    yield p
    p.close()


# Materialised and exported models are derived from the installed packages: every test's data
# dir shares one folder (ignored by git), so the e5 materialisation and the ONNX export happen
# once per machine, not once per test.
os.environ.setdefault("MIRRORSCAN_MODELS_DIR", str(ROOT / ".cache" / "models"))
