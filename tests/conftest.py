"""Shared fixtures. Tests that need ``../shared/data`` skip with a reason when it is absent."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from service.config import ModelSettings, Settings
from service.pipeline import Pipeline

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """Path under ``../shared/data``; skips the test when that reference data is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (a fresh clone has no ../shared)")
    return path


def fake_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings with the deterministic fake encoders: the real pipeline, fast."""
    return Settings(
        data_dir=tmp_path / "data",
        models=ModelSettings(fake=True),
        api_keys=KEYS,
        **overrides,  # type: ignore[arg-type]
    )


ADMIN_KEY = "test-admin-key-0123456789"
SCORE_KEY = "test-score-key-0123456789"
WRITE_KEY = "test-write-key-0123456789"
KEYS = {ADMIN_KEY: ["admin"], SCORE_KEY: ["score"], WRITE_KEY: ["bank:write", "score"]}


def png_bytes(seed: int, size: int = 128) -> bytes:
    """A textured image, different for each seed (PDQ needs texture for quality)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)
    img = Image.fromarray(blocks).resize((size, size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    p = Pipeline.open(fake_settings(tmp_path))
    yield p
    p.close()


# Materialised and exported models are derived from the installed packages: every test's data
# dir shares one folder (ignored by git), so the e5 materialisation and the ONNX export happen
# once per machine, not once per test.
os.environ.setdefault(
    "MIRRORSCAN_MODELS_DIR", str(Path(__file__).resolve().parents[1] / ".cache" / "models")
)


def wait_ready(client: Any, timeout: float = 300.0) -> None:
    """Poll a TestClient's /readyz until the pipeline has loaded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError(f"not ready: {client.get('/readyz').json()}")
