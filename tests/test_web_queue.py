"""The review queue's pages in Debian's headless Chromium against the real app (fast
encoders): profiles the API put in review wait on /queue; two moderators claiming at once never
get the same item; a stale page's claim is refused in words; decide and skip; no JavaScript
needed, keyboard only, and axe-core finds no serious or critical violation."""

from __future__ import annotations

import base64
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.config import QueueSettings
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, need_chromium, sign_in
from tests.helpers.settings import SCORE_KEY, WRITE_KEY, fake_settings
from tests.helpers.web_site import DEMO, running_app, seed_demo_bank

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ITEMS = 6
AVATAR = base64.b64encode((DEMO / "avatars" / "iskp.png").read_bytes()).decode()


@pytest.fixture
def site(tmp_path: Any) -> Iterator[str]:
    """A fresh app whose queue holds ITEMS profiles the scoring API put in review."""
    settings = fake_settings(tmp_path, queue=QueueSettings(enabled=True))
    with running_app(settings) as base:
        seed_demo_bank(base, WRITE_KEY)
        for n in range(ITEMS):
            body = {"id": f"p{n}", "display_name": "Voice of Khurasan", "avatar_b64": AVATAR,
                    "handle": f"voice_{n}"}  # fmt: skip
            r = httpx.post(f"{base}/v1/score", json=body, headers={"X-API-Key": SCORE_KEY},
                           timeout=60.0)  # fmt: skip
            assert r.status_code == 200 and r.json()["band"] == "review", r.text
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = need_chromium()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def moderator(browser: Any, site: str, key: str, js: bool = False) -> Any:
    ctx = browser.new_context(viewport=DESKTOP, java_script_enabled=js)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    sign_in(page, site, key)
    return page


def item_id(page: Any) -> int:
    match = re.search(r"/queue/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


def take_next(page: Any, site: str) -> int | None:
    page.goto(f"{site}/queue")
    page.get_by_role("button", name="Take the next item").click()
    page.wait_for_load_state()
    if "empty=true" in page.url:
        return None
    return item_id(page)


def test_two_moderators_taking_items_at_once_never_get_the_same_one(site: str) -> None:
    """Two browsers, each in its own thread, press "Take the next item" at the same moment,
    again and again until the queue is empty."""
    sync_api = need_chromium()
    got: dict[str, list[int]] = {SCORE_KEY: [], WRITE_KEY: []}
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(key: str) -> None:
        try:
            with sync_api.sync_playwright() as p:
                b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = moderator(b, site, key)
                page.goto(f"{site}/queue")
                start.wait(timeout=60)
                while (taken := take_next(page, site)) is not None:
                    got[key].append(taken)
                b.close()
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(key,)) for key in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not errors, errors
    first, second = set(got[SCORE_KEY]), set(got[WRITE_KEY])
    assert not first & second, "an item was given to both moderators"
    assert len(first) + len(second) == len(got[SCORE_KEY]) + len(got[WRITE_KEY]) == ITEMS


def test_a_stale_claim_is_refused_and_decide_and_skip_work(browser: Any, site: str) -> None:
    alice = moderator(browser, site, SCORE_KEY)
    bob = moderator(browser, site, WRITE_KEY)
    alice.goto(f"{site}/queue?order=highest")
    bob.goto(f"{site}/queue")
    rows = alice.locator("table.queue tbody tr")
    assert rows.count() == ITEMS
    first = int(bob.locator("table.queue tbody tr").first.get_attribute("data-item"))
    # alice claims the first item; bob's page still offers it
    alice.locator(f"tr[data-item='{first}']").get_by_role("button", name="Claim").click()
    alice.wait_for_url(f"{site}/queue/{first}")
    assert alice.locator("#band").inner_text().startswith("Review")
    assert "Queued by the scoring API" in alice.locator(".verdict .meta").inner_text()
    assert alice.locator("section.match.best").count() == 1
    bob.locator(f"tr[data-item='{first}']").get_by_role("button", name="Claim").click()
    assert "taken by another moderator" in bob.get_by_role("alert").inner_text()
    assert bob.locator(f"tr[data-item='{first}']").count() == 0, "no longer listed as free"
    # bob cannot open alice's item either
    bob.goto(f"{site}/queue/{first}")
    assert "no longer yours" in bob.get_by_role("alert").inner_text()
    # bob takes the next one instead, and skips it: it waits again
    theirs = take_next(bob, site)
    assert theirs is not None and theirs != first
    bob.get_by_role("button", name=re.compile("^Skip")).click()
    assert "Skipped" in bob.locator("#queue-status").inner_text()
    assert bob.locator(f"tr[data-item='{theirs}']").count() == 1
    # alice decides hers: recorded in the decisions log, gone from the queue
    best = alice.locator("section.match.best").get_attribute("data-account")
    alice.get_by_label("Note (optional)").fill("from the queue")
    alice.get_by_role("button", name="Not a mirror").click()
    assert f"Recorded: not a mirror of {best}" in alice.locator("#queue-status").inner_text()
    assert alice.locator(f"tr[data-item='{first}']").count() == 0
    alice.goto(f"{site}/decisions")
    row = alice.locator("table.decisions tbody tr").first
    assert "from the queue" in row.inner_text() and best in row.inner_text()
    assert "Not a mirror" in row.inner_text()


def focus_by_tab(page: Any, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable by Tab")


def axe_problems(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_queue_by_keyboard_alone_passes_axe_core(browser: Any, site: str) -> None:
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("axe-playwright-python is missing: it is in the dev extra")
        pytest.skip("axe-playwright-python is absent: pip install -e '.[dev]'")
    page = moderator(browser, site, SCORE_KEY, js=True)  # axe runs as page script
    found: dict[str, list[str]] = {}
    page.goto(f"{site}/queue")
    found["queue"] = axe_problems(page)
    focus_by_tab(page, "form[action='/queue/next'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/queue/\d+$"))
    found["queue-item"] = axe_problems(page)
    page.locator("details").evaluate_all("ds => ds.forEach(d => d.open = true)")
    found["queue-item-open"] = axe_problems(page)
    page.goto(page.url)
    focus_by_tab(page, "button.confirm")
    page.keyboard.press("Enter")
    page.locator("#queue-status").wait_for()
    assert "Recorded: confirmed mirror" in page.locator("#queue-status").inner_text()
    found["queue-recorded"] = axe_problems(page)
    # a claim lost to someone else: the queue with its alert
    other = moderator(browser, site, WRITE_KEY)
    other.goto(f"{site}/queue")
    taken = int(other.locator("table.queue tbody tr").first.get_attribute("data-item"))
    page.goto(f"{site}/queue")
    page.locator(f"tr[data-item='{taken}']").get_by_role("button", name="Claim").click()
    page.wait_for_url(f"{site}/queue/{taken}")
    other.locator(f"tr[data-item='{taken}']").get_by_role("button", name="Claim").click()
    other.get_by_role("alert").wait_for()
    page.goto(f"{site}/queue")
    found["queue-held"] = axe_problems(page)
    assert {name: v for name, v in found.items() if v} == {}


def test_the_queue_fits_a_phone_and_is_photographed(browser: Any, site: str) -> None:
    shots = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = moderator(browser, site, SCORE_KEY if name == "desktop" else WRITE_KEY)
        page.set_viewport_size(viewport)
        page.goto(f"{site}/queue")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(shots / f"queue-{name}.png"), full_page=True)
        assert take_next(page, site) is not None
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(shots / f"queue-item-{name}.png"), full_page=True)
