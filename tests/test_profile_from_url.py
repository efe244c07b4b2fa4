"""URL -> Profile end to end over saved real pages, with a fetcher that serves them from disk
(the network path itself is covered by test_fetch against local servers)."""

from __future__ import annotations

import asyncio

import pytest

from service.errors import FetchFailed, FetchRefused
from service.ingest.profile_from_url import profile_from_url
from tests.helpers.disk_fetcher import DiskFetcher
from tests.helpers.fetch_server import PNG


def test_profile_from_a_pasted_url() -> None:
    fetcher = DiskFetcher({"https://t.me/unlimitedhangout": "telegram-channel.html"})
    profile, extracted = asyncio.run(
        profile_from_url("https://t.me/s/UnlimitedHangout/123?single", fetcher)
    )
    assert profile.id == "telegram:unlimitedhangout"
    assert (profile.platform, profile.handle, profile.display_name) == (
        "telegram",
        "unlimitedhangout",
        "Unlimited Hangout",
    )
    assert profile.links == ("https://unlimitedhangout.com/",)
    assert profile.avatar == PNG and profile.avatar_url == extracted.avatar_url
    assert fetcher.asked[0] == "https://t.me/unlimitedhangout"  # rebuilt, not the pasted URL


def test_avatar_failure_leaves_the_profile_without_avatar_noted() -> None:
    fetcher = DiskFetcher(
        {"https://x.com/kikobeats": "x-profile.html"},
        avatar_error=FetchFailed("the site did not answer in time"),
    )
    profile, extracted = asyncio.run(profile_from_url("https://twitter.com/Kikobeats", fetcher))
    assert profile.avatar is None and profile.avatar_url is not None
    assert profile.display_name == "Kiko Beats"
    assert any("avatar not fetched" in note for note in extracted.notes)


def test_short_link_is_resolved_then_rebuilt() -> None:
    fetcher = DiskFetcher(
        {"https://www.tiktok.com/@illojuan": "tiktok-profile.html"},
        redirects={
            "https://vm.tiktok.com/ZMabc123/": "https://www.tiktok.com/@illojuan/video/7571863205253778710?_r=1&u=evil"
        },
    )
    profile, _ = asyncio.run(profile_from_url("https://vm.tiktok.com/ZMabc123", fetcher))
    assert profile.id == "tiktok:illojuan" and profile.display_name == "IlloJuan"
    assert fetcher.asked[:2] == [
        "https://vm.tiktok.com/ZMabc123/",
        "https://www.tiktok.com/@illojuan",
    ]


def test_short_link_leading_elsewhere_is_refused() -> None:
    fetcher = DiskFetcher({}, redirects={"https://vm.tiktok.com/ZMabc123/": "https://x.com/jack"})
    with pytest.raises(FetchRefused, match="leads off the platform"):
        asyncio.run(profile_from_url("https://vm.tiktok.com/ZMabc123/", fetcher))
    fetcher = DiskFetcher(
        {}, redirects={"https://vm.tiktok.com/ZMabc123/": "https://evil.example/"}
    )
    with pytest.raises(FetchFailed, match="does not lead to a profile"):
        asyncio.run(profile_from_url("https://vm.tiktok.com/ZMabc123/", fetcher))


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Login • Instagram</title></head><body></body></html>",
        "<html><head><title>Instagram</title></head><body><div id=root></div></body></html>",
    ],
)
def test_login_wall_tells_the_moderator_to_enter_fields_by_hand(html: str) -> None:
    fetcher = DiskFetcher({"https://www.instagram.com/ttp_media/": html})
    with pytest.raises(FetchFailed, match="by hand"):
        asyncio.run(profile_from_url("https://instagram.com/ttp_media", fetcher))


def test_unknown_telegram_name_is_a_clear_failure() -> None:
    html = (
        '<html><head><meta property="og:title" content="Telegram: Contact @nobody_here">'
        '<meta property="og:image" content="https://telegram.org/img/t_logo.png"></head>'
        "<body></body></html>"
    )
    fetcher = DiskFetcher({"https://t.me/nobody_here": html})
    with pytest.raises(FetchFailed, match="no public account"):
        asyncio.run(profile_from_url("https://t.me/nobody_here", fetcher))
