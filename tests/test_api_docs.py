"""/docs works offline: Swagger UI's files come from the app itself (no CDN), the page's policy
allows nothing from elsewhere, and the OpenAPI document declares the X-API-Key scheme."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from service.api.docs import declare_key_scheme
from service.app import create_app
from tests.helpers.settings import SCORE_KEY, fake_settings
from tests.helpers.web_site import running_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(fake_settings(tmp_path_factory.mktemp("docs")))) as c:
        yield c


def test_the_docs_page_and_every_file_it_loads_come_from_the_app(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<script>" not in html, "no inline script: the policy forbids it"
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(refs) == 4  # stylesheet, icon, Swagger UI, its initialiser
    sizes = {}
    for ref in refs:
        assert not urlsplit(ref).netloc, f"{ref} is not from this site"
        url = urljoin("http://testserver/docs", ref)
        asset = client.get(url)
        assert asset.status_code == 200, url
        sizes[Path(urlsplit(url).path).name] = len(asset.content)
    assert sizes["swagger-ui-bundle.js"] > 500_000 and sizes["swagger-ui.css"] > 50_000
    init = client.get("/docs/init.js")
    assert init.headers["content-type"].startswith("text/javascript")
    assert '"openapi.json"' in init.text and "SwaggerUIBundle(" in init.text


def test_the_docs_page_policy_allows_this_site_only(client: TestClient) -> None:
    csp = client.get("/docs").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "style-src", "connect-src"):
        assert directives[name] == "'self'", name
    assert "http" not in csp and "unsafe" not in csp
    # every other answer keeps the site's script-free policy
    other = client.get("/healthz").headers["content-security-policy"]
    assert "script-src" not in other and "default-src 'none'" in other


def test_fastapis_cdn_pages_are_gone(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404


def test_the_openapi_document_declares_the_key_scheme(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": doc["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    score = doc["paths"]["/v1/score"]["post"]
    assert score["security"] == [{"ApiKey": []}]
    names = [p["name"] for p in score.get("parameters", [])]
    assert "X-API-Key" not in names, "the key is the scheme's, not a parameter"
    assert "security" in doc["paths"]["/v1/accounts/{account_id}"]["put"]
    for open_path in ("/healthz", "/readyz"):
        assert "security" not in doc["paths"][open_path]["get"], open_path
    assert client.get("/openapi.json").json() == doc, "declared once, the same every time"


def test_declaring_keeps_other_parameters() -> None:
    schema: dict[str, Any] = {"paths": {"/x": {"get": {"parameters": [
        {"name": "x-api-key", "in": "header"}, {"name": "before", "in": "query"}]}}}}  # fmt: skip
    declare_key_scheme(schema)
    declare_key_scheme(schema)
    op = schema["paths"]["/x"]["get"]
    assert op["parameters"] == [{"name": "before", "in": "query"}]
    assert op["security"] == [{"ApiKey": []}]


@pytest.mark.browser
def test_swagger_ui_renders_offline_and_authorize_sends_the_key(tmp_path: Path) -> None:
    from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, need_chromium

    sync_api = need_chromium()
    with running_app(fake_settings(tmp_path)) as site, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        elsewhere: list[str] = []
        problems: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(site) else elsewhere.append(r.url))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.set_default_timeout(15_000)
        page.goto(f"{site}/docs")
        page.locator(".auth-wrapper").get_by_role("button", name=re.compile("Authorize")).click()
        dialog = page.locator(".dialog-ux")
        dialog.locator("input").first.fill(SCORE_KEY)
        dialog.get_by_role("button", name="Apply credentials").click()
        dialog.get_by_role("button", name="Close").click()
        # the score operation, tried out: the key goes with it
        page.locator("#operations-score-score_v1_score_post, .opblock-post").first.click()
        page.get_by_role("button", name="Try it out").first.click()
        # (with the operation's query parameters at their defaults: match the path alone)
        with page.expect_request(lambda r: urlsplit(r.url).path == "/v1/score") as sent:
            page.get_by_role("button", name="Execute").first.click()
        assert sent.value.headers.get("x-api-key") == SCORE_KEY
        browser.close()
    assert elsewhere == [], "the docs load nothing from another site"
    assert not [m for m in problems if "Content Security Policy" in m], problems
