"""A URL check that fails says what happened in a moderator's words and what to do next."""

from __future__ import annotations

from service.errors import FetchFailed
from service.ingest.urls import canonicalize
from service.web.intake import _fetch_words, _next_step


def test_fetch_failures_in_a_moderators_words() -> None:
    x = canonicalize("https://x.com/TTP_Media")
    said = _fetch_words(FetchFailed("x.com does not resolve"), x)
    assert said == (
        "Could not reach X (Twitter) from the mirrorscan server (x.com does not resolve)."
    )
    wall = FetchFailed("the site refused to serve the page (HTTP 403); enter the fields by hand")
    assert _fetch_words(wall, x) == (
        "X (Twitter) does not show this profile to visitors who are not logged in (HTTP 403)."
    )
    assert _next_step(x).startswith("The platform and handle are filled in below")
