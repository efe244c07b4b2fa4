"""Inline image payloads (base64, optionally a ``data:`` URL) as sent over the API or in files."""

from __future__ import annotations

import base64
import binascii

from service.errors import InvalidInput


def decode_b64(data: str | None) -> bytes | None:
    if not data:
        return None
    payload = data
    if data.startswith("data:"):
        _, comma, payload = data.partition(",")
        if not comma:
            raise InvalidInput("avatar_b64 is a data: URL without a comma before its payload")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"avatar_b64 is not valid base64: {exc}") from exc
