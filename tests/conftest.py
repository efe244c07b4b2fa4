"""Shared fixtures (helpers live in ``tests/helpers``). Tests that need ``../shared/data`` skip
with a reason when it is absent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import anyio
import anyio.abc
import pytest

from service.pipeline import Pipeline
from tests.helpers.settings import ROOT, fake_settings

# anyio (4.16) imports its submodules on first use of a name, from whichever thread uses it, and
# pytest rewrites them on import (anyio is a pytest plugin): an ast.parse on that thread. Two
# threads parsing at once raise "SystemError: AST constructor recursion depth mismatch" on
# CPython 3.11.7 (gh-106905; seen in /docs: the event loop thread importing anyio's file I/O
# while another thread of the app imported). Resolve every lazy name now, on this one thread.
for _module in (anyio, anyio.abc):
    for _name in dir(_module):
        getattr(_module, _name)


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    p = Pipeline.open(fake_settings(tmp_path))
    yield p
    p.close()


# Materialised and exported models are derived from the installed packages: every test's data
# dir shares one folder (ignored by git), so the e5 materialisation and the ONNX export happen
# once per machine, not once per test.
os.environ.setdefault("MIRRORSCAN_MODELS_DIR", str(ROOT / ".cache" / "models"))
