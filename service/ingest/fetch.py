"""The one place the service fetches attacker-chosen URLs (profile pages and avatars).

Every hop is checked before any byte is sent: the URL form (https, port 443, no credentials, no
odd host spellings), the host against the platform's allow-list, and every address the host
resolves to. At connect time ``httpx-secure`` checks the exact address the socket is opened to,
so a DNS answer that changes after the check (rebinding) is refused too. Redirects are followed by
hand, each re-checked. Bodies are capped on the wire and after decompression; one deadline bounds
the whole fetch. No cookies are kept; the User-Agent says who is asking."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Literal

import httpx
from httpx_secure import SSRFProtectionError, httpx_ssrf_protection

from service.config import FetchSettings
from service.errors import FetchFailed, FetchRefused
from service.ingest import platforms
from service.ingest.body import declared_too_large, read_capped
from service.ingest.netguard import IPAddress, Target, address_refusal, check_url, host_allowed

Kind = Literal["page", "image", "redirect", "export"]

BY_HAND = "enter the profile's fields (name, handle, bio, avatar) by hand"
_PAGE_TYPES = ("text/html", "application/xhtml+xml")
_IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
# a partner's bank export: STIX, JSON Lines, a PDQ list, CSV or Parquet
_EXPORT_TYPES = ("application/json", "application/stix+json", "application/x-ndjson",
                 "application/jsonl", "text/csv", "text/plain", "application/octet-stream",
                 "application/vnd.apache.parquet")  # fmt: skip
_LOGIN_PATH = re.compile(
    r"/(?:accounts/)?log_?in\b|/i/flow/login|/checkpoint\b|/signup\b|/authwall\b|consent\."
)


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str  # the final URL, after redirects
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    @property
    def text(self) -> str:
        charset = re.search(r"charset=[\"']?([\w-]+)", self.content_type)
        try:
            return self.body.decode(charset.group(1) if charset else "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


class SafeFetcher:
    """Async and shareable across requests; create it inside the running event loop's lifetime
    (an app lifespan or ``async with``) and close it with ``aclose``."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self._client: httpx.AsyncClient | None = None
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._cache: OrderedDict[tuple[str, str, str], tuple[float, FetchedPage]] = OrderedDict()
        self._cached_bytes = 0

    async def __aenter__(self) -> SafeFetcher:
        return self

    async def __aexit__(
        self, exc: type[BaseException] | None, val: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch_page(self, url: str, platform: str | None = None) -> FetchedPage:
        """An HTML page from the platform's page hosts (any supported platform when None)."""
        return await self._cached("page", url, platform)

    async def fetch_image(self, url: str, platform: str | None = None) -> bytes:
        """Avatar bytes (JPEG/PNG/WEBP/GIF by Content-Type) from the platform's image CDNs."""
        return (await self._cached("image", url, platform)).body

    async def fetch_export(
        self, url: str, hosts: tuple[str, ...], *, max_bytes: int, deadline_s: float
    ) -> FetchedPage:
        """A partner's bank export from one of ``hosts`` (never cached), with its headers."""
        if not hosts:
            raise FetchRefused(
                "no partner host is allowed: list them in MIRRORSCAN_EXCHANGE__PARTNER_HOSTS"
            )
        return await self._fetch("export", url, None, (hosts, max_bytes, deadline_s))

    async def resolve_redirect(self, url: str, platform: str | None = None) -> str:
        """Where a short link points (its ``Location``), without following it."""
        return (await self._fetch("redirect", url, platform)).url

    # --- internals -------------------------------------------------------------------------------
    async def _cached(self, kind: Kind, url: str, platform: str | None) -> FetchedPage:
        key = (kind, platform or "", url)
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            self._cache.move_to_end(key)
            return hit[1]
        result = await self._fetch(kind, url, platform)
        self._remember(key, result)
        return result

    def _remember(self, key: tuple[str, str, str], page: FetchedPage) -> None:
        size = len(page.body)
        if self.settings.cache_ttl_s <= 0 or size > self.settings.cache_max_bytes // 4:
            return
        old = self._cache.pop(key, None)
        if old is not None:
            self._cached_bytes -= len(old[1].body)
        self._cache[key] = (time.monotonic() + self.settings.cache_ttl_s, page)
        self._cached_bytes += size
        while self._cached_bytes > self.settings.cache_max_bytes:
            _, (_, evicted) = self._cache.popitem(last=False)
            self._cached_bytes -= len(evicted.body)

    async def _fetch(
        self, kind: Kind, url: str, platform: str | None, export: _Export | None = None
    ) -> FetchedPage:
        deadline = export[2] if export else self.settings.deadline_s
        try:
            async with asyncio.timeout(deadline):
                return await self._follow(kind, url, platform, export)
        except TimeoutError:
            raise FetchFailed(f"the site did not answer within {deadline:g} s") from None
        except SSRFProtectionError as err:
            raise FetchRefused(
                f"refused to connect to {err.hostname}: {err.ip_addr} is not a "
                "public internet address"
            ) from None
        except httpx.TimeoutException:
            raise FetchFailed("the site did not answer in time") from None
        except httpx.HTTPError as err:
            raise FetchFailed(f"could not read the page: {type(err).__name__}") from None

    async def _follow(
        self, kind: Kind, url: str, platform: str | None, export: _Export | None = None
    ) -> FetchedPage:
        current = url
        for _ in range(self.settings.max_redirects + 1):
            admitted = self._admit(kind, current, platform, export[0] if export else None)
            target = self._test_target(admitted)
            await self._check_dns(target)
            async with self._slot(target.host):
                client = self._get_client()
                request = client.build_request("GET", target.url, headers=_accept(kind))
                response = await client.send(request, stream=True)
                try:
                    if response.is_redirect:
                        location = str(admitted.url.join(response.headers.get("location", "")))
                        if _LOGIN_PATH.search(location):
                            raise FetchFailed(f"the site answered with a login wall; {BY_HAND}")
                        if kind == "redirect":
                            return FetchedPage(location, "", b"")
                        current = location
                        continue
                    if kind == "redirect":
                        raise FetchFailed("the short link did not redirect to a profile")
                    return await self._read(kind, response, admitted, export)
                finally:
                    await response.aclose()
        raise FetchFailed(f"more than {self.settings.max_redirects} redirects")

    def _admit(
        self, kind: Kind, url: str, platform: str | None, hosts: tuple[str, ...] | None = None
    ) -> Target:
        target = check_url(url, allow_loopback=self.settings.allow_loopback)
        if hosts is not None:
            if not host_allowed(target.host, hosts):
                raise FetchRefused(f"{target.host[:100]!r} is not on the partner host allow-list")
            return target
        table = self._hosts(kind)
        if platform:
            allowed = table.get(platform, ())
        else:
            allowed = tuple(host for hosts in table.values() for host in hosts)
        if not host_allowed(target.host, allowed):
            where = f"{platform} " if platform else ""
            what = "image" if kind == "image" else "page"
            raise FetchRefused(f"{target.host[:100]!r} is not on the {where}{what} host allow-list")
        return target

    def _hosts(self, kind: Kind) -> dict[str, tuple[str, ...]]:
        """The allow-list per platform: the settings' table, else each platform's own hosts."""
        if kind == "image":
            given, own = self.settings.image_hosts, platforms.image_hosts
        else:
            given, own = self.settings.page_hosts, platforms.page_hosts
        return own() if given is None else given

    def _test_target(self, admitted: Target) -> Target:
        """TEST ONLY: with ``allow_loopback`` and ``test_origin`` both set, connect to the test
        origin instead of the admitted host (same path and query). Otherwise the target as
        admitted; ``test_origin`` alone changes nothing."""
        origin = self.settings.test_origin
        if not (origin and self.settings.allow_loopback):
            return admitted
        base = check_url(origin, allow_loopback=True)
        url = admitted.url.copy_with(scheme=base.url.scheme, host=base.host, port=base.url.port)
        return Target(url=url, host=base.host, port=base.port, literal=base.literal)

    async def _check_dns(self, target: Target) -> None:
        if target.literal is not None:
            return
        addresses = await self._resolve(target.host, target.port)
        if not addresses:
            raise FetchFailed(f"{target.host} does not resolve")
        for address in addresses:
            why = address_refusal(address, allow_loopback=self.settings.allow_loopback)
            if why:
                raise FetchRefused(
                    f"refused to fetch {target.host} (it resolves to {address}): {why}"
                )

    async def _resolve(self, host: str, port: int) -> list[IPAddress]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise FetchFailed(f"{host} does not resolve") from None
        out: list[IPAddress] = []
        for info in infos:
            out.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        return out

    async def _read(
        self, kind: Kind, response: httpx.Response, target: Target, export: _Export | None = None
    ) -> FetchedPage:
        status = response.status_code
        if status in (401, 403, 429, 451, 999):
            raise FetchFailed(f"the site refused to serve the page (HTTP {status}); {BY_HAND}")
        if status in (404, 410):
            raise FetchFailed(f"the site says this profile does not exist (HTTP {status})")
        if not 200 <= status < 300:
            raise FetchFailed(f"the site answered HTTP {status}")
        content_type = response.headers.get("content-type", "").lower()
        expected = {"image": _IMAGE_TYPES, "export": _EXPORT_TYPES}.get(kind, _PAGE_TYPES)
        if content_type.split(";", 1)[0].strip() not in expected:
            raise FetchFailed(f"expected {' or '.join(expected)}, got {content_type[:60]!r}")
        cap = self.settings.max_image_bytes if kind == "image" else self.settings.max_page_bytes
        if export is not None:
            cap = export[1]
        if declared_too_large(response, cap):
            raise FetchFailed(f"the response is larger than the {cap:,}-byte limit")
        body = await read_capped(response, cap)
        headers = {k.lower(): v for k, v in response.headers.items()} if export else {}
        return FetchedPage(str(target.url), content_type, body, headers)

    def _slot(self, host: str) -> asyncio.Semaphore:
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return slot

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None:
            s = self.settings
            client = httpx.AsyncClient(
                trust_env=False,
                follow_redirects=False,
                cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
                timeout=httpx.Timeout(s.read_timeout_s, connect=s.connect_timeout_s),
                limits=httpx.Limits(max_connections=4 * s.per_host_concurrency),
                headers={"User-Agent": s.user_agent, "Accept-Encoding": "identity"},
            )
            self._client = httpx_ssrf_protection(
                client,
                check_globally_reachable=not s.allow_loopback,
                custom_validator=self._connect_allowed,
                dns_cache_ttl=60,
            )
        return self._client

    def _connect_allowed(self, hostname: str, address: IPAddress, port: int) -> bool:
        """The connect-time check on the exact address the socket will use."""
        if address_refusal(address, allow_loopback=self.settings.allow_loopback) is not None:
            return False
        return port == 443 or (self.settings.allow_loopback and address.is_loopback)


_Export = tuple[tuple[str, ...], int, float]  # partner hosts, byte cap, deadline


def _accept(kind: Kind) -> dict[str, str]:
    if kind == "image":
        return {"Accept": ", ".join(_IMAGE_TYPES)}
    if kind == "export":
        return {"Accept": ", ".join(_EXPORT_TYPES)}
    return {"Accept": "text/html,application/xhtml+xml;q=0.9", "Accept-Language": "en"}
