"""The moderator pages end to end in headless Chromium (Debian's, never a downloaded one),
against the real app under uvicorn with the fast deterministic encoders. The main flow runs with
JavaScript disabled: the pages must work without it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.config import FetchSettings
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, need_chromium, sign_in
from tests.helpers.images import png_bytes
from tests.helpers.settings import ADMIN_KEY, SCORE_KEY, WRITE_KEY, fake_settings
from tests.helpers.web_site import DEMO, Platform, platform_server, running_app, seed_demo_bank

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with platform_server() as running:
        yield running


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, platform: Platform) -> Iterator[str]:
    fetch = FetchSettings(allow_loopback=True, test_origin=platform.origin, deadline_s=3.0)
    settings = fake_settings(tmp_path_factory.mktemp("web"), fetch=fetch)
    with running_app(settings) as base:
        seed_demo_bank(base, WRITE_KEY)
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = need_chromium()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


def test_check_by_hand_confirm_and_find_it_on_decisions(browser: Any, site: str) -> None:
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    sign_in(page, site, SCORE_KEY)
    cookie = next(c for c in ctx.cookies() if c["name"] == "mirrorscan_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert SCORE_KEY not in cookie["value"]

    # a known mirror of the demo bank's TTP media account, typed by hand, logo re-uploaded
    page.get_by_label("Platform").select_option("x")
    page.get_by_label("Display name").fill("𝐓𝐓𝐏 𝐌𝐞𝐝𝐢𝐚 🔴")
    page.get_by_label("Handle").fill("@ttp_rnedia2")
    page.get_by_label("Bio").fill("Backup account, old one suspended. Official media of TTP.")
    page.get_by_label("Links").fill("t.me/ttpmedia_official")
    page.get_by_label("Avatar").set_input_files(str(DEMO / "avatars" / "ttp-reupload.jpg"))
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(re.compile(r".*/checks/[\w-]+$"))

    # the verdict, in words; the banned source account side by side, with the evidence
    assert page.locator("#band").inner_text().startswith("Block")
    first = page.locator("section.match").first
    assert first.get_attribute("data-account") == "ttp-x-1"
    banned = first.locator("article.banned")
    assert banned.locator(".group").inner_text() == "Tehreek-e-Taliban Pakistan"
    assert banned.locator(".handle mark").first.inner_text().lower() == "ttp"
    assert first.locator("article.checked .name mark").count() >= 2  # 𝐓𝐓𝐏 and 𝐌𝐞𝐝𝐢𝐚
    signals = set(first.locator("table.evidence td.signal").all_text_contents())
    assert {"name", "handle", "links"} <= signals
    assert "t.me/ttpmedia_official" in (first.locator("table.evidence").text_content() or "")
    # both avatars are this service's own thumbnails, blurred until clicked
    images = first.locator("img.thumb")
    assert images.count() == 2
    sources = [images.nth(i).get_attribute("src") or "" for i in range(2)]
    assert sources[0].startswith("/checks/") and sources[1].startswith("/bank/avatar?id=")
    assert "blur" in images.first.evaluate("e => getComputedStyle(e).filter")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-result.png"), full_page=True)

    page.get_by_label("Note (optional)").fill("same Telegram link and logo")
    page.get_by_role("button", name="Confirm mirror").click()
    assert "confirmed mirror" in page.locator("#decision").inner_text()

    page.get_by_role("link", name="Decisions", exact=True).click()
    row = page.locator("table.decisions tbody tr").first
    text = row.inner_text()
    assert "ttp-x-1" in text and "Confirmed mirror" in text
    assert "same Telegram link and logo" in text and "ttp_rnedia2" in text
    ctx.close()


def test_avatar_is_revealed_by_click_and_by_keyboard(context: Any, site: str) -> None:
    page = context.new_page()
    sign_in(page, site, SCORE_KEY)
    page.get_by_label("Display name").fill("Voice of Khurasan")
    page.get_by_label("Avatar").set_input_files(str(DEMO / "avatars" / "iskp.png"))
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(re.compile(r".*/checks/[\w-]+$"))
    images = page.locator("section.match").first.locator("img.thumb")
    filter_of = "e => getComputedStyle(e).filter"
    assert "blur" in images.nth(0).evaluate(filter_of)
    images.nth(0).click()
    assert images.nth(0).evaluate(filter_of) == "none"
    # keyboard: the reveal control is focusable and toggles with the space bar
    page.locator("section.match").first.locator("input.reveal").nth(1).focus()
    page.keyboard.press("Space")
    assert images.nth(1).evaluate(filter_of) == "none"


def test_check_by_url_against_a_local_page_server(
    context: Any, site: str, platform: Platform
) -> None:
    page = context.new_page()
    sign_in(page, site, SCORE_KEY)
    page.get_by_label("Profile URL").fill("https://t.me/s/TTPMedia_Backup/42")
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(re.compile(r".*/checks/[\w-]+$"))
    # the page and its avatar came through the real fetcher, from canonical platform URLs
    assert "/ttpmedia_backup" in platform.asked and "/file/ttp-avatar.png" in platform.asked
    first = page.locator("section.match").first
    assert first.get_attribute("data-account") in {"ttp-x-1", "ttp-tg-1"}
    checked = first.locator("article.checked")
    assert checked.locator(".handle").inner_text() == "@ttpmedia_backup"
    assert checked.locator(".name").inner_text() == "TTP Media Backup"
    assert checked.locator("img.thumb").get_attribute("src", timeout=1000).startswith("/checks/")
    assert "t.me/s/TTPMedia_Backup/42" in page.locator(".verdict .meta").inner_text()
    html = page.content()
    assert "telesco.pe" not in html, "platform images are never hot-linked"


def test_a_wrong_key_is_refused(context: Any, site: str) -> None:
    page = context.new_page()
    page.goto(f"{site}/signin")
    page.get_by_label("API key").fill("ms_this-is-not-a-valid-key-000000")
    with page.expect_response(lambda r: r.url.endswith("/signin")) as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 401
    assert "not valid" in page.get_by_role("alert").inner_text()
    page.goto(f"{site}/decisions")
    assert page.url.startswith(f"{site}/signin?next=/decisions")


def test_a_form_without_its_csrf_token_gets_403(context: Any, site: str) -> None:
    page = context.new_page()
    sign_in(page, site, SCORE_KEY)
    page.get_by_label("Display name").fill("TTP Media")
    page.locator("form[action='/check'] input[name=csrf_token]").evaluate("e => e.remove()")
    with page.expect_response(lambda r: r.url.endswith("/check")) as answer:
        page.get_by_role("button", name="Check").click()
    assert answer.value.status == 403
    assert "security token" in page.get_by_role("alert").inner_text()


def test_security_headers_on_pages(context: Any, site: str) -> None:
    page = context.new_page()
    response = page.goto(f"{site}/signin")
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "img-src 'self' data:" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp and "default-src 'none'" in csp  # no script at all
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


def test_bank_add_search_remove(context: Any, site: str, tmp_path: Path) -> None:
    page = context.new_page()
    sign_in(page, site, WRITE_KEY)
    page.get_by_role("link", name="Bank").click()
    avatar = tmp_path / "logo.png"
    avatar.write_bytes(png_bytes(77))
    form = page.locator("form[action='/bank/add']")
    form.get_by_label("Account ID").fill("web-added-1")
    form.get_by_label("Platform").select_option("telegram")
    form.get_by_label("Display name").fill("Fulaani Front")
    form.get_by_label("Handle").fill("fulaani_front")
    form.get_by_label("Group").fill("Test Group")
    form.get_by_label("Avatar").set_input_files(str(avatar))
    form.get_by_role("button", name="Add account").click()
    assert "Added" in page.get_by_role("status").inner_text()
    table = page.locator("table.bank")
    assert "fulaani_front" in table.inner_text()
    assert table.locator("img.thumb").first.get_attribute("src") == "/bank/avatar?id=web-added-1"

    page.get_by_label("Search").fill("Fulaani")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Remove web-added-1…").click()
    assert "Remove web-added-1?" in page.locator("h1").inner_text()  # asked, not removed
    page.get_by_role("button", name="Remove web-added-1").click()
    assert "Removed" in page.get_by_role("status").inner_text()
    page.get_by_label("Search").fill("Fulaani")
    page.get_by_role("button", name="Search").click()
    assert page.locator("table.bank").count() == 0


def test_a_score_only_key_sees_no_bank(context: Any, site: str) -> None:
    page = context.new_page()
    sign_in(page, site, SCORE_KEY)
    assert page.get_by_role("link", name="Bank").count() == 0
    response = page.goto(f"{site}/bank")
    assert response.status == 403


def test_every_control_is_labelled_and_reachable_by_keyboard(context: Any, site: str) -> None:
    page = context.new_page()
    sign_in(page, site, ADMIN_KEY)
    unlabelled = (
        "() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
        ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.id)"
    )
    for path in ("/", "/bank", "/decisions"):
        page.goto(f"{site}{path}")
        assert page.evaluate(unlabelled) == [], path
    # the check form by keyboard alone: tab from the URL field to the Check button, submit
    page.goto(f"{site}/")
    page.get_by_label("Profile URL").focus()
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.innerText"))
        if seen[-1] == "Check":
            break
    assert seen[:7] == ["platform", "display_name", "handle", "bio", "links", "avatar", "Check"]
    page.get_by_label("Display name").fill("Jeeyand Baloch")
    page.get_by_label("Display name").press("Enter")
    page.wait_for_url(re.compile(r".*/checks/[\w-]+$"))
    assert page.locator("section.match").count() >= 1
