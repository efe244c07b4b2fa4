"""Property-based fuzzing of the JSON API against its own OpenAPI document (issue 18, item 9):
schemathesis generates valid and invalid requests for every operation and checks every answer:
no 5xx, status codes, content types, headers and bodies as documented, invalid data refused,
valid data accepted. The real server (uvicorn, the fake encoders) on 127.0.0.1; the number of
examples is bounded (``MIRRORSCAN_FUZZ_EXAMPLES``, default 20 per operation) and derandomized,
so a CI run takes a couple of minutes and fails the same way twice."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.app import create_app
from service.config import FairnessSettings, FetchSettings, ScopeLimit, Settings
from service.fairness import current_lane
from tests.helpers.settings import ADMIN_KEY, KEYS, fake_settings

EXAMPLES = int(os.environ.get("MIRRORSCAN_FUZZ_EXAMPLES", "20"))
UNLIMITED = FairnessSettings(
    limits={s: ScopeLimit(rate=1e6, burst=1e6, concurrency=64) for s in ("score", "bank:write",
                                                                           "admin")}
)  # fmt: skip
# the document the server serves (the same limits as the server below)
schema = schemathesis.openapi.from_dict(
    create_app(Settings(data_dir=Path("unused"), api_keys=KEYS)).openapi()
)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # no host may be fetched: /v1/score/url refuses every URL and never goes out
    nowhere = FetchSettings(page_hosts={}, image_hosts={})
    settings = fake_settings(tmp_path_factory.mktemp("fuzz"), fairness=UNLIMITED, fetch=nowhere)
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started or not server.servers:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    while httpx.get(f"{base}/readyz").status_code != 200:
        assert time.monotonic() < deadline, "server not ready"
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=60)
    assert current_lane.get() is None


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_openapi_promises(case: schemathesis.Case, base_url: str) -> None:
    response = case.call_and_validate(
        base_url=base_url,
        headers={"X-API-Key": ADMIN_KEY},
        excluded_checks=[positive_data_acceptance],
    )
    # Valid data is accepted, except what no schema can describe: whether avatar bytes are an
    # image of a supported format, whether a URL is on an allowed host (here: none is), whether
    # a named bank exists, whether a profile has a non-blank field to compare, whether the items
    # of a bulk name one bank, whether an uploaded file is in a format, whether a webhook's host
    # resolves (here: none does).
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and response.status_code in (413, 415, 422):
        detail = str(response.json().get("detail", ""))
        assert any(word in detail.lower() for word in SEMANTIC), (response.status_code, detail)


SEMANTIC = ("avatar", "image", "url", "host", "scheme", "site", "link", "body exceeds", "no bank",
            "nothing to compare", "one bank per bulk", "cannot tell the format", "is empty",
            "resolve")  # fmt: skip
