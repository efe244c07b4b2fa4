"""The safe fetcher against local servers and against every refusal case of the issue. Each
refusal must be a clear domain error (FetchRefused / FetchFailed), and come in under 5 s."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest

from service.config import FetchSettings, Settings
from service.errors import FetchFailed, FetchRefused, MirrorscanError
from service.ingest import fetch as fetch_module
from service.ingest.fetch import FetchedPage, SafeFetcher
from service.ingest.netguard import Target, address_refusal, check_url
from tests.helpers.fetch_server import PNG, Server, serve

LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
HOSTILE_HOSTS = (
    "127.0.0.1",
    "localhost",
    "::1",
    "::ffff:127.0.0.1",
    "169.254.169.254",
    "2130706433",
    "0x7f.1",
    "100.64.0.1",
    "10.0.0.1",
    "::ffff:10.0.0.1",
)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def loopback_settings(**overrides: Any) -> FetchSettings:
    """Test-only: loopback allowed, tight caps and deadlines."""
    values: dict[str, Any] = dict(
        page_hosts={"test": LOOPBACK_HOSTS},
        image_hosts={"test": LOOPBACK_HOSTS},
        allow_loopback=True,
        deadline_s=2.0,
        read_timeout_s=1.0,
        connect_timeout_s=1.0,
        max_page_bytes=200_000,
        max_image_bytes=10_000,
    )
    values.update(overrides)
    return FetchSettings(**values)


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


async def get_page(settings: FetchSettings, url: str) -> FetchedPage:
    async with SafeFetcher(settings) as fetcher:
        return await fetcher.fetch_page(url)


def refused(settings: FetchSettings, url: str, error: type[MirrorscanError], phrase: str) -> str:
    """Fetch ``url``; it must fail with ``error`` naming ``phrase``, in under 5 seconds."""
    start = time.monotonic()
    with pytest.raises(error) as caught:
        run(get_page(settings, url))
    elapsed = time.monotonic() - start
    assert elapsed < 5.0, f"{url} took {elapsed:.1f} s to refuse"
    assert phrase in caught.value.detail, caught.value.detail
    return caught.value.detail


# --- what is allowed -----------------------------------------------------------------------------
def test_fetches_a_page_and_an_image(server: Server) -> None:
    async def both() -> tuple[FetchedPage, bytes]:
        async with SafeFetcher(loopback_settings()) as fetcher:
            return (
                await fetcher.fetch_page(server.url("/page")),
                await fetcher.fetch_image(server.url("/image.png"), "test"),
            )

    page, image = run(both())
    assert page.text == '<meta property="og:title" content="Café">'
    assert image == PNG


def test_follows_a_redirect_and_reports_the_final_url(server: Server) -> None:
    page = run(get_page(loopback_settings(), server.url("/to-page")))
    assert page.url == server.url("/page")


def test_honest_user_agent_identity_encoding_and_no_cookies(server: Server) -> None:
    async def twice() -> None:
        async with SafeFetcher(loopback_settings(cache_ttl_s=0)) as fetcher:
            await fetcher.fetch_page(server.url("/cookie"))
            await fetcher.fetch_page(server.url("/echo"))

    run(twice())
    sent = server.state.headers["/echo"]
    assert sent["User-Agent"].startswith("mirrorscan/")
    assert sent["Accept-Encoding"] == "identity"
    assert "Cookie" not in sent


def test_gzip_sent_anyway_is_decoded_within_the_cap(server: Server) -> None:
    page = run(get_page(loopback_settings(), server.url("/gzip-ok")))
    assert "Zipped" in page.text


def test_short_cache_serves_a_repeat_without_a_request(server: Server) -> None:
    async def twice() -> None:
        async with SafeFetcher(loopback_settings()) as fetcher:
            await fetcher.fetch_page(server.url("/page") + "?cache-test")
            await fetcher.fetch_page(server.url("/page") + "?cache-test")

    before = server.state.hits.get("/page", 0)
    run(twice())
    assert server.state.hits["/page"] == before + 1


def test_per_host_concurrency_limit(server: Server) -> None:
    async def many() -> None:
        async with SafeFetcher(loopback_settings(per_host_concurrency=2)) as fetcher:
            await asyncio.gather(*(fetcher.fetch_page(server.url(f"/slow?{i}")) for i in range(6)))

    server.state.max_active = 0
    run(many())
    assert server.state.max_active == 2


def test_resolve_redirect_returns_the_location_without_following(server: Server) -> None:
    async def resolve() -> str:
        async with SafeFetcher(loopback_settings()) as fetcher:
            return await fetcher.resolve_redirect(server.url("/to-page"))

    before = server.state.hits.get("/page", 0)
    assert run(resolve()) == server.url("/page")
    assert server.state.hits.get("/page", 0) == before  # the target itself was not requested


# --- refusals: addresses -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "phrase"),
    [
        ("https://127.0.0.1/", "not a public internet address"),
        ("https://localhost/", "not a public internet address"),
        ("https://[::1]/", "not a public internet address"),
        ("https://[::ffff:127.0.0.1]/", "not a public internet address"),
        ("https://169.254.169.254/latest/meta-data/", "not a public internet address"),
        ("https://2130706433/", "non-standard form"),
        ("https://0x7f.1/", "non-standard form"),
        ("https://100.64.0.1/", "not a public internet address"),
    ],
)
def test_refuses_private_addresses_even_when_allow_listed(url: str, phrase: str) -> None:
    settings = FetchSettings(page_hosts={"test": HOSTILE_HOSTS})  # production: no loopback
    refused(settings, url, FetchRefused, phrase)


@pytest.mark.parametrize(
    "url",
    [
        "https://localhost/",
        "https://evil.example/",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://x.com.evil.example/",
        "https://t.me.evil.example/",
    ],
)
def test_production_allow_list_refuses_before_any_lookup(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_dns(self: SafeFetcher, host: str, port: int) -> list[Any]:
        raise AssertionError(f"looked up {host}")

    monkeypatch.setattr(SafeFetcher, "_resolve", no_dns)
    refused(Settings().fetch, url, FetchRefused, "allow-list")


def test_loopback_flag_does_not_open_other_private_addresses() -> None:
    hosts = {"test": HOSTILE_HOSTS}
    for url in (
        "http://169.254.169.254/",
        "https://10.0.0.1/",
        "https://[::ffff:10.0.0.1]/",
        "https://100.64.0.1/",
    ):
        refused(loopback_settings(page_hosts=hosts), url, FetchRefused, "not a public")


@pytest.mark.parametrize(
    ("path", "phrase"),
    [
        ("/to-metadata", "169.254.169.254"),
        ("/to-private-https", "10.0.0.1"),
        ("/to-mapped", "not a public internet address"),
        ("/to-elsewhere", "allow-list"),
    ],
)
def test_redirects_are_rechecked(server: Server, path: str, phrase: str) -> None:
    settings = loopback_settings(
        page_hosts={"test": (*LOOPBACK_HOSTS, "169.254.169.254", "10.0.0.1", "::ffff:10.0.0.1")}
    )
    refused(settings, server.url(path), FetchRefused, phrase)


def test_connect_time_check_holds_when_the_earlier_checks_are_bypassed(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: if the name resolved to a public address at check time and to a private
    one at connect time, httpx-secure still refuses the socket's real address."""

    def lenient(raw: Any, *, allow_loopback: bool = False) -> Target:
        return check_url(raw, allow_loopback=True)

    monkeypatch.setattr(fetch_module, "check_url", lenient)
    settings = FetchSettings(page_hosts={"test": LOOPBACK_HOSTS}, allow_loopback=False)
    refused(settings, server.url("/page"), FetchRefused, "refused to connect to 127.0.0.1")


