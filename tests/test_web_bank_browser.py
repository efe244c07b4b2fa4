"""The bank page in Debian's headless Chromium, without JavaScript, as a moderator uses it
(issue 15, item 6): replacing asks with both versions side by side, removing asks, an edit is
pre-filled, an upload answers line by line, one bank at a time; it fits a phone's width and
axe-core finds no serious or critical problem. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, need_chromium, sign_in
from tests.helpers.images import png_bytes
from tests.helpers.settings import ADMIN_KEY, WRITE_KEY, fake_settings
from tests.helpers.web_site import DEMO, running_app, seed_demo_bank

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(fake_settings(tmp_path_factory.mktemp("bank-browser"))) as base:
        seed_demo_bank(base, WRITE_KEY)
        r = httpx.post(f"{base}/v1/banks", json={"name": "pk-proscribed-extra-long-name"},
                       headers={"X-API-Key": WRITE_KEY})  # fmt: skip
        assert r.status_code == 201, r.text
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = need_chromium()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def new_page(browser: Any, site: str, viewport: dict[str, int], key: str = WRITE_KEY,
             script: bool = False) -> Any:  # fmt: skip
    ctx = browser.new_context(viewport=viewport, java_script_enabled=script)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    sign_in(page, site, key)
    return page


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def add_account(page: Any, site: str, account_id: str, name: str, avatar: Path | None) -> None:
    page.goto(f"{site}/bank")
    form = page.locator("form[action='/bank/add']")
    form.get_by_label("Account ID").fill(account_id)
    form.get_by_label("Display name").fill(name)
    form.get_by_label("Bio").fill("Official channel. Follow for updates.")
    if avatar is not None:
        form.get_by_label("Avatar").set_input_files(str(avatar))
    form.get_by_role("button", name="Add account").click()


def test_replace_asks_side_by_side_then_replaces(browser: Any, site: str, tmp_path: Path) -> None:
    page = new_page(browser, site, DESKTOP)
    first, second = tmp_path / "first.png", tmp_path / "second.png"
    first.write_bytes(png_bytes(21))
    second.write_bytes(png_bytes(42))
    add_account(page, site, "br-rep-1", "Voice of the Front", first)
    assert "Added" in page.get_by_role("status").first.inner_text()
    add_account(page, site, "br-rep-1", "Voice of the Front 2", second)
    # asked, with the account as it is and the new version side by side
    assert page.locator("h1").inner_text() == "Replace br-rep-1?"
    old, new = page.locator("article.side.old"), page.locator("article.side.new")
    assert "Voice of the Front" in old.inner_text() and "Voice of the Front 2" in new.inner_text()
    assert new.locator(".changed").count() >= 2
    o, n = old.bounding_box(), new.bounding_box()
    assert abs(o["y"] - n["y"]) < 2 and n["x"] > o["x"] + o["width"] - 1  # side by side
    assert new.locator("img.thumb").get_attribute("src").startswith("data:image/webp;base64,")
    shoot(page, "bank-replace-desktop")
    page.get_by_role("link", name="Cancel, keep it as it is").click()
    assert "Voice of the Front 2" not in page.locator("table.bank").inner_text()
    add_account(page, site, "br-rep-1", "Voice of the Front 2", second)
    page.get_by_role("button", name="Replace br-rep-1").click()
    assert "Replaced br-rep-1" in page.get_by_role("status").first.inner_text()
    table = page.locator("table.bank")
    assert "Voice of the Front 2" in table.inner_text()
    assert table.locator("img.thumb").first.get_attribute("src") == "/bank/avatar?id=br-rep-1"
    page.context.close()


def test_edit_is_pre_filled_and_saves(browser: Any, site: str) -> None:
    page = new_page(browser, site, DESKTOP)
    page.goto(f"{site}/bank?q=ttp-x-1")
    page.get_by_role("link", name="Edit ttp-x-1").click()
    assert page.locator("h1").inner_text() == "Edit ttp-x-1"
    bio = page.get_by_label("Bio")
    assert bio.input_value()  # the current fields, to change rather than retype
    assert page.get_by_label("Display name").input_value()
    assert page.get_by_label("Group").input_value() == "Tehreek-e-Taliban Pakistan"
    assert page.locator("fieldset img.thumb").count() == 1  # the current avatar, kept unless...
    shoot(page, "bank-edit-desktop")
    bio.fill(bio.input_value() + " (edited)")
    page.get_by_role("button", name="Save changes").click()
    assert "Saved ttp-x-1" in page.get_by_role("status").first.inner_text()
    page.get_by_role("link", name="Edit ttp-x-1").click()
    assert page.get_by_label("Bio").input_value().endswith("(edited)")
    assert page.locator("fieldset img.thumb").count() == 1  # the avatar stayed
    page.context.close()


def test_upload_answers_every_line(browser: Any, site: str, tmp_path: Path) -> None:
    page = new_page(browser, site, DESKTOP)
    file = tmp_path / "accounts.jsonl"
    file.write_text("\n".join([
        json.dumps({"id": "br-up-1", "display_name": "Uploaded One"}),
        json.dumps({"id": "ttp-x-1", "display_name": "Not Replaced"}),
        "{broken",
        json.dumps({"id": "br-up-2", "bank": "pk-proscribed-extra-long-name"}),
    ]) + "\n")  # fmt: skip
    page.goto(f"{site}/bank")
    form = page.locator("form[action='/bank/upload']")
    form.get_by_label("JSON Lines or CSV file").set_input_files(str(file))
    form.get_by_role("button", name="Upload").click()
    summary = page.locator("#upload-summary").inner_text()
    assert "4 lines: 2 added, 2 refused" in " ".join(summary.split())
    refused = page.locator("table.upload.refused tbody tr")
    assert refused.count() == 2
    assert "already in bank" in refused.nth(0).inner_text()
    assert "not valid JSON" in refused.nth(1).inner_text()
    shoot(page, "bank-upload-desktop")
    page.set_viewport_size(PHONE)
    assert width(page) <= PHONE["width"]
    shoot(page, "bank-upload-phone")
    page.context.close()


def test_one_bank_at_a_time(browser: Any, site: str) -> None:
    page = new_page(browser, site, DESKTOP)
    page.goto(f"{site}/bank")
    picker = page.get_by_role("navigation", name="Banks")
    picker.get_by_role("link", name="pk-proscribed-extra-long-name").click()
    assert "Accounts in pk-proscribed-extra-long-name" in page.locator("h2").first.inner_text()
    listed = page.locator("table.bank").inner_text()
    assert "br-up-2" in listed and "ttp-x-1" not in listed
    page.context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_bank_pages_fit_the_screen_and_are_photographed(
    browser: Any, site: str, size: str
) -> None:
    viewport = DESKTOP if size == "desktop" else PHONE
    page = new_page(browser, site, viewport, key=ADMIN_KEY)  # admin: every section shows
    widths = {}
    page.goto(f"{site}/bank")
    widths["bank"] = width(page)
    shoot(page, f"bank-page-{size}")
    page.get_by_role("link", name="Remove ttp-x-1…").first.click()
    widths["remove"] = width(page)
    shoot(page, f"bank-remove-{size}")
    page.goto(f"{site}/bank/edit?id=ttp-x-1")
    widths["edit"] = width(page)
    if size == "phone":
        shoot(page, "bank-edit-phone")
    add_account(page, site, "iskp-tg-1", "Al Azaim Foundation (new)", DEMO / "avatars" / "iskp.png")
    widths["replace"] = width(page)
    if size == "phone":
        shoot(page, "bank-replace-phone")
        # side by side becomes stacked
        old = page.locator("article.side.old").bounding_box()
        new = page.locator("article.side.new").bounding_box()
        assert new["y"] >= old["y"] + old["height"]
    assert all(w <= viewport["width"] for w in widths.values()), widths
    page.context.close()


def axe_problems(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_bank_pages_pass_axe_core(browser: Any, site: str, tmp_path: Path) -> None:
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("axe-playwright-python is missing: it is in the dev extra")
        pytest.skip("axe-playwright-python is absent: pip install -e '.[dev]'")
    page = new_page(browser, site, DESKTOP, key=ADMIN_KEY, script=True)  # axe is page script
    found: dict[str, list[str]] = {}
    page.goto(f"{site}/bank")
    found["bank"] = axe_problems(page)
    page.goto(f"{site}/bank?bank=pk-proscribed-extra-long-name")
    found["bank-one"] = axe_problems(page)
    page.goto(f"{site}/bank/remove?id=ttp-x-1")
    found["remove"] = axe_problems(page)
    page.goto(f"{site}/bank/edit?id=ttp-x-1")
    found["edit"] = axe_problems(page)
    add_account(page, site, "ttp-x-1", "Replacement", None)
    found["replace"] = axe_problems(page)
    file = tmp_path / "a.csv"
    file.write_text("id,display_name\naxe-1,Axe One\naxe-1,Axe Again\n")
    page.goto(f"{site}/bank")
    page.locator("form[action='/bank/upload']").get_by_label("JSON Lines or CSV file") \
        .set_input_files(str(file))  # fmt: skip
    page.locator("form[action='/bank/upload']").get_by_role("button", name="Upload").click()
    found["upload"] = axe_problems(page)
    page.goto(f"{site}/bank")
    page.locator("form[action='/bank/upload']").get_by_label("JSON Lines or CSV file") \
        .set_input_files(str(DEMO / "avatars" / "iskp.png"))  # fmt: skip
    page.locator("form[action='/bank/upload']").get_by_role("button", name="Upload").click()
    assert page.locator("#upload-error").is_visible()
    found["upload-error"] = axe_problems(page)
    page.context.close()
    assert {name: v for name, v in found.items() if v} == {}


def test_the_webfonts_load_under_the_pages_policy(browser: Any, site: str) -> None:
    """The image's copies of the fonts (issue 15, item 7), as a browser without them would
    fetch them: the policy allows this site's fonts, and each file is a font Chromium takes."""
    if not Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf").exists():
        pytest.skip("fonts-noto-color-emoji is absent")
    page = new_page(browser, site, DESKTOP, script=True)
    loaded = page.evaluate("""async () => {
        const out = {};
        for (const name of ["NotoColorEmoji", "NotoNaskhArabic-Regular", "NotoNaskhArabic-Bold"]) {
            const face = new FontFace("t-" + name, `url(/fonts/${name}.ttf)`);
            try { await face.load(); out[name] = face.status; } catch (e) { out[name] = String(e); }
        }
        return out;
    }""")
    assert loaded == {"NotoColorEmoji": "loaded", "NotoNaskhArabic-Regular": "loaded",
                      "NotoNaskhArabic-Bold": "loaded"}  # fmt: skip
    page.context.close()
