"""Canonical profile URLs: a table of real-world spellings, and the links that must be refused."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.errors import FetchRefused, InvalidInput, MirrorscanError
from service.ingest import platforms
from service.ingest.netguard import check_url, host_allowed
from service.ingest.urls import SUPPORTED, canonicalize

# (pasted URL, platform, handle, account id, page URL built from the canonical form)
ACCEPTED = [
    # X / Twitter
    ("https://x.com/Kikobeats", "x", "kikobeats", None, "https://x.com/kikobeats"),
    ("https://twitter.com/jack", "x", "jack", None, "https://x.com/jack"),
    ("https://www.twitter.com/jack/", "x", "jack", None, "https://x.com/jack"),
    (
        "https://mobile.twitter.com/TTP_Media?s=20",
        "x",
        "ttp_media",
        None,
        "https://x.com/ttp_media",
    ),
    ("https://x.com/TTP_Media?s=21&t=AbCdEf", "x", "ttp_media", None, "https://x.com/ttp_media"),
    ("https://x.com/jack/status/20", "x", "jack", None, "https://x.com/jack"),
    ("x.com/jack", "x", "jack", None, "https://x.com/jack"),
    ("http://twitter.com/jack#top", "x", "jack", None, "https://x.com/jack"),
    ("https://X.COM./Jack", "x", "jack", None, "https://x.com/jack"),
    ("https://x.com/jack/with_replies", "x", "jack", None, "https://x.com/jack"),
    ("https://x.com:443/jack", "x", "jack", None, "https://x.com/jack"),
    # Instagram
    (
        "https://www.instagram.com/pluto__travel/",
        "instagram",
        "pluto__travel",
        None,
        "https://www.instagram.com/pluto__travel/",
    ),
    (
        "https://instagram.com/pluto__travel",
        "instagram",
        "pluto__travel",
        None,
        "https://www.instagram.com/pluto__travel/",
    ),
    (
        "https://www.instagram.com/Pluto__Travel/?hl=en",
        "instagram",
        "pluto__travel",
        None,
        "https://www.instagram.com/pluto__travel/",
    ),
    (
        "https://instagram.com/_u/pluto__travel/",
        "instagram",
        "pluto__travel",
        None,
        "https://www.instagram.com/pluto__travel/",
    ),
    (
        "https://www.instagram.com/stories/jaimelorentelo/2591639087680304855/",
        "instagram",
        "jaimelorentelo",
        None,
        "https://www.instagram.com/jaimelorentelo/",
    ),
    (
        "https://m.instagram.com/user.name_1/",
        "instagram",
        "user.name_1",
        None,
        "https://www.instagram.com/user.name_1/",
    ),
    # Facebook
    (
        "https://m.facebook.com/Nintendo",
        "facebook",
        "nintendo",
        None,
        "https://m.facebook.com/nintendo",
    ),
    (
        "https://www.facebook.com/Nintendo/posts/123",
        "facebook",
        "nintendo",
        None,
        "https://m.facebook.com/nintendo",
    ),
    (
        "https://en-gb.facebook.com/Nintendo/",
        "facebook",
        "nintendo",
        None,
        "https://m.facebook.com/nintendo",
    ),
    (
        "https://www.facebook.com/profile.php?id=100064123456789",
        "facebook",
        None,
        "100064123456789",
        "https://m.facebook.com/profile.php?id=100064123456789",
    ),
    (
        "https://www.facebook.com/profile.php?sk=about&id=1000641",
        "facebook",
        None,
        "1000641",
        "https://m.facebook.com/profile.php?id=1000641",
    ),
    (
        "https://www.facebook.com/people/Some-Name/100089012345678/",
        "facebook",
        None,
        "100089012345678",
        "https://m.facebook.com/profile.php?id=100089012345678",
    ),
    (
        "https://www.facebook.com/pages/Nintendo/119240841493711",
        "facebook",
        None,
        "119240841493711",
        "https://m.facebook.com/profile.php?id=119240841493711",
    ),
    (
        "https://www.facebook.com/p/Some-Page-100064000000000/",
        "facebook",
        None,
        "100064000000000",
        "https://m.facebook.com/profile.php?id=100064000000000",
    ),
    ("https://fb.com/zuck", "facebook", "zuck", None, "https://m.facebook.com/zuck"),
    (
        "https://www.facebook.com/4",
        "facebook",
        None,
        "4",
        "https://m.facebook.com/profile.php?id=4",
    ),
    # Telegram
    (
        "https://t.me/unlimitedhangout",
        "telegram",
        "unlimitedhangout",
        None,
        "https://t.me/unlimitedhangout",
    ),
    ("https://telegram.me/DiaboxApp", "telegram", "diaboxapp", None, "https://t.me/diaboxapp"),
    ("https://telegram.dog/DiaboxApp", "telegram", "diaboxapp", None, "https://t.me/diaboxapp"),
    ("https://t.me/s/teslahunt", "telegram", "teslahunt", None, "https://t.me/teslahunt"),
    ("https://t.me/teslahunt/2351", "telegram", "teslahunt", None, "https://t.me/teslahunt"),
    (
        "https://t.me/s/teslahunt/2351?single",
        "telegram",
        "teslahunt",
        None,
        "https://t.me/teslahunt",
    ),
    (
        "t.me/ttp_media_official?start=abc",
        "telegram",
        "ttp_media_official",
        None,
        "https://t.me/ttp_media_official",
    ),
    ("https://durov.t.me/", "telegram", "durov", None, "https://t.me/durov"),
    ("https://www.t.me/durov", "telegram", "durov", None, "https://t.me/durov"),
    # WhatsApp channels (ids keep their case)
    (
        "https://www.whatsapp.com/channel/0029VaA2b3cDeFgHiJkLmN0p",
        "whatsapp",
        None,
        "0029VaA2b3cDeFgHiJkLmN0p",
        "https://www.whatsapp.com/channel/0029VaA2b3cDeFgHiJkLmN0p",
    ),
    (
        "whatsapp.com/channel/0029VaA2b3cDeFgHiJkLmN0p/",
        "whatsapp",
        None,
        "0029VaA2b3cDeFgHiJkLmN0p",
        "https://www.whatsapp.com/channel/0029VaA2b3cDeFgHiJkLmN0p",
    ),
    # TikTok
    (
        "https://www.tiktok.com/@illojuan",
        "tiktok",
        "illojuan",
        None,
        "https://www.tiktok.com/@illojuan",
    ),
    (
        "https://www.tiktok.com/@IlloJuan/video/7571863205253778710?lang=es",
        "tiktok",
        "illojuan",
        None,
        "https://www.tiktok.com/@illojuan",
    ),
    (
        "https://m.tiktok.com/@user.name_2",
        "tiktok",
        "user.name_2",
        None,
        "https://www.tiktok.com/@user.name_2",
    ),
    # YouTube
    (
        "https://www.youtube.com/@OneMedia.",
        "youtube",
        "onemedia.",
        None,
        "https://www.youtube.com/@onemedia.",
    ),
    (
        "https://youtube.com/@OneMedia./videos",
        "youtube",
        "onemedia.",
        None,
        "https://www.youtube.com/@onemedia.",
    ),
    (
        "https://m.youtube.com/@ttp-media",
        "youtube",
        "ttp-media",
        None,
        "https://www.youtube.com/@ttp-media",
    ),
    (
        "https://www.youtube.com/channel/UCzcRQ3vRNr6fJ1A9rqFn7QA",
        "youtube",
        None,
        "UCzcRQ3vRNr6fJ1A9rqFn7QA",
        "https://www.youtube.com/channel/UCzcRQ3vRNr6fJ1A9rqFn7QA",
    ),
    (
        "https://www.youtube.com/channel/UCzcRQ3vRNr6fJ1A9rqFn7QA/about",
        "youtube",
        None,
        "UCzcRQ3vRNr6fJ1A9rqFn7QA",
        "https://www.youtube.com/channel/UCzcRQ3vRNr6fJ1A9rqFn7QA",
    ),
    (
        "https://www.youtube.com/c/OneMediaTrailers",
        "youtube",
        "onemediatrailers",
        None,
        "https://www.youtube.com/c/onemediatrailers",
    ),
    (
        "https://www.youtube.com/user/OneMedia",
        "youtube",
        "onemedia",
        None,
        "https://www.youtube.com/user/onemedia",
    ),
    (
        "https://www.youtube.com/@%D8%AA%D8%AD%D8%B1%DB%8C%DA%A9",
        "youtube",
        "تحریک",
        None,
        "https://www.youtube.com/@%D8%AA%D8%AD%D8%B1%DB%8C%DA%A9",
    ),
    # Bluesky
    (
        "https://bsky.app/profile/stephenking.bsky.social",
        "bluesky",
        "stephenking.bsky.social",
        None,
        "https://bsky.app/profile/stephenking.bsky.social",
    ),
    (
        "https://bsky.app/profile/Forbes.com/post/3mdd7aj7pgs2x",
        "bluesky",
        "forbes.com",
        None,
        "https://bsky.app/profile/forbes.com",
    ),
    (
        "https://bsky.app/profile/did:plc:h7obn4tkp47wn7gqh4oe5eij",
        "bluesky",
        None,
        "did:plc:h7obn4tkp47wn7gqh4oe5eij",
        "https://bsky.app/profile/did:plc:h7obn4tkp47wn7gqh4oe5eij",
    ),
]

SHORT_LINKS = [
    ("https://vm.tiktok.com/ZMabc123/", "https://vm.tiktok.com/ZMabc123/"),
    ("https://vt.tiktok.com/ZSxyz789", "https://vt.tiktok.com/ZSxyz789/"),
    ("https://www.tiktok.com/t/ZT8abcDEF/", "https://www.tiktok.com/t/ZT8abcDEF/"),
]

# (pasted URL, error class, a phrase the moderator must read)
REFUSED = [
    ("https://x.com/home", InvalidInput, "not to a profile"),
    ("https://x.com/i/flow/login", InvalidInput, "/i page"),
    ("https://x.com/search?q=ttp", InvalidInput, "/search"),
    ("https://twitter.com/intent/follow?screen_name=jack", InvalidInput, "/intent"),
    ("https://x.com/explore", InvalidInput, "not to a profile"),
    ("https://x.com/", InvalidInput, "home page"),
    ("https://x.com/this_handle_is_far_too_long", InvalidInput, "not to a profile"),
    ("https://www.instagram.com/p/COn3M4TnRi1/", InvalidInput, "post, reel or story"),
    ("https://www.instagram.com/reel/CN2VQ1yI_MA/", InvalidInput, "post, reel or story"),
    ("https://www.instagram.com/explore/tags/x/", InvalidInput, "not to a profile"),
    ("https://www.instagram.com/stories/highlights/1789/", InvalidInput, "not to a profile"),
    ("https://www.facebook.com/groups/123456", InvalidInput, "/groups"),
    ("https://www.facebook.com/watch/?v=1", InvalidInput, "/watch"),
    ("https://www.facebook.com/profile.php", InvalidInput, "numeric profile id"),
    ("https://www.facebook.com/people/Some-Name/", InvalidInput, "numeric profile id"),
    ("https://t.me/+AbCdEfGhIjK", InvalidInput, "invite"),
    ("https://t.me/joinchat/AAAAAE", InvalidInput, "invite"),
    ("https://t.me/addstickers/pack", InvalidInput, "/addstickers"),
    ("https://t.me/c/1234567/89", InvalidInput, "not to a profile"),
    ("https://t.me/abc", InvalidInput, "not to a profile"),
    ("https://chat.whatsapp.com/AbCdEf123", InvalidInput, "group-invite"),
    ("https://wa.me/923001234567", InvalidInput, "group-invite"),
    ("https://www.whatsapp.com/download", InvalidInput, "other than a channel"),
    ("https://www.tiktok.com/discover/ttp", InvalidInput, "not to a profile"),
    ("https://youtu.be/A0FZIwabctw", InvalidInput, "video link"),
    ("https://www.youtube.com/watch?v=A0FZIwabctw", InvalidInput, "/watch"),
    ("https://www.youtube.com/channel/not-a-channel-id", InvalidInput, "not to a profile"),
    ("https://bsky.app/search?q=x", InvalidInput, "not to a profile"),
    ("https://example.com/profile", FetchRefused, "not a supported site"),
    ("https://x.com.evil.example/jack", FetchRefused, "not a supported site"),
    ("https://evilx.com/jack", FetchRefused, "not a supported site"),
    ("https://127.0.0.1/", FetchRefused, "not a supported site"),
    ("https://169.254.169.254/latest/meta-data/", FetchRefused, "not a supported site"),
    ("https://user:password@x.com/jack", FetchRefused, "user:password"),
    ("https://x.com@127.0.0.1/jack", FetchRefused, "user:password"),
    ("https://x.com:8443/jack", FetchRefused, "port"),
    ("ftp://x.com/jack", FetchRefused, "ftp://"),
    ("file:///etc/passwd", FetchRefused, "file://"),
    ("javascript:alert(1)", FetchRefused, "javascript:"),
    ("tg://resolve?domain=durov", FetchRefused, "tg://"),
    ("https://x.com\\@evil.example/", InvalidInput, "backslash"),
    ("https://x.com/ja ck", InvalidInput, "spaces"),
    ("", InvalidInput, "empty"),
    ("https://x.com/" + "a" * 3000, InvalidInput, "longer than"),
]


@pytest.mark.parametrize(("url", "platform", "handle", "account_id", "page_url"), ACCEPTED)
def test_canonical_form(
    url: str, platform: str, handle: str | None, account_id: str | None, page_url: str
) -> None:
    canonical = canonicalize(url)
    assert (canonical.platform, canonical.handle, canonical.account_id) == (
        platform,
        handle,
        account_id,
    )
    assert canonical.page_url == page_url
    assert canonical.key == f"{platform}:{handle or account_id}"
    assert not canonical.short_link


@pytest.mark.parametrize(("url", "page_url"), SHORT_LINKS)
def test_short_links_wait_for_resolution(url: str, page_url: str) -> None:
    canonical = canonicalize(url)
    assert canonical.short_link and canonical.platform == "tiktok"
    assert canonical.handle is None and canonical.page_url == page_url


@pytest.mark.parametrize(("url", "error", "phrase"), REFUSED)
def test_refused(url: str, error: type[MirrorscanError], phrase: str) -> None:
    with pytest.raises(error) as caught:
        canonicalize(url)
    assert phrase in caught.value.detail
    assert 400 <= caught.value.status < 500


def test_unsupported_site_names_every_platform() -> None:
    with pytest.raises(FetchRefused) as caught:
        canonicalize("https://vk.com/ttp")
    for platform in (
        "X",
        "Instagram",
        "Facebook",
        "Telegram",
        "WhatsApp",
        "TikTok",
        "YouTube",
        "Bluesky",
    ):
        assert platform in caught.value.detail
    assert SUPPORTED in caught.value.detail


def test_fetch_url_never_carries_what_was_pasted() -> None:
    canonical = canonicalize("https://x.com/jack/status/1?s=20&redirect=https://evil.example#x")
    assert canonical.page_url == "https://x.com/jack"


def test_table_is_large_enough() -> None:
    assert len(ACCEPTED) + len(SHORT_LINKS) + len(REFUSED) >= 60


# --- properties ----------------------------------------------------------------------------------
PLATFORMS = {p.key for p in platforms.PLATFORMS}
HOSTS = [
    "x.com",
    "mobile.twitter.com",
    "www.instagram.com",
    "m.facebook.com",
    "fb.com",
    "t.me",
    "durov.t.me",
    "telegram.dog",
    "www.whatsapp.com",
    "www.tiktok.com",
    "vm.tiktok.com",
    "www.youtube.com",
    "youtu.be",
    "bsky.app",
    "example.com",
    "127.0.0.1",
    "[::1]",
]
SEGMENTS = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=16),
    st.sampled_from(
        [
            "@",
            "@ttp_media",
            "ttp_media",
            "s",
            "channel",
            "profile",
            "p",
            "+abc",
            "profile.php",
            "people",
            "UCzcRQ3vRNr6fJ1A9rqFn7QA",
            "c",
            "user",
            "t",
            "did:plc:h7obn4tkp47wn7gqh4oe5eij",
            "0029VaA2b3cDeFgHiJkLmN0p",
            "..",
            "%00",
        ]
    ),
)


def _check(text: str) -> None:
    """Either a canonical form whose fetch URL the fetcher's default policy admits and which
    canonicalises to itself, or a 4xx domain error: never anything else."""
    try:
        canonical = canonicalize(text)
    except MirrorscanError as err:
        assert 400 <= err.status < 500 and err.detail
        return
    assert canonical.platform in PLATFORMS
    target = check_url(canonical.page_url)
    assert host_allowed(target.host, platforms.page_hosts()[canonical.platform])
    assert canonicalize(canonical.page_url) == canonical


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_is_canonical_or_a_clear_refusal(text: str) -> None:
    _check(text)


@settings(max_examples=500, deadline=None)
@given(
    scheme=st.sampled_from(["https://", "http://", "", "//", "HTTPS://"]),
    host=st.sampled_from(HOSTS),
    path=st.lists(SEGMENTS, max_size=4),
    query=st.sampled_from(["", "?s=20", "?id=123", "?id=abc&id=1", "#frag", "?t=1#x"]),
)
def test_urls_on_known_hosts(scheme: str, host: str, path: list[str], query: str) -> None:
    _check(scheme + host + "/" + "/".join(quote(p, safe="@+:") for p in path) + query)
