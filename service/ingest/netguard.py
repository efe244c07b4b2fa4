"""The fetcher's address policy: which URLs, hosts and IP addresses it may touch at all.

Kept apart from the HTTP code so that every rule can be tested without a network, and so that the
same rules run before DNS (URL form, host allow-list), after DNS (every resolved address) and at
connect time (the exact address the socket is opened to, through ``httpx-secure``)."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from service.errors import FetchRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d form
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True, slots=True)
class Target:
    """A URL that passed the form checks: what the fetcher connects to."""

    url: httpx.URL
    host: str  # lower-case; an IP literal without brackets
    port: int
    literal: IPAddress | None  # the host when it is an IP literal


def address_refusal(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why the fetcher must not connect to ``address``, or None when it may.

    ``is_global`` alone is not enough on Python 3.11: it calls multicast, 6to4 (2002::/16),
    NAT64 (64:ff9b::/96) and IPv4-compatible addresses global, and each of those can reach a
    private IPv4 host. IPv4-mapped IPv6 addresses are unwrapped and judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_refusal(address.ipv4_mapped, allow_loopback=allow_loopback)
    if allow_loopback and address.is_loopback:
        return None
    if address.is_multicast:
        return f"{address} is a multicast address"
    if not address.is_global:
        return f"{address} is not a public internet address"
    if isinstance(address, ipaddress.IPv6Address):
        if address.sixtofour is not None:
            return f"{address} is a 6to4 address (it tunnels to {address.sixtofour})"
        if any(address in net for net in _NAT64):
            return f"{address} is a NAT64 address (it can reach private IPv4 hosts)"
        if address in _IPV4_COMPATIBLE:
            return f"{address} is an IPv4-compatible IPv6 address"
    return None


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Exact match, or subdomain match for entries written with a leading dot."""
    for entry in allowed:
        entry = entry.lower()
        if entry.startswith("."):
            if host.endswith(entry) and len(host) > len(entry):
                return True
        elif host == entry:
            return True
    return False


def check_url(raw: str | httpx.URL, *, allow_loopback: bool = False) -> Target:
    """Refuse any URL that is not plain ``https://host[:443]/…``: other schemes, credentials,
    other ports, odd host spellings (``2130706433``, ``0x7f.1``, ``127.1``), and literal
    addresses that are not public. Under the test-only ``allow_loopback``, a loopback host may
    also be reached over ``http`` on any port."""
    text = str(raw)
    if len(text) > 4096:
        raise FetchRefused("the URL is longer than 4096 characters")
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\\" for ch in text):
        raise FetchRefused("the URL contains spaces, control characters or backslashes")
    try:
        url = raw if isinstance(raw, httpx.URL) else httpx.URL(text)
    except (httpx.InvalidURL, ValueError) as err:
        raise FetchRefused(f"the URL cannot be parsed: {err}") from None
    scheme = url.scheme.lower()
    if scheme not in ("https", "http"):
        raise FetchRefused(f"only https:// URLs are fetched, not {scheme or 'scheme-less'} URLs")
    if url.userinfo:
        raise FetchRefused("URLs with a user:password@ part are refused")
    host = url.host.lower().rstrip(".")
    if not host:
        raise FetchRefused("the URL names no host")
    literal = _literal(host)
    if literal is not None:
        why = address_refusal(literal, allow_loopback=allow_loopback)
        if why:
            raise FetchRefused(f"refused to fetch {host}: {why}")
    elif not _valid_hostname(host):
        raise FetchRefused(f"{host[:100]!r} is not a valid host name")
    loopback = allow_loopback and (
        host == "localhost" or (literal is not None and literal.is_loopback)
    )
    port = url.port or (443 if scheme == "https" else 80)
    if not loopback:
        if scheme != "https":
            raise FetchRefused("only https:// URLs are fetched; http:// is refused")
        if port != 443:
            raise FetchRefused(f"only the https port 443 is allowed, not {port}")
    return Target(url=url, host=host, port=port, literal=literal)


def _literal(host: str) -> IPAddress | None:
    """The host as an IP address when it is one. Shorthand IPv4 forms that resolvers accept
    (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``) are refused outright."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        return None
    raise FetchRefused(f"{host!r} is a numeric IPv4 address in a non-standard form")


def _valid_hostname(host: str) -> bool:
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or len(labels) < 2 and ascii_host != "localhost":
        return False
    if labels[-1].isdigit():  # a numeric last label is parsed as IPv4 by browsers
        return False
    return all(_LABEL.match(label) for label in labels)
