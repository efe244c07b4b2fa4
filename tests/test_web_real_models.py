"""One check through the moderator page with the real models (multilingual-e5-small,
EfficientNet-Lite0, PDQ): a decorated name and a re-compressed logo find the banned account they
copy, and the avatar comparison shows in its evidence."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.config import Settings
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, need_chromium, sign_in
from tests.helpers.settings import KEYS, SCORE_KEY, WRITE_KEY
from tests.helpers.web_site import DEMO, running_app, seed_demo_bank

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_chromium()
    settings = Settings(data_dir=tmp_path_factory.mktemp("web-real"), api_keys=KEYS)
    with running_app(settings) as base:
        seed_demo_bank(base, WRITE_KEY)
        yield base


def test_a_mirror_with_a_reuploaded_logo_is_found_with_real_models(site: str) -> None:
    sync_api = need_chromium()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page: Any = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(30_000)
        sign_in(page, site, SCORE_KEY)
        page.get_by_label("Platform").select_option("x")
        page.get_by_label("Display name").fill("𝐓𝐓𝐏 𝐌𝐞𝐝𝐢𝐚 🔴")
        page.get_by_label("Handle").fill("ttp_rnedia2")
        page.get_by_label("Bio").fill("Backup account, old one suspended. Official media of TTP.")
        page.get_by_label("Avatar").set_input_files(str(DEMO / "avatars" / "ttp-reupload.jpg"))
        page.get_by_role("button", name="Check").click()
        page.wait_for_url(re.compile(r".*/checks/[\w-]+$"))
        page.screenshot(path=str(Path(__file__).resolve().parents[1] / "artifacts" /
                                 "web-result-real-models.png"), full_page=True)  # fmt: skip
        first = page.locator("section.match").first
        assert first.get_attribute("data-account") in {"ttp-x-1", "ttp-tg-1"}
        assert page.locator("#band").inner_text().split()[0] in {"Block", "Review"}
        details = first.locator("table.evidence td.detail").all_text_contents()
        assert any(d.startswith("avatar: ") for d in details), details
        assert first.locator("img.thumb").count() == 2
        browser.close()
