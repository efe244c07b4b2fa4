"""Webhooks: subscriptions, signed events, and the sender that delivers them from the outbox.

Events: ``block`` and ``review`` (a profile scored into that band over the API or the pages),
``decision`` (a moderator's decision), ``bank.changed`` (accounts or banks changed). Each is
written to the store's outbox (``service.store.outbox``) with a delivery per subscribed webhook,
then POSTed by ``Sender`` as JSON ``{"id", "type", "created_at", "data"}`` with

- ``X-Mirrorscan-Event-Id``: the event id (the same on every retry: a receiver drops duplicates
  by it), ``X-Mirrorscan-Event``: its type, ``X-Mirrorscan-Delivery``/``-Attempt``;
- ``X-Mirrorscan-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``
  (Stripe's scheme: the timestamp is signed with the body, so a captured request cannot be
  replayed later than the receiver's tolerance; ``verify`` is the receiver's side).

A 2xx answer delivers; anything else (an error status, a timeout, a refused connection, a
redirect) is retried with exponential backoff until ``max_attempts``, then the delivery is dead.
Every attempt is in the delivery log. Targets pass the fetcher's address rules, at subscription
and again at every connection (``httpx-secure`` checks the address the socket opens to)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from httpx_secure import httpx_ssrf_protection

from service.config import WebhookSettings
from service.errors import FetchRefused, InvalidInput, NotFound
from service.ingest.netguard import IPAddress, address_refusal
from service.store.bank import Store
from service.store.outbox import Due, Webhook

log = logging.getLogger(__name__)

EVENTS: tuple[str, ...] = ("block", "review", "decision", "bank.changed")
SIGNATURE = "X-Mirrorscan-Signature"
MIN_SECRET = 16


# --- subscriptions ------------------------------------------------------------------------


def subscribe(
    store: Store,
    settings: WebhookSettings,
    actor: str,
    url: str,
    secret: str,
    events: Sequence[str],
) -> Webhook:
    """A new subscription (the target checked now; again at each delivery)."""
    unknown = sorted(set(events) - set(EVENTS))
    if not events or unknown:
        raise InvalidInput(f"events must be some of {', '.join(EVENTS)}; unknown: {unknown}")
    if len(secret) < MIN_SECRET:
        raise InvalidInput(f"the secret must be at least {MIN_SECRET} characters")
    check_target(url, settings.allow_private_targets, resolve=True)
    hook = store.outbox.subscribe(url, secret, list(events), actor)
    store.audit_log.append(actor, "webhook.create", hook.id, {"url": url, "events": list(events)})
    return hook.public()


def unsubscribe(store: Store, actor: str, webhook_id: str) -> None:
    if not store.outbox.unsubscribe(webhook_id):
        raise NotFound(f"no webhook with id {webhook_id!r}")
    store.audit_log.append(actor, "webhook.delete", webhook_id, {})


def emit(store: Store, type_: str, data: dict[str, Any]) -> str | None:
    """Put an event in the outbox (nothing when no webhook subscribes to it)."""
    return store.outbox.enqueue(type_, data)


# --- targets ------------------------------------------------------------------------------


def check_target(url: str, allow_private: bool, *, resolve: bool = False) -> httpx.URL:
    """The fetcher's rules for a webhook URL: https, port 443, no credentials, a host name or
    a public address (and, with ``resolve``, every address it resolves to public). With
    ``allow_private``, a private or loopback target may use http on any port."""
    if len(url) > 2000 or any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise FetchRefused("the webhook URL is longer than 2000 characters or holds spaces")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as err:
        raise FetchRefused(f"the webhook URL cannot be parsed: {err}") from None
    if parsed.scheme not in ("https", "http") or not parsed.host:
        raise FetchRefused("a webhook URL is https://host/path")
    if parsed.userinfo:
        raise FetchRefused("URLs with a user:password@ part are refused")
    addresses = _addresses(parsed.host, resolve)
    private = [a for a in addresses if address_refusal(a) is not None]
    if private and not allow_private:
        raise FetchRefused(
            f"refused: {parsed.host} is {private[0]}, not a public internet address (set "
            "MIRRORSCAN_WEBHOOKS__ALLOW_PRIVATE_TARGETS=true for receivers on your own network)"
        )
    if any(a.is_multicast or a.is_unspecified for a in addresses):
        raise FetchRefused(f"refused: {parsed.host} is a multicast or unspecified address")
    if not private and (parsed.scheme != "https" or (parsed.port or 443) != 443):
        raise FetchRefused("a public webhook target must be https on port 443")
    return parsed


def _addresses(host: str, resolve: bool) -> list[IPAddress]:
    host = host.strip("[]")
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    if host == "localhost":
        return [ipaddress.ip_address("127.0.0.1")]
    if not resolve:
        return []
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        raise InvalidInput(f"{host} does not resolve") from None
    return [ipaddress.ip_address(str(i[4][0]).split("%", 1)[0]) for i in infos]


def connect_allowed(allow_private: bool, address: IPAddress, port: int) -> bool:
    """The connect-time rule on the exact address a delivery's socket opens to."""
    if address.is_multicast or address.is_unspecified:
        return False
    if address_refusal(address) is None:
        return port == 443
    return allow_private


