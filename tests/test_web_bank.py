"""The bank page over HTTP (no browser): nothing replaced or removed without a confirmation,
edits through the audited upsert, a file upload answered line by line, export, and a clear
4xx in words for every bad input (issue 15, item 6)."""

from __future__ import annotations

import base64
import html
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import LimitSettings, WebSettings
from service.store.bank import Store
from service.web import pending
from tests.helpers.images import png_bytes
from tests.helpers.settings import ADMIN_KEY, SCORE_KEY, WRITE_KEY, WRITE_LABEL, fake_settings
from tests.helpers.web_site import demo_bank
from tests.test_web_pages import csrf_of, wait_ready

API = {"X-API-Key": WRITE_KEY}
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web-bank")


@pytest.fixture(scope="module")
def client(app_dir: Path) -> Iterator[TestClient]:
    limits = LimitSettings(max_bulk=20, max_body_bytes=400_000)
    settings = fake_settings(app_dir, web=WebSettings(page_size=5), limits=limits)
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        wait_ready(c)
        r = c.post("/v1/accounts/bulk", json={"accounts": demo_bank()}, headers=API)
        assert r.status_code == 200, r.text
        r = c.post("/v1/banks", json={"name": "second"}, headers=API)
        assert r.status_code == 201, r.text
        yield c


@pytest.fixture
def token(client: TestClient) -> str:
    return sign_in(client, WRITE_KEY)


@pytest.fixture
def store(app_dir: Path) -> Iterator[Store]:
    s = Store(fake_settings(app_dir).db_url)
    yield s
    s.close()


