"""The pages' webfonts (issue 15, item 7): the three Noto files are served from
``web.fonts_dir`` with a long cache, nothing else is, and the pages' policy lets the browser
load them (``font-src 'self'``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import WebSettings
from service.web.routes.fonts import FONTS
from tests.helpers.settings import fake_settings
from tests.test_web_pages import wait_ready


@pytest.fixture(scope="module")
def fonts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fonts")
    for name in FONTS:
        (folder / name).write_bytes(b"\x00\x01\x00\x00" + name.encode())  # a TrueType header
    (folder / "secret.txt").write_text("not a font")
    return folder


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Iterator[TestClient]:
    settings = fake_settings(tmp_path_factory.mktemp("web-fonts"),
                             web=WebSettings(fonts_dir=fonts_dir))  # fmt: skip
    with TestClient(create_app(settings)) as c:
        wait_ready(c)
        yield c


def test_each_webfont_is_served_with_a_long_cache(client: TestClient) -> None:
    for name in FONTS:
        r = client.get(f"/fonts/{name}")  # no session needed: the sign-in page uses them too
        assert r.status_code == 200, name
        assert r.content.endswith(name.encode()) and r.headers["content-type"] == "font/ttf"
        assert "max-age=604800" in r.headers["cache-control"]


def test_nothing_else_is_served(client: TestClient) -> None:
    for name in ("secret.txt", "..%2Fsecret.txt", "NotoSans-Regular.ttf", "%2Fetc%2Fpasswd"):
        assert client.get(f"/fonts/{name}").status_code == 404, name


def test_a_missing_font_is_a_404_and_the_page_still_works(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path, web=WebSettings(fonts_dir=tmp_path / "none"))
    with TestClient(create_app(settings)) as c:
        wait_ready(c)
        assert c.get("/fonts/NotoColorEmoji.ttf").status_code == 404
        assert c.get("/signin").status_code == 200


def test_the_policy_allows_this_sites_fonts_and_the_css_names_them(client: TestClient) -> None:
    csp = client.get("/signin").headers["content-security-policy"]
    assert "font-src 'self'" in csp and "default-src 'none'" in csp
    css = client.get("/static/style.css").text
    for name in FONTS:
        assert f'url("/fonts/{name}") format("truetype")' in css
    assert css.count("unicode-range:") == 3
