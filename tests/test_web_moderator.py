"""The moderator's page as a moderator uses it all day (issue 15), in Debian's headless Chromium
against the real app with the fast encoders: the result page on one or two screens, a phone's
width, fonts for Arabic script and emoji, URL checks that help, the decisions page's filters,
and accessibility (axe-core, keyboard only). Screenshots of each page at desktop and phone size
go to artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.config import FetchSettings
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, need_chromium, sign_in
from tests.helpers.settings import SCORE_KEY, WRITE_KEY, fake_settings
from tests.helpers.web_site import DEMO, Platform, platform_server, running_app, seed_demo_bank

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# three checks of the demo bank, one per band, each with five matches
BLOCK = {
    "Platform": "x",
    "Display name": "𝐓𝐓𝐏 𝐌𝐞𝐝𝐢𝐚 🔴",
    "Handle": "@ttp_rnedia2",
    "Bio": "Backup account, old one suspended. Official media of TTP.",
    "Links": "t.me/ttpmedia_official",
    "Avatar": DEMO / "avatars" / "ttp-reupload.jpg",
}
REVIEW = {"Display name": "Voice of Khurasan", "Avatar": DEMO / "avatars" / "iskp.png"}
ALLOW = {"Display name": "Baloch News Pakistan", "Bio": "News from Balochistan"}


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with platform_server() as running:
        yield running


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, platform: Platform) -> Iterator[str]:
    fetch = FetchSettings(allow_loopback=True, test_origin=platform.origin, deadline_s=3.0)
    settings = fake_settings(tmp_path_factory.mktemp("moderator"), fetch=fetch)
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


def new_page(browser: Any, site: str, viewport: dict[str, int], key: str = SCORE_KEY) -> Any:
    ctx = browser.new_context(viewport=viewport, java_script_enabled=False)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    sign_in(page, site, key)
    return page


def check(page: Any, site: str, fields: dict[str, Any]) -> None:
    page.goto(f"{site}/")
    for label, value in fields.items():
        if label == "Platform":
            page.get_by_label(label).select_option(value)
        elif label == "Avatar":
            page.get_by_label(label).set_input_files(str(value))
        else:
            page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(re.compile(r".*/checks/[\w-]+$"))


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def page_height(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_result_puts_verdict_and_best_match_first_and_folds_the_rest(
    browser: Any, site: str
) -> None:
    page = new_page(browser, site, DESKTOP)
    check(page, site, BLOCK)
    assert page.locator("#band").inner_text().startswith("Block")
    assert "decisive identity evidence" in page.locator("#band-reason").inner_text()
    best = page.locator("section.match.best")
    assert best.get_attribute("data-account") == "ttp-x-1"
    # the verdict, its reason and both sides of the best match are on the first screen
    for part in ("#band-reason", "section.match.best article.checked",
                 "section.match.best article.banned"):  # fmt: skip
        box = page.locator(part).bounding_box()
        assert box is not None and box["y"] + box["height"] <= DESKTOP["height"], part
    # the evidence in plain sentences, per family; the numbers behind a closed disclosure
    families = best.locator("li.family")
    titles = families.locator(".family-title").all_inner_texts()
    assert {"Name and handle", "Links and contacts", "Bio"} <= set(titles)
    said = best.locator(".families").inner_text()
    assert "Same Telegram link: t.me/ttpmedia_official" in said
    assert "look-alike letters" in said
    for jargon in ("Jaro", "cosine", "bits", "log-odds", "skeleton"):
        assert jargon not in said, jargon
    numbers = best.locator("details.numbers")
    assert numbers.get_attribute("open") is None
    assert not numbers.locator("table.evidence").is_visible()
    # the other four matches: one collapsed line each
    others = page.locator("details.match.other")
    assert others.count() == 4
    for i in range(4):
        assert others.nth(i).get_attribute("open") is None
        assert others.nth(i).locator("> summary").bounding_box()["height"] < 60
    # one decision form for the check, the match to confirm a choice in it
    assert page.locator("form[action$='/decision']").count() == 1
    radios = page.get_by_role("radio")
    assert radios.count() == 5 and radios.first.is_checked()
    height = page_height(page)
    shoot(page, "result-block-desktop")
    assert height <= 2 * DESKTOP["height"], height
    # a collapsed match opens on click, without script, and shows its own evidence
    others.first.locator("> summary").click()
    assert others.first.locator("article.banned").is_visible()
    assert others.first.locator("li.family").count() >= 1
    page.context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_page_fits_the_screen_width_and_is_photographed(
    browser: Any, site: str, size: str
) -> None:
    viewport = DESKTOP if size == "desktop" else PHONE
    page = new_page(browser, site, viewport, key=WRITE_KEY)
    widths = {}
    page.goto(f"{site}/")
    widths["check"] = page_width(page)
    shoot(page, f"check-form-{size}")
    for band, fields in (("block", BLOCK), ("review", REVIEW), ("allow", ALLOW)):
        check(page, site, fields)
        assert page.locator("#band").inner_text().lower().startswith(band)
        widths[f"result-{band}"] = page_width(page)
        shoot(page, f"result-{band}-{size}")
    # a decision, so that the decisions page has a row
    page.get_by_role("button", name="Not a mirror").click()
    assert "not a mirror" in page.locator("#decision").inner_text()
    page.goto(f"{site}/decisions")
    widths["decisions"] = page_width(page)
    shoot(page, f"decisions-{size}")
    page.goto(f"{site}/bank")
    shoot(page, f"bank-{size}")
    assert all(w <= viewport["width"] for w in widths.values()), widths
    if size == "phone":
        # side by side becomes stacked: the banned account under the checked profile
        check(page, site, BLOCK)
        checked = page.locator("section.match.best article.checked").bounding_box()
        banned = page.locator("section.match.best article.banned").bounding_box()
        assert banned["y"] >= checked["y"] + checked["height"]
        bio = page.locator("section.match.best article.banned .bio").bounding_box()
        assert bio["width"] >= 200, bio  # not a 50 px column that breaks words mid-word
    page.context.close()


def rendered_fonts(page: Any, selector: str) -> set[str]:
    """The fonts Chromium actually drew a node's text with (DevTools' "Rendered Fonts")."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"] for f in fonts}


