"""Readers of profile files (JSON Lines, one profile per line, the shape of DESIGN.md). Every
record comes with its line number; a malformed line becomes a ``LineError`` and reading goes on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.domain import Profile
from service.errors import InvalidInput, MirrorscanError, PayloadTooLarge
from service.ingest.encoding import decode_b64

FIELDS = {
    "id",
    "platform",
    "handle",
    "display_name",
    "bio",
    "links",
    "avatar_path",
    "avatar_url",
    "avatar_b64",
    "group",
}
_STRINGS = ("platform", "handle", "display_name", "bio")


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    message: str
    id: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    profile: Profile


def count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def read_jsonl(path: Path, *, max_avatar_bytes: int) -> Iterator[Record | LineError]:
    """Profiles of a JSON Lines file; ``avatar_path`` is relative to the file's folder."""
    base = path.resolve().parent
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
                data = json.loads(text)
            except UnicodeDecodeError as exc:
                yield LineError(number, f"not UTF-8: {exc}")
                continue
            except json.JSONDecodeError as exc:
                yield LineError(number, f"not valid JSON: {exc.msg} (column {exc.colno})")
                continue
            try:
                yield Record(number, profile_from_dict(data, base, max_avatar_bytes))
            except MirrorscanError as exc:
                ident = data.get("id") if isinstance(data, dict) else None
                yield LineError(number, exc.detail, ident if isinstance(ident, str) else None)


def profile_from_dict(data: Any, base: Path, max_avatar_bytes: int) -> Profile:
    if not isinstance(data, dict):
        raise InvalidInput("a line must hold a JSON object")
    unknown = set(data) - FIELDS
    if unknown:
        raise InvalidInput(f"unknown fields {sorted(unknown)}")
    ident = data.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise InvalidInput("'id' must be a non-empty string")
    values: dict[str, str] = {}
    for name in _STRINGS:
        value = data.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InvalidInput(f"'{name}' must be a string")
        values[name] = value
    links = data.get("links") or []
    if not isinstance(links, list) or not all(isinstance(x, str) for x in links):
        raise InvalidInput("'links' must be a list of strings")
    group = data.get("group")
    if group is not None and not isinstance(group, str):
        raise InvalidInput("'group' must be a string or null")
    avatar_url = data.get("avatar_url")
    if avatar_url is not None and not isinstance(avatar_url, str):
        raise InvalidInput("'avatar_url' must be a string or null")
    return Profile(
        id=ident,
        links=tuple(links),
        avatar=_avatar(data, base, max_avatar_bytes),
        avatar_url=avatar_url or None,
        group=group or None,
        **values,
    )


def _avatar(data: dict[str, Any], base: Path, max_bytes: int) -> bytes | None:
    b64 = data.get("avatar_b64")
    if b64:
        if not isinstance(b64, str):
            raise InvalidInput("'avatar_b64' must be a string")
        return decode_b64(b64)
    rel = data.get("avatar_path")
    if not rel:
        return None
    if not isinstance(rel, str):
        raise InvalidInput("'avatar_path' must be a string or null")
    path = (base / rel).resolve()
    if not path.is_file():
        raise InvalidInput(f"avatar_path {rel!r} is not a file (relative to {base})")
    size = path.stat().st_size
    if size > max_bytes:
        raise PayloadTooLarge(f"avatar {rel!r} is {size} bytes; the limit is {max_bytes}")
    return path.read_bytes()
