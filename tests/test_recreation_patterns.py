"""How banned accounts are re-created in practice, scored through the API with the shipped model
and the real encoders (e5, EfficientNet-Lite0, PDQ).

Written from the patterns seen in public data of earlier waves of re-creation (issue 12), not
from the training generator: a handle sequel on the same platform under a new display name
(``…040`` → ``…041``, ``…reporter1`` → ``…reporter2``), and a long, distinctive bio copied
verbatim under a new display name. Each must reach a moderator (``review`` or ``block``). Beside
them, the legitimate accounts that collide with a bank: a namesake of a banned member with an
unrelated bio, and a journalist whose bio names the groups; neither may be blocked.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from tests.helpers.http import wait_ready
from tests.helpers.settings import KEYS, SCORE_KEY, WRITE_KEY
from tests.helpers.web_site import demo_bank

pytestmark = pytest.mark.slow

LONG_BIO = (
    "Voice of the mountains of Kohlu and Kahan. Daily reports from the front, biographies of "
    "our martyrs and the statements of the spokesman. Sarmachar never bow. Backup: see pinned."
)

BANK = [
    {"id": "iskp-wire-040", "platform": "x", "handle": "khorasan_wire040",
     "display_name": "Khorasan Wire", "group": "Islamic State Khorasan Province",
     "bio": "Dispatches from Wilayah Khurasan. Amaq relays, photo reports and nasheeds."},
    {"id": "ttp-reporter-1", "platform": "x", "handle": "umar_reporter1",
     "display_name": "Umar Reporter", "group": "Tehreek-e-Taliban Pakistan",
     "bio": "Reports of the mujahideen of Tehreek-e-Taliban Pakistan from Waziristan."},
    {"id": "bla-kohlu-1", "platform": "x", "handle": "KohluFront", "display_name": "Kohlu Front",
     "group": "Balochistan Liberation Army", "bio": LONG_BIO},
    {"id": "bla-member-7", "platform": "facebook", "handle": "zarak.durrani.baloch",
     "display_name": "Zarak Khan Durrani", "group": "Balochistan Liberation Army",
     "bio": "Sarmachar. Azad Balochistan. Shaheed ka khoon rang laye ga."},
]  # fmt: skip


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("recreation"), api_keys=KEYS)
    with TestClient(create_app(settings)) as c:
        wait_ready(c)
        r = c.post("/v1/accounts/bulk", json={"accounts": demo_bank() + BANK},
                   headers={"X-API-Key": WRITE_KEY})  # fmt: skip
        assert r.status_code == 200, r.text
        yield c


def score(client: TestClient, profile: dict[str, object]) -> dict[str, object]:
    r = client.post("/v1/score", headers={"X-API-Key": SCORE_KEY}, json=profile)
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


# Not reached yet by the shipped model (issue 12 stays open): at the configured prevalence (1 in
# 20) review needs a log-likelihood ratio of about 1.6; a handle sequel under a new name has
# only the handle's core in common. Strict, and only on the band: a model that reaches them
# turns these into failures until the mark is removed, and any other failure (no answer,
# another top match) fails the test that checks the top match.
NOT_YET = pytest.mark.xfail(
    strict=True, raises=AssertionError,
    reason="issue 12: a handle sequel under a new name does not reach review yet",
)  # fmt: skip

RE_CREATIONS = [
    pytest.param({"platform": "x", "handle": "khorasan_wire041",
                  "display_name": "Al-Khurasan Updates",
                  "bio": "Back again. Share before they delete."}, "iskp-wire-040",
                 id="handle-sequel-040-041"),
    pytest.param({"platform": "x", "handle": "umar_reporter2", "display_name": "UR News",
                  "bio": ""}, "ttp-reporter-1", id="handle-sequel-reporter1-2"),
    # reached since lr-20261203-6d232083 (copied text counted the same at any bank size)
    pytest.param({"platform": "x", "handle": "kohlu_voice", "display_name": "Voice of Kohlu",
                  "bio": LONG_BIO}, "bla-kohlu-1", id="verbatim-long-bio"),
]  # fmt: skip


@pytest.mark.parametrize(("profile", "banned"), RE_CREATIONS)
def test_a_re_creation_finds_the_account_it_copies(
    client: TestClient, profile: dict[str, object], banned: str
) -> None:
    matches = score(client, profile)["matches"]
    assert isinstance(matches, list) and matches
    assert matches[0]["account_id"] == banned, matches[0]


@pytest.mark.parametrize(
    ("profile", "banned"),
    [pytest.param(*p.values, id=p.id, marks=NOT_YET if "sequel" in str(p.id) else ())
     for p in RE_CREATIONS],
)  # fmt: skip
def test_a_re_creation_reaches_a_moderator(
    client: TestClient, profile: dict[str, object], banned: str
) -> None:
    body = score(client, profile)
    assert body["band"] in {"review", "block"}, (body["band"], body["band_reason"])


@pytest.mark.parametrize(
    "profile",
    [
        {
            "platform": "facebook",
            "handle": "zarak.durrani.92",
            "display_name": "Zarak Khan Durrani",
            "bio": "Civil engineer, NED University. Cricket on weekends. Quetta / Karachi.",
        },
        {
            "platform": "x",
            "handle": "kohlu_reporter",
            "display_name": "Shahzad Baloch",
            "bio": "Reporter, Quetta. I cover BLA and TTP attacks and the military's operations in "
            "Kohlu and Kahan. Views my own.",
        },
    ],
    ids=["namesake", "journalist-naming-the-groups"],
)
def test_a_legitimate_account_that_collides_is_not_blocked(
    client: TestClient, profile: dict[str, object]
) -> None:
    body = score(client, profile)
    assert body["band"] != "block", (body["band_reason"], body["matches"])