def test_emoji_in_colour_and_arabic_script_in_naskh(browser: Any, site: str) -> None:
    ctx = browser.new_context(viewport=DESKTOP)  # DevTools needs no page script
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    sign_in(page, site, SCORE_KEY)
    check(page, site, BLOCK)
    name = "section.match.best article.checked .name"
    assert "🔴" in page.locator(name).inner_text()
    assert "Noto Color Emoji" in rendered_fonts(page, name)
    # the Urdu name of match 3 (عمر میڈیا), as the decision form lists it
    urdu = "form label.choice:nth-of-type(3) span[dir=auto]"
    assert "عمر" in page.locator(urdu).inner_text()
    assert "Noto Naskh Arabic" in rendered_fonts(page, urdu)
    ctx.close()


def test_url_failures_say_what_happened_and_what_to_do_with_the_form_filled_in(
    browser: Any, site: str, platform: Platform
) -> None:
    page = new_page(browser, site, DESKTOP)
    # a channel the platform says does not exist (the local platform answers 404)
    page.get_by_label("Profile URL").fill("https://t.me/gone_channel")
    with page.expect_response(lambda r: r.url.endswith("/check")) as answer:
        page.get_by_role("button", name="Check").click()
    assert answer.value.status == 502
    alert = page.get_by_role("alert")
    what = alert.locator(".what").inner_text()
    assert what.startswith("What happened: Telegram says this profile does not exist"), what
    assert "What to do: The platform and handle are filled in below" in alert.inner_text()
    assert page.get_by_label("Platform").input_value() == "telegram"
    assert page.get_by_label("Handle", exact=True).input_value() == "@gone_channel"
    assert page.get_by_label("Profile URL").input_value() == "https://t.me/gone_channel"
    shoot(page, "check-url-failed-desktop")
    # the moderator types only the name: the URL's handle is still part of what is scored
    page.get_by_label("Handle", exact=True).fill("")
    page.get_by_label("Display name").fill("TTP Media")
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(re.compile(r".*/checks/[\w-]+$"))
    checked = page.locator("section.match.best article.checked")
    assert checked.locator(".handle").inner_text() == "@gone_channel"
    assert "Scored the fields you typed instead" in page.locator(".verdict .notes").inner_text()
    # a link that is no profile on a supported platform: why, and what to paste instead
    page.goto(f"{site}/")
    page.get_by_label("Profile URL").fill("https://evil.example/profile")
    page.get_by_role("button", name="Check").click()
    text = page.get_by_role("alert").inner_text()
    assert "This link cannot be checked" in text and "not a supported site" in text
    assert "What to do: Paste the link of the profile itself" in text
    page.context.close()