# --- refusals: URL forms -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "phrase"),
    [
        ("http://x.com/jack", "http:// is refused"),
        ("ftp://x.com/jack", "not ftp"),
        ("file:///etc/passwd", "not file"),
        ("https://user:password@x.com/jack", "user:password"),
        ("https://x.com:8443/jack", "port 443"),
        ("https://x.com\\@127.0.0.1/", "backslash"),
        ("gopher://x.com/", "not gopher"),
    ],
)
def test_refuses_url_forms(url: str, phrase: str) -> None:
    refused(Settings().fetch, url, FetchRefused, phrase)


def test_plain_http_to_loopback_needs_the_test_flag(server: Server) -> None:
    settings = FetchSettings(page_hosts={"test": LOOPBACK_HOSTS})
    refused(settings, server.url("/page"), FetchRefused, "not a public internet address")


# --- refusals: bodies and time -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "error", "phrase"),
    [
        ("/big-declared", FetchFailed, "larger than"),
        ("/big-chunked", FetchFailed, "larger than"),
        ("/bomb", FetchFailed, "inflates beyond"),
        ("/drip", FetchFailed, "did not answer within 2 s"),
        ("/hang", FetchFailed, "did not answer in time"),
        ("/loop", FetchFailed, "more than 3 redirects"),
        ("/json", FetchFailed, "expected text/html"),
        ("/forbidden", FetchFailed, "by hand"),
        ("/login-wall", FetchFailed, "login wall"),
        ("/gone", FetchFailed, "does not exist"),
    ],
)
def test_hostile_responses(
    server: Server, path: str, error: type[MirrorscanError], phrase: str
) -> None:
    refused(loopback_settings(), server.url(path), error, phrase)


def test_images_are_checked_by_type_and_size(server: Server) -> None:
    async def image(path: str, **overrides: Any) -> bytes:
        async with SafeFetcher(loopback_settings(**overrides)) as fetcher:
            return await fetcher.fetch_image(server.url(path), "test")

    with pytest.raises(FetchFailed, match="expected image"):
        run(image("/svg"))
    with pytest.raises(FetchFailed, match="expected image"):
        run(image("/page"))
    with pytest.raises(FetchRefused, match="image host allow-list"):
        run(image("/image.png", image_hosts={"test": ("cdn.example",)}))


# --- the address rules themselves ----------------------------------------------------------------
@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.1",
        "239.255.255.250",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "ff0e::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
        "2002:808:808::1",
        "64:ff9b::7f00:1",
        "64:ff9b::808:808",
        "64:ff9b:1::1",
        "::127.0.0.1",
        "2001:db8::1",
        "198.18.0.1",
        "240.0.0.1",
    ],
)
def test_address_refusals(address: str) -> None:
    import ipaddress

    assert address_refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    import ipaddress

    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("path", "phrase"), [("/bomb", "inflates beyond"), ("/drip", "did not answer within")]
)
def test_production_caps_and_deadline_refuse_within_5s(
    server: Server, path: str, phrase: str
) -> None:
    defaults = FetchSettings()
    settings = loopback_settings(
        deadline_s=defaults.deadline_s,
        read_timeout_s=defaults.read_timeout_s,
        max_page_bytes=defaults.max_page_bytes,
    )
    refused(settings, server.url(path), FetchFailed, phrase)