def sign_in(c: TestClient, key: str) -> str:
    c.cookies.clear()
    first = csrf_of(c.get("/signin").text)
    r = c.post("/signin", data={"api_key": key, "csrf_token": first}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(c.get("/").text)


def hidden_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the page's form posting to ``action``."""
    start = page.index(f'action="{action}"')
    form = page[start : page.index("</form>", start)]
    return {k: html.unescape(v) for k, v in HIDDEN.findall(form)}


def add(c: TestClient, token: str, account_id: str, avatar: bytes | None = None,
        **fields: str) -> Any:  # fmt: skip
    files = {"avatar": ("a.png", avatar, "image/png")} if avatar else None
    return c.post("/bank/add", data={"csrf_token": token, "account_id": account_id, **fields},
                  files=files, follow_redirects=False)  # fmt: skip


def profile_of(c: TestClient, account_id: str) -> dict[str, Any]:
    r = c.get(f"/v1/accounts/{account_id}", headers=API)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_adding_an_existing_id_shows_both_versions_and_asks(
    client: TestClient, token: str, store: Store
) -> None:
    assert add(client, token, "rep-1", png_bytes(5), display_name="First Name",
               bio="old bio").status_code == 303  # fmt: skip
    asked = add(client, token, "rep-1", png_bytes(9), display_name="Second Name", bio="old bio")
    assert asked.status_code == 200
    page = asked.text
    assert "already exists in bank <code>default</code>" in page
    assert "First Name" in page and "Second Name" in page  # side by side
    assert page.count('class="changed"') >= 2  # the name and the avatar, marked
    assert "data:image/webp;base64," in page  # the new avatar, as the service thumbnailed it
    assert profile_of(client, "rep-1")["display_name"] == "First Name"  # nothing replaced yet
    confirm = hidden_fields(page, "/bank/add")
    assert confirm["replaces"] and confirm["pending_avatar"] and confirm["csrf_token"] == token
    r = client.post("/bank/add", data=confirm, follow_redirects=False)
    assert r.status_code == 303 and "replaced=rep-1" in r.headers["location"]
    assert "Replaced <code>rep-1</code>" in client.get(r.headers["location"]).text
    assert profile_of(client, "rep-1")["display_name"] == "Second Name"
    put = store.audit_log.entries(action="account.put", limit=1)[0]
    assert (put.subject, put.actor, put.payload["outcome"]) == ("rep-1", WRITE_LABEL, "updated")
    # the avatar kept while asking is used once, then gone
    again = client.post("/bank/add", data=confirm)
    assert again.status_code == 422 and "has expired; choose it again" in again.text


def test_a_confirmation_made_stale_by_another_change_asks_again(
    client: TestClient, token: str
) -> None:
    add(client, token, "rep-2", display_name="One")
    confirm = hidden_fields(add(client, token, "rep-2", display_name="Two").text, "/bank/add")
    # someone else changes the account while this moderator looks at the confirmation
    r = client.put("/v1/accounts/rep-2", json={"display_name": "Three"}, headers=API)
    assert r.status_code == 200
    asked = client.post("/bank/add", data=confirm)
    assert asked.status_code == 200 and "Three" in asked.text and "Two" in asked.text
    assert profile_of(client, "rep-2")["display_name"] == "Three"


def test_moving_an_account_to_another_bank_is_refused_in_words(
    client: TestClient, token: str
) -> None:
    add(client, token, "rep-3", display_name="Mover")
    r = add(client, token, "rep-3", display_name="Mover", bank="second")
    assert r.status_code == 409 and "remove it there before adding it to" in r.text


def test_edit_is_pre_filled_keeps_the_avatar_and_is_audited(
    client: TestClient, token: str, store: Store
) -> None:
    add(client, token, "ed-1", png_bytes(7), display_name="Edit Me", bio="first bio",
        links="t.me/a t.me/b", group="G")  # fmt: skip
    before = store.get("ed-1")
    assert before is not None and before.features.avatar is not None
    form = client.get("/bank/edit", params={"id": "ed-1"})
    assert form.status_code == 200
    assert 'value="Edit Me"' in form.text and ">first bio</textarea>" in form.text
    assert "t.me/a\nt.me/b" in form.text and "Remove the avatar" in form.text
    fields = hidden_fields(form.text, "/bank/edit")
    data = {**fields, "display_name": "Edit Me", "bio": "second bio", "links": "t.me/a t.me/b",
            "group": "G", "platform": ""}  # fmt: skip
    r = client.post("/bank/edit", data=data, follow_redirects=False)
    assert r.status_code == 303 and "saved+ed-1" in r.headers["location"]
    after = store.get("ed-1")
    assert after is not None and after.profile.bio == "second bio"
    assert after.features.avatar is not None  # kept: its signals, as derived from the original
    assert after.features.avatar.pdq == before.features.avatar.pdq
    put = store.audit_log.entries(action="account.put", limit=1)[0]
    assert (put.subject, put.actor, put.payload["outcome"]) == ("ed-1", WRITE_LABEL, "updated")
    # the form opened before that save is stale now: refused in words, the account as it is now
    stale = client.post("/bank/edit", data={**data, "bio": "third bio"})
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    assert ">second bio</textarea>" in stale.text
    fresh = hidden_fields(stale.text, "/bank/edit")
    same = client.post("/bank/edit", data={**data, **fresh}, follow_redirects=False)
    assert same.status_code == 303 and "no+change+to+ed-1" in same.headers["location"]
    fresh = hidden_fields(client.get("/bank/edit", params={"id": "ed-1"}).text, "/bank/edit")
    r = client.post("/bank/edit", data={**data, **fresh, "remove_avatar": "true"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    gone = store.get("ed-1")
    assert gone is not None and gone.features.avatar is None
    assert client.get("/bank/edit", params={"id": "no-such"}).status_code == 404


def test_edit_refuses_what_the_pipeline_refuses_and_keeps_the_typing(
    client: TestClient, token: str
) -> None:
    add(client, token, "ed-2", display_name="Limits")
    fields = hidden_fields(client.get("/bank/edit", params={"id": "ed-2"}).text, "/bank/edit")
    data = {**fields, "display_name": "Limits", "bio": "x" * 6000}
    r = client.post("/bank/edit", data=data)
    assert r.status_code in (413, 422) and "x" * 100 in r.text and 'role="alert"' in r.text
    r = client.post("/bank/edit", data={**fields, "display_name": "L"},
                    files={"avatar": ("a.png", b"not a picture", "image/png")})  # fmt: skip
    assert r.status_code == 415 and "not a picture" not in r.text and 'role="alert"' in r.text


def test_a_file_past_the_body_limit_is_a_page_for_a_browser(client: TestClient, token: str) -> None:
    data = {"csrf_token": token}
    files = {"file": ("big.jsonl", b"x" * 400_001, "application/x-ndjson")}
    r = client.post("/bank/upload", data=data, files=files, headers={"Accept": "text/html"})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "larger than 400,000 bytes" in r.text and 'href="/bank"' in r.text
    r = client.post("/bank/upload", data=data, files=files)  # a script: a problem document
    assert r.status_code == 413 and r.json()["title"] == "Payload too large"


def test_remove_asks_and_a_stale_confirmation_removes_nothing(
    client: TestClient, token: str
) -> None:
    add(client, token, "rm-1", display_name="Remove Me")
    page = client.get("/bank/remove", params={"id": "rm-1"})
    assert page.status_code == 200 and "Remove Me" in page.text
    confirm = hidden_fields(page.text, "/bank/remove")
    assert confirm["confirm"] == "true" and confirm["version"]
    client.put("/v1/accounts/rm-1", json={"display_name": "Changed Meanwhile"}, headers=API)
    stale = client.post("/bank/remove", data=confirm)
    assert stale.status_code == 409 and "changed after you opened" in stale.text
    assert "Changed Meanwhile" in stale.text
    assert profile_of(client, "rm-1")["display_name"] == "Changed Meanwhile"
    r = client.post("/bank/remove", data=hidden_fields(stale.text, "/bank/remove"),
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert client.get("/v1/accounts/rm-1", headers=API).status_code == 404
    assert client.get("/bank/remove", params={"id": "rm-1"}).status_code == 404


def upload(c: TestClient, token: str, name: str, data: bytes, **fields: str) -> Any:
    return c.post("/bank/upload", data={"csrf_token": token, **fields},
                  files={"file": (name, data, "application/octet-stream")})  # fmt: skip


def jsonl(*rows: dict[str, Any] | str) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows).encode()


def results(page: str) -> dict[int, tuple[str, str]]:
    """Line number -> (outcome, note) from the table of every line."""
    table = page[page.index('class="upload all') :]
    rows = re.findall(r'<tr class="outcome-(\w+)"><td data-label="Line">(\d+)</td>.*?'
                      r'data-label="Note" dir="auto">(.*?)</td>', table, re.S)  # fmt: skip
    return {int(n): (outcome, html.unescape(note)) for outcome, n, note in rows}


def test_upload_answers_line_by_line(client: TestClient, token: str, store: Store) -> None:
    add(client, token, "up-old", display_name="Already Here")
    picture = base64.b64encode(png_bytes(11)).decode()
    data = jsonl(
        {"id": "up-1", "display_name": "Upload One", "avatar_b64": picture},  # 1 added
        {"id": "up-old", "display_name": "Would Replace"},  # 2 refused: exists
        "{not json",  # 3 refused
        {"id": "up-1", "display_name": "Again"},  # 4 refused: repeated id
        {"id": "up-2", "bank": "nope"},  # 5 refused: no such bank
        {"id": "up-3", "avatar_path": "/etc/hostname"},  # 6 refused: a server path
        {"id": "up-4", "removed": True},  # 7 refused: a withdrawal
        {"id": "up-5", "bio": "y" * 6000},  # 8 refused by the pipeline's limits
        {"id": "up-6", "handle": "uploaded_six", "bank": "second"},  # 9 added to 'second'
        {"id": "up-7", "colour": "red"},  # 10 refused: unknown field
    )
    r = upload(client, token, "accounts.jsonl", data)
    assert r.status_code == 200, r.text
    got = results(r.text)
    assert {n: o for n, (o, _) in got.items()} == {
        1: "added", 2: "refused", 3: "refused", 4: "refused", 5: "refused", 6: "refused",
        7: "refused", 8: "refused", 9: "added", 10: "refused"}  # fmt: skip
    assert "already in bank 'default'" in got[2][1] and "Replace accounts" in got[2][1]
    assert "not valid JSON" in got[3][1]
    assert "same id is on line 1" in got[4][1]
    assert "no bank 'nope'" in got[5][1]
    assert "avatar_path is not accepted" in got[6][1]
    assert "Remove button" in got[7][1]
    assert "5000" in got[8][1] or "5,000" in got[8][1]
    assert "colour" in got[10][1]
    assert "2 added, 8 refused" in re.sub(r"\s+", " ", r.text)
    one, six = store.get("up-1"), store.get("up-6")
    assert one is not None and one.features.avatar is not None and one.bank == "default"
    assert six is not None and six.bank == "second"
    assert profile_of(client, "up-old")["display_name"] == "Already Here"
    bulk = store.audit_log.entries(action="account.bulk", limit=2)
    assert {e.actor for e in bulk} == {WRITE_LABEL}
    # with "replace": the existing account is replaced; an unchanged line says so
    data = jsonl({"id": "up-old", "display_name": "Replaced By Upload"},
                 {"id": "up-6", "handle": "uploaded_six", "bank": "second"})  # fmt: skip
    r = upload(client, token, "again.jsonl", data, replace="true")
    assert r.status_code == 200
    assert {n: o for n, (o, _) in results(r.text).items()} == {1: "replaced", 2: "unchanged"}
    assert profile_of(client, "up-old")["display_name"] == "Replaced By Upload"


def test_upload_of_csv_into_a_chosen_bank(client: TestClient, token: str, store: Store) -> None:
    data = b'id,display_name,links\ncsv-1,CSV One,"t.me/one"\ncsv-2,CSV Two\n"csv-3,broken\n'
    r = upload(client, token, "list.csv", data, bank="second")
    got = results(r.text)
    assert got[2][0] == "added" and got[3][0] == "refused" and "expected 3 fields" in got[3][1]
    account = store.get("csv-1")
    assert account is not None and account.bank == "second"
    assert account.profile.links == ("t.me/one",)


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("empty.jsonl", b"", 422, "the file empty.jsonl is empty"),
        ("blank.jsonl", b"\n\n", 422, "the file holds no accounts"),
        ("noid.csv", b"name,bio\nx,y\n", 422, "unknown columns"),
        ("noheader.csv", b"\n", 422, "no 'id' column"),
        ("garbage.csv", b"\xff\xfe\x00\x01", 422, "no 'id' column"),
        ("picture.png", png_bytes(3), 422, "neither JSON Lines nor CSV"),
        ("bundle.txt", b'{"type": "bundle", "id": "bundle--1", "objects": []}', 422, "STIX bundle"),
        ("many.jsonl", jsonl(*({"id": f"m-{i}"} for i in range(21))), 413, "more than 20 accounts"),
    ],
)
def test_bad_files_are_a_clear_4xx_page(
    client: TestClient, token: str, name: str, data: bytes, status: int, words: str
) -> None:
    r = upload(client, token, name, data)
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert words in html.unescape(r.text) and 'id="upload-error"' in r.text


def test_upload_with_every_line_refused_is_a_422(client: TestClient, token: str) -> None:
    r = upload(client, token, "bad.jsonl", b"[1, 2]\n{oops\n")
    assert r.status_code == 422 and "2 refused" in re.sub(r"\s+", " ", r.text)
    assert "a line must hold a JSON object" in r.text


def test_no_file_and_no_scope(client: TestClient, token: str) -> None:
    r = client.post("/bank/upload", data={"csrf_token": token})
    assert r.status_code == 422 and "choose a JSON Lines or CSV file" in r.text
    r = client.post("/bank/upload", files={"file": ("a.jsonl", b"{}", "text/plain")})
    assert r.status_code == 403  # no CSRF token
    score = sign_in(client, SCORE_KEY)
    r = upload(client, score, "a.jsonl", jsonl({"id": "s-1"}))
    assert r.status_code == 403 and "bank:write" in r.text
    for path in ("/bank/edit?id=ttp-x-1", "/bank/remove?id=ttp-x-1"):
        assert client.get(path).status_code == 403


def test_export_of_one_bank_or_all_reads_back(
    client: TestClient, token: str, app_dir: Path
) -> None:
    r = client.get("/bank/export", params={"format": "jsonl"})
    assert r.status_code == 403 and "admin" in r.text  # a bank editor: a page saying why
    assert "needs a key with the <code>admin</code> scope" in client.get("/bank").text
    sign_in(client, ADMIN_KEY)
    assert 'action="/bank/export"' in client.get("/bank").text
    everything = client.get("/bank/export", params={"format": "jsonl"})
    assert everything.status_code == 200
    assert 'filename="all-banks.jsonl"' in everything.headers["content-disposition"]
    rows = [json.loads(line) for line in everything.text.splitlines()]
    assert {"ttp-x-1", "up-6"} <= {row["id"] for row in rows}
    second = client.get("/bank/export", params={"bank": "second", "format": "csv"})
    assert second.status_code == 200 and second.headers["content-type"].startswith("text/csv")
    assert "up-6" in second.text and "ttp-x-1" not in second.text
    assert client.get("/bank/export", params={"bank": "nope"}).status_code == 404
    assert client.get("/bank/export", params={"format": "xml"}).status_code == 422
    # what was exported uploads back unchanged
    token = sign_in(client, WRITE_KEY)
    back = upload(client, token, "second.csv", second.content, replace="true")
    assert back.status_code == 200
    assert {o for o, _ in results(back.text).values()} == {"unchanged"}


def test_the_bank_picker_shows_one_bank(client: TestClient, token: str) -> None:
    page = client.get("/bank", params={"bank": "second"}).text
    assert 'aria-current="page"><code>second</code>' in page
    assert "Accounts in <code>second</code>" in page and "ttp-x-1" not in page


def test_pending_avatars_are_bounded_and_refuse_bad_tokens(tmp_path: Path) -> None:
    token = pending.keep(tmp_path, b"abc")
    assert pending.take(tmp_path, "../../etc/passwd") is None
    assert pending.take(tmp_path, token) == b"abc"
    assert pending.take(tmp_path, token) is None
    old = pending.keep(tmp_path, b"old")
    path = tmp_path / "tmp" / "pending-avatars" / old
    os.utime(path, (0, 0))
    assert pending.take(tmp_path, old) is None
    pending.keep(tmp_path, b"new")
    assert not path.exists()


def test_removing_a_bank_asks_first(client: TestClient, store: Store) -> None:
    token = sign_in(client, ADMIN_KEY)
    for name in ("empty-bank", "full-bank"):
        r = client.post("/bank/banks/create", data={"csrf_token": token, "name": name},
                        follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
    client.put("/v1/accounts/in-full", json={"bank": "full-bank", "handle": "x"}, headers=API)
    asked = client.post("/bank/banks/remove", data={"csrf_token": token, "name": "empty-bank"})
    assert asked.status_code == 200 and store.banks.get("empty-bank") is not None
    r = client.post("/bank/banks/remove", data=hidden_fields(asked.text, "/bank/banks/remove"),
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and store.banks.get("empty-bank") is None
    asked = client.post("/bank/banks/remove", data={"csrf_token": token, "name": "full-bank",
                                                    "purge": "true"})  # fmt: skip
    assert "Remove bank full-bank and its 1 accounts" in asked.text
    assert store.banks.get("full-bank") is not None
    confirm = hidden_fields(asked.text, "/bank/banks/remove")
    assert confirm["purge"] == "true" and confirm["confirm"] == "true"
    assert client.post("/bank/banks/remove", data=confirm).status_code == 200
    assert store.banks.get("full-bank") is None
    assert client.get("/v1/accounts/in-full", headers=API).status_code == 404
    r = client.post("/bank/banks/remove", data={"csrf_token": token, "name": "gone"})
    assert r.status_code == 404 and "there is no bank named 'gone'" in html.unescape(r.text)