def axe_problems(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_page_passes_axe_core(browser: Any, site: str) -> None:
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("axe-playwright-python is missing: it is in the dev extra")
        pytest.skip("axe-playwright-python is absent: pip install -e '.[dev]'")
    ctx = browser.new_context(viewport=DESKTOP)  # axe runs as page script, through DevTools
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    found: dict[str, list[str]] = {}
    page.goto(f"{site}/signin")
    found["signin"] = axe_problems(page)
    sign_in(page, site, WRITE_KEY)
    found["check"] = axe_problems(page)
    page.get_by_label("Profile URL").fill("https://t.me/gone_channel")
    page.get_by_role("button", name="Check").click()
    page.get_by_role("alert").wait_for()
    found["check-failed"] = axe_problems(page)
    for band, fields in (("block", BLOCK), ("review", REVIEW), ("allow", ALLOW)):
        check(page, site, fields)
        found[f"result-{band}"] = axe_problems(page)
        # and with every disclosure open: the other matches and the numbers
        page.locator("details").evaluate_all("ds => ds.forEach(d => d.open = true)")
        found[f"result-{band}-open"] = axe_problems(page)
    page.get_by_role("button", name="Confirm mirror").click()
    page.locator("#decision").wait_for()
    found["result-recorded"] = axe_problems(page)
    for path in ("/decisions", "/bank", "/checks/no-such-check"):
        page.goto(f"{site}{path}")
        found[path] = axe_problems(page)
    ctx.close()
    assert {name: v for name, v in found.items() if v} == {}


def focus_by_tab(page: Any, selector: str, limit: int = 80) -> None:
    """Tab forward until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable by Tab")


def test_check_to_decision_by_keyboard_alone(browser: Any, site: str) -> None:
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    sign_in(page, site, SCORE_KEY)
    page.goto(f"{site}/")
    focus_by_tab(page, "#display_name")
    page.keyboard.type("Voice of Khurasan")
    focus_by_tab(page, "#handle")
    page.keyboard.type("@voice_of_khurasan_2")
    focus_by_tab(page, "form[action='/check'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/checks/[\w-]+$"))
    assert page.locator("#band").inner_text().startswith("Review")
    # a collapsed match opens from the keyboard
    focus_by_tab(page, "details.match.other > summary")
    page.keyboard.press("Enter")
    assert page.locator("details.match.other").first.get_attribute("open") is not None
    # choose the second match in the decision form with the arrow keys, note, confirm
    page.goto(page.url)
    focus_by_tab(page, "input[type=radio][name=account_id]")
    page.keyboard.press("ArrowDown")
    second = page.get_by_role("radio").nth(1)
    assert second.is_checked()
    chosen = second.get_attribute("value")
    focus_by_tab(page, "#note")
    page.keyboard.type("same name, by keyboard")
    focus_by_tab(page, "button.confirm")
    page.keyboard.press("Enter")
    recorded = page.locator("#decision").inner_text()
    assert "confirmed mirror" in recorded and chosen in recorded
    ctx.close()


def test_decisions_filter_by_decision_group_who_and_day_and_export_csv(
    browser: Any, site: str
) -> None:
    import csv
    import io
    from datetime import UTC, datetime, timedelta

    scorer = new_page(browser, site, DESKTOP, key=SCORE_KEY)
    scorer_label = scorer.locator(".who code").inner_text()
    check(scorer, site, ALLOW)
    scorer.get_by_role("button", name="Not a mirror").click()
    scorer.locator("#decision").wait_for()
    scorer.context.close()
    page = new_page(browser, site, DESKTOP, key=WRITE_KEY)
    check(page, site, BLOCK)
    page.get_by_label("Note (optional)").fill('=HYPERLINK("http://x")')
    page.get_by_role("button", name="Confirm mirror").click()
    page.locator("#decision").wait_for()

    def shown() -> list[str]:
        return page.locator("table.decisions tbody tr").all_inner_texts()

    page.goto(f"{site}/decisions")
    page.get_by_label("Decision", exact=True).select_option("confirmed")
    page.get_by_role("button", name="Filter").click()
    rows = shown()
    assert rows and all("Confirmed mirror" in r for r in rows)
    page.goto(f"{site}/decisions")
    page.get_by_label("Group").fill("tehreek-e-taliban pakistan")
    page.get_by_role("button", name="Filter").click()
    assert all("Tehreek-e-Taliban Pakistan" in r for r in shown())
    page.goto(f"{site}/decisions")
    page.get_by_label("Who").fill(scorer_label)
    page.get_by_role("button", name="Filter").click()
    rows = shown()
    assert rows and all(scorer_label in r for r in rows)
    assert any("Baloch News Pakistan" in r and "Not a mirror" in r for r in rows)
    assert page.get_by_label("Who").input_value() == scorer_label  # the filter stays shown
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    page.goto(f"{site}/decisions?from={tomorrow}")
    assert shown() == [] and "match these filters" in page.locator("main").inner_text()
    shoot(page, "decisions-filtered-empty-desktop")

    # the export: the same filters, every matching row, formulas defused
    page.goto(f"{site}/decisions?decision=confirmed")
    href = page.get_by_role("link", name="Export CSV").get_attribute("href")
    assert href == "/decisions.csv?decision=confirmed"
    answer = page.request.get(f"{site}{href}")
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(answer.text())))
    assert table and {r["decision"] for r in table} == {"confirmed"}
    ours = next(r for r in table if r["note"].startswith("'="))
    assert ours["account_id"] == "ttp-x-1" and ours["group"] == "Tehreek-e-Taliban Pakistan"
    assert page.request.get(f"{site}/decisions.csv?from=yesterday").status == 422
    page.context.close()
