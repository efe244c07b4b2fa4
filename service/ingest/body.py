"""Reading a response body without trusting its size: the declared length, the bytes on the wire
and the decompressed bytes are each capped, so neither a huge page nor a gzip bomb (a few KB on
the wire, gigabytes once inflated) can exhaust memory."""

from __future__ import annotations

import zlib

import httpx

from service.errors import FetchFailed

_GZIP_OR_ZLIB = zlib.MAX_WBITS | 32  # auto-detects a gzip or zlib header


def declared_too_large(response: httpx.Response, cap: int) -> bool:
    """True when Content-Length announces more than ``cap`` bytes (or is malformed)."""
    value = response.headers.get("content-length")
    if value is None:
        return False
    try:
        return int(value) > cap or int(value) < 0
    except ValueError:
        return True


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The decoded body, at most ``cap`` bytes; ``FetchFailed`` as soon as it would exceed it.

    Decompression is done here with ``max_length`` rather than by httpx, whose decoders inflate a
    whole chunk at once (a 64 KB chunk of a bomb becomes 64 MB before any count can stop it)."""
    if declared_too_large(response, cap):
        raise FetchFailed(f"the response is larger than the {cap:,}-byte limit")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        inflater = None
    elif encoding in ("gzip", "x-gzip", "deflate"):
        inflater = zlib.decompressobj(_GZIP_OR_ZLIB)
    else:
        raise FetchFailed(f"the response uses an unsupported content encoding {encoding!r}")
    out = bytearray()
    on_wire = 0
    async for chunk in response.aiter_raw():
        on_wire += len(chunk)
        if on_wire > cap:
            raise FetchFailed(f"the response is larger than the {cap:,}-byte limit")
        if inflater is None:
            out += chunk
        else:
            try:
                out += inflater.decompress(chunk, cap - len(out) + 1)
            except zlib.error as err:
                raise FetchFailed(f"the response is not valid {encoding}: {err}") from None
            if inflater.unconsumed_tail:
                raise FetchFailed(f"the response inflates beyond the {cap:,}-byte limit")
        if len(out) > cap:
            raise FetchFailed(f"the response is larger than the {cap:,}-byte limit")
    if inflater is not None:
        out += inflater.flush(cap - len(out) + 1)
        if len(out) > cap:
            raise FetchFailed(f"the response inflates beyond the {cap:,}-byte limit")
    return bytes(out)
