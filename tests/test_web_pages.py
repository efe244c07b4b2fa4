"""The moderator pages over HTTP (no browser): sessions, CSRF, scopes, errors as HTML pages,
post-redirect-get, and that the JSON API is untouched by any of it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from service.app import create_app
from service.config import ThrottleSettings, WebSettings
from service.store.bank import Store
from service.store.instance_secrets import shared_secret
from service.usecases.decisions import list_decisions
from service.web.pages import safe_next
from service.web.session import COOKIE, SECRET_NAME
from tests.helpers.images import png_bytes
from tests.helpers.settings import ADMIN_KEY, SCORE_KEY, WRITE_KEY, WRITE_LABEL, fake_settings
from tests.helpers.web_site import DEMO, demo_bank

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def wait_ready(c: TestClient) -> None:
    for _ in range(600):
        if c.get("/readyz").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError(c.get("/readyz").text)


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web-pages")


@pytest.fixture(scope="module")
def client(app_dir: Path) -> Iterator[TestClient]:
    settings = fake_settings(app_dir, web=WebSettings(page_size=2))
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        wait_ready(c)
        r = c.post("/v1/accounts/bulk", json={"accounts": demo_bank()},
                   headers={"X-API-Key": WRITE_KEY})  # fmt: skip
        assert r.status_code == 200, r.text
        yield c


def csrf_of(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "every form carries a CSRF token"
    return found.group(1)


def sign_in(c: TestClient, key: str = SCORE_KEY) -> str:
    """Signs in; returns the signed-in session's CSRF token."""
    c.cookies.clear()
    token = csrf_of(c.get("/signin").text)
    r = c.post("/signin", data={"api_key": key, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(c.get("/").text)


def run_check(c: TestClient, token: str, **fields: str) -> str:
    r = c.post("/check", data={"csrf_token": token, **fields}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def test_session_cookie_attributes_over_https(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/signin")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    token = csrf_of(r.text)
    r = client.post("/signin", data={"api_key": SCORE_KEY, "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    signed = r.headers["set-cookie"]
    assert SCORE_KEY not in signed and "Secure" in signed
    assert csrf_of(client.get("/").text) != token, "signing in issues a new CSRF token"


def test_no_secure_flag_over_plain_http(app_dir: Path, tmp_path: Path) -> None:
    with TestClient(create_app(fake_settings(tmp_path))) as c:
        cookie = c.get("/signin").headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie


def test_signin_needs_its_csrf_token_and_a_valid_key(client: TestClient) -> None:
    client.cookies.clear()
    token = csrf_of(client.get("/signin").text)
    r = client.post("/signin", data={"api_key": SCORE_KEY})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    r = client.post("/signin", data={"api_key": "not-a-key-0123456789", "csrf_token": token})
    assert r.status_code == 401 and "not valid" in r.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_pages_need_a_session_and_redirect_only_within_the_site(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/decisions?before=5", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=/decisions%3Fbefore%3D5"
    token = csrf_of(client.get("/signin").text)
    data = {"api_key": SCORE_KEY, "csrf_token": token, "next": "//evil.example/x"}
    r = client.post("/signin", data=data, follow_redirects=False)
    assert r.headers["location"] == "/"
    assert [safe_next(v) for v in ("/decisions", "https://e.x", "/\\e.x", "//e.x")] == [
        "/decisions", "/", "/", "/",
    ]  # fmt: skip


def test_forged_or_foreign_cookies_are_anonymous(client: TestClient, app_dir: Path) -> None:
    sign_in(client)
    value = client.cookies[COOKIE]
    tampered = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    store = Store(fake_settings(app_dir).db_url)
    try:
        secret = shared_secret(store.sessions, SECRET_NAME)
    finally:
        store.close()
    ours = URLSafeTimedSerializer(secret, salt="mirrorscan.web.session")
    theirs = URLSafeTimedSerializer("another secret, not the service's one", salt="x")
    for forged in (
        tampered,
        theirs.dumps({"i": "a" * 43}),
        ours.dumps({"i": "a" * 43}),  # signed, but no such session
        ours.dumps({"c": "t" * 43, "l": "key:00000000", "s": ["admin"]}),  # an old cookie
    ):
        client.cookies.clear()
        client.cookies.set(COOKIE, forged)
        assert client.get("/", follow_redirects=False).status_code == 303


def test_a_post_without_csrf_is_403_and_with_it_the_check_redirects(client: TestClient) -> None:
    token = sign_in(client)
    fields = {"display_name": "TTP Media", "handle": "ttp_media2", "platform": "x"}
    r = client.post("/check", data=fields)
    assert r.status_code == 403 and "security token" in r.text
    r = client.post("/check", data={**fields, "csrf_token": "x" * 43})
    assert r.status_code == 403
    location = run_check(client, token, **fields)
    page = client.get(location)
    assert page.status_code == 200 and "ttp-x-1" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_result_belongs_to_whoever_checked(client: TestClient) -> None:
    token = sign_in(client, SCORE_KEY)
    location = run_check(client, token, display_name="Voice of Khurasan")
    sign_in(client, WRITE_KEY)
    assert client.get(location).status_code == 404
    assert client.get(location + "/avatar").status_code == 404


def test_check_errors_re_render_the_form_with_what_was_typed(client: TestClient) -> None:
    token = sign_in(client)
    r = client.post("/check", data={"csrf_token": token, "display_name": "Kept name"},
                    files={"avatar": ("a.png", b"not an image", "image/png")})  # fmt: skip
    assert r.status_code in (415, 422), r.text
    assert 'value="Kept name"' in r.text and 'role="alert"' in r.text
    r = client.post("/check", data={"csrf_token": token})
    assert r.status_code == 422 and "type at least" in r.text
    r = client.post("/check", data={"csrf_token": token, "profile_url": "https://evil.example/"})
    assert r.status_code == 422 and "not a supported site" in r.text


def test_avatar_upload_is_thumbnailed_by_the_service(client: TestClient) -> None:
    token = sign_in(client)
    avatar = (DEMO / "avatars" / "ttp.png").read_bytes()
    files = {"avatar": ("a.png", avatar, "image/png")}
    data = {"csrf_token": token, "display_name": "TTP"}
    r = client.post("/check", data=data, files=files, follow_redirects=False)
    thumb = client.get(r.headers["location"] + "/avatar")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    assert thumb.content[:4] == b"RIFF" and thumb.content != avatar


def test_decision_is_audited_and_listed_newest_first_with_pages(client: TestClient) -> None:
    token = sign_in(client)
    location = run_check(client, token, display_name="TTP Media", handle="ttp_media2")
    for note in ("note-one", "note-two", "note-three"):
        data = {"csrf_token": token, "account_id": "ttp-x-1", "decision": "rejected", "note": note}
        r = client.post(location + "/decision", data=data, follow_redirects=False)
        assert r.status_code == 303 and "recorded=" in r.headers["location"]
    page = client.get("/decisions").text
    assert page.index("note-three") < page.index("note-two") and "note-one" not in page  # 2/page
    older = re.search(r'href="/decisions\?before=(\d+)"', page)
    assert older, "a link to the older page"
    assert "note-one" in client.get(f"/decisions?before={older.group(1)}").text
    r = client.post(location + "/decision", data={
        "csrf_token": token, "account_id": "not-a-match", "decision": "confirmed"})  # fmt: skip
    assert r.status_code == 422
    r = client.post(location + "/decision", data={
        "csrf_token": token, "account_id": "ttp-x-1", "decision": "maybe"})  # fmt: skip
    assert r.status_code == 422 and "confirmed, rejected" in r.text


def test_bank_pages_need_bank_write(client: TestClient) -> None:
    token = sign_in(client, SCORE_KEY)
    assert client.get("/bank").status_code == 403
    r = client.post("/bank/remove", data={"csrf_token": token, "account_id": "ttp-x-1"})
    assert r.status_code == 403
    token = sign_in(client, WRITE_KEY)
    r = client.post("/bank/add", follow_redirects=False, data={
        "csrf_token": token, "account_id": "page-test-1", "display_name": "Page Test"},
        files={"avatar": ("a.png", png_bytes(3), "image/png")})  # fmt: skip
    assert r.status_code == 303
    assert client.get("/bank/avatar", params={"id": "page-test-1"}).status_code == 200
    r = client.post("/bank/add", data={"csrf_token": token, "account_id": ""})
    assert r.status_code == 422 and "give the account an id" in r.text
    # a removal asks first: the POST without the confirmation shows the account, removes nothing
    r = client.post("/bank/remove", data={"csrf_token": token, "account_id": "page-test-1"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 200 and "Remove <code>page-test-1</code>?" in r.text
    assert client.get("/bank/avatar", params={"id": "page-test-1"}).status_code == 200
    version = re.search(r'name="version" value="([^"]+)"', r.text)
    assert version is not None
    confirmed = {"csrf_token": token, "account_id": "page-test-1", "confirm": "true",
                 "version": version.group(1)}  # fmt: skip
    r = client.post("/bank/remove", data=confirmed, follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/bank/remove", data=confirmed)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


def test_banks_on_the_bank_page(client: TestClient) -> None:
    token = sign_in(client, WRITE_KEY)
    new = {"csrf_token": token, "name": "page-allow", "kind": "allow"}
    r = client.post("/bank/banks/create", data=new, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/bank").text
    assert "page-allow" in page and "allow list" in page
    r = client.post("/bank/add", follow_redirects=False, data={
        "csrf_token": token, "account_id": "page-official", "display_name": "Official",
        "bank": "page-allow"})  # fmt: skip
    assert r.status_code == 303
    listed = client.get("/bank", params={"bank": "page-allow"}).text
    assert "page-official" in listed
    off = {"csrf_token": token, "name": "page-allow", "enabled": "false"}
    r = client.post("/bank/banks/state", data=off, follow_redirects=False)
    assert r.status_code == 303 and "Enable" in client.get("/bank").text
    r = client.post("/bank/banks/remove", data={"csrf_token": token, "name": "page-allow"})
    assert r.status_code == 200 and "Remove bank <code>page-allow</code>?" in r.text
    assert "removed only together with them" in r.text and 'name="confirm"' not in r.text
    r = client.post("/bank/banks/remove", data={"csrf_token": token, "name": "page-allow",
                                                "confirm": "true"})  # fmt: skip
    assert r.status_code == 409 and "still holds 1 accounts" in r.text
    r = client.post("/bank/banks/remove", data={"csrf_token": token, "name": "page-allow",
                                                "purge": "true"})  # fmt: skip
    assert r.status_code == 403  # removing accounts with the bank is for admins
    assert client.get("/bank/export", params={"bank": "page-allow"}).status_code == 403


def test_bank_writes_and_decisions_are_in_the_audit_log(client: TestClient, app_dir: Path) -> None:
    token = sign_in(client, WRITE_KEY)
    client.post("/bank/add", data={"csrf_token": token, "account_id": "audited-1",
                                   "display_name": "Audited"})  # fmt: skip
    asked = client.post("/bank/remove", data={"csrf_token": token, "account_id": "audited-1"})
    version = re.search(r'name="version" value="([^"]+)"', asked.text)
    assert version is not None
    client.post("/bank/remove", data={"csrf_token": token, "account_id": "audited-1",
                                      "confirm": "true", "version": version.group(1)})  # fmt: skip
    location = run_check(client, token, display_name="Al Azaim Foundation")
    client.post(location + "/decision", data={"csrf_token": token, "account_id": "iskp-tg-1",
                                               "decision": "confirmed", "note": " n "})  # fmt: skip
    store = Store(fake_settings(app_dir).db_url)
    try:
        put = store.audit_log.entries(action="account.put", limit=1)[0]
        removed = store.audit_log.entries(action="account.remove", limit=1)[0]
        decision = list_decisions(store, limit=1)[0]
    finally:
        store.close()
    assert (put.subject, put.payload) == ("audited-1", {"outcome": "created", "bank": "default"})
    assert removed.subject == "audited-1" and put.actor == removed.actor == decision.actor
    assert decision.actor == WRITE_LABEL and decision.note == "n"  # the key's label
    assert (decision.account_id, decision.decision) == ("iskp-tg-1", "confirmed")
    assert decision.profile["display_name"] == "Al Azaim Foundation"
    assert decision.model_version and 0.0 <= (decision.score or -1) <= 1.0


def test_failed_sign_ins_are_throttled(tmp_path: Path) -> None:
    throttle = ThrottleSettings(address_burst=2, address_per_minute=6)
    with TestClient(create_app(fake_settings(tmp_path, throttle=throttle))) as c:
        wait_ready(c)
        token = csrf_of(c.get("/signin").text)
        for guess in ("guess-one-0123456789", "guess-two-0123456789"):
            r = c.post("/signin", data={"api_key": guess, "csrf_token": token})
            assert r.status_code == 401
        r = c.post("/signin", data={"api_key": SCORE_KEY, "csrf_token": token})
        assert r.status_code == 429 and "Too many failed sign-ins" in r.text
        assert 1 <= int(r.headers["retry-after"]) <= 10
        assert c.get("/", follow_redirects=False).status_code == 303, "not signed in"


def test_sign_out_ends_the_session_on_the_server(client: TestClient) -> None:
    token = sign_in(client)
    kept = client.cookies[COOKIE]  # a copy of the cookie, as a thief would keep it
    r = client.post("/signout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"
    assert "Max-Age=0" in r.headers["set-cookie"] or "max-age=0" in r.headers["set-cookie"]
    assert COOKIE not in client.cookies
    assert client.get("/", follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE, kept)
    assert client.get("/", follow_redirects=False).status_code == 303, "the record is gone"


def test_revoking_a_key_ends_its_sessions(client: TestClient) -> None:
    admin = {"X-API-Key": ADMIN_KEY}
    made = client.post("/v1/keys", json={"label": "Temp moderator", "scopes": ["score"]},
                       headers=admin).json()  # fmt: skip
    sign_in(client, made["key"])
    assert client.get("/", follow_redirects=False).status_code == 200
    assert client.delete(f"/v1/keys/{made['id']}", headers=admin).status_code == 204
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_json_api_ignores_sessions_and_needs_no_csrf(client: TestClient) -> None:
    sign_in(client, ADMIN_KEY)
    r = client.post("/v1/score", json={"display_name": "TTP Media"})
    assert r.status_code == 401, "a session cookie is not an API key"
    r = client.post("/v1/score", json={"display_name": "TTP Media"},
                    headers={"X-API-Key": SCORE_KEY})  # fmt: skip
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "img-src 'self' data:" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["referrer-policy"] == "no-referrer" and r.headers["x-frame-options"] == "DENY"