# --- signing ------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: float, tolerance_s: float = 300) -> bool:
    """A receiver's check of ``X-Mirrorscan-Signature``: the MAC matches and the signed
    timestamp is within ``tolerance_s`` of ``now``."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def envelope(due: Due) -> bytes:
    return json.dumps(
        {"id": due.event_id, "type": due.type, "created_at": due.created_at.isoformat(),
         "data": due.payload},
        ensure_ascii=False, separators=(",", ":"), default=str,
    ).encode()  # fmt: skip


# --- the sender ---------------------------------------------------------------------------


class Sender:
    """Delivers due events from the outbox, on the event loop (store calls in threads)."""

    def __init__(self, store: Store, settings: WebhookSettings) -> None:
        self.store = store
        self.settings = settings
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._client: httpx.AsyncClient | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="webhook-sender")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sent = await self.tick()
            except Exception:  # the store or the network failed: logged, tried again
                log.exception("webhook delivery round failed")
                sent = 0
            if not sent:
                try:
                    await asyncio.wait_for(self._stop.wait(), self.settings.poll_s)
                except TimeoutError:
                    pass

    async def tick(self) -> int:
        """One round: claim the due deliveries and send them; how many were attempted."""
        s = self.settings
        lease = s.timeout_s * 2 + 5
        now = datetime.now(UTC)
        due = await asyncio.to_thread(self.store.outbox.claim, now, s.batch, lease)
        if due:
            await asyncio.gather(*(self._deliver(d) for d in due))
        return len(due)

    async def _deliver(self, due: Due) -> None:
        body = envelope(due)
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "mirrorscan-webhooks/1",
            "X-Mirrorscan-Event": due.type,
            "X-Mirrorscan-Event-Id": due.event_id,
            "X-Mirrorscan-Delivery": str(due.delivery_id),
            "X-Mirrorscan-Attempt": str(due.attempts + 1),
            SIGNATURE: sign(due.secret, stamp, body),
        }
        started = time.perf_counter()
        status: int | None = None
        error = ""
        try:
            check_target(due.url, self.settings.allow_private_targets)
            response = await self._http().post(due.url, content=body, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except FetchRefused as exc:
            error = exc.detail
        except httpx.TimeoutException:
            error = f"no answer within {self.settings.timeout_s:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
        except Exception as exc:  # httpx-secure refusals and the like: logged on the delivery
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
        ok = not error
        retry_at = None if ok else self._retry_at(due.attempts + 1)
        await asyncio.to_thread(
            self.store.outbox.record,
            due.delivery_id,
            ok=ok,
            status_code=status,
            error=error,
            duration_ms=(time.perf_counter() - started) * 1000,
            retry_at=retry_at,
        )

    def _retry_at(self, attempts: int) -> datetime | None:
        s = self.settings
        if attempts >= s.max_attempts:
            return None
        delay = min(s.backoff_max_s, s.backoff_s * 2 ** (attempts - 1))
        return datetime.now(UTC) + timedelta(seconds=delay)

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            allow = self.settings.allow_private_targets
            client = httpx.AsyncClient(
                trust_env=False,
                follow_redirects=False,
                timeout=httpx.Timeout(self.settings.timeout_s),
            )
            self._client = httpx_ssrf_protection(
                client,
                check_globally_reachable=not allow,
                custom_validator=lambda _h, address, port: connect_allowed(allow, address, port),
                dns_cache_ttl=60,
            )
        return self._client
