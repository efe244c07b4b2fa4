"""Debian's headless Chromium for the browser tests (never a downloaded one)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need_chromium() -> Any:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is absent: apt-get install chromium")
    return pytest.importorskip("playwright.sync_api")


def sign_in(page: Any, site: str, key: str) -> None:
    page.goto(f"{site}/")
    assert page.url.startswith(f"{site}/signin"), "a signed-out visitor is sent to sign in"
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/")
