"""Readers of profile files: JSON Lines (one profile per line, the shape of DESIGN.md), CSV and
Parquet with the same fields (``service.ingest.tabular``). Every record comes with its line
number (CSV: the line the record starts on; Parquet: the 1-based row number); a malformed line
becomes a ``LineError`` and reading goes on. A file-level problem (unknown columns, not a Parquet
file) raises ``InvalidInput`` before any record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

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
Format = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "parquet")
_SUFFIXES: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


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


def file_format(path: Path, given: str | None = None) -> Format:
    """The format named, or the one the file's suffix says."""
    if given:
        if given not in FORMATS:
            raise InvalidInput(f"unknown format {given!r}; one of {', '.join(FORMATS)}")
        return given
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInput(
            f"cannot tell the format of {path.name} from its suffix; "
            f"name it .jsonl, .csv or .parquet, or pass --format"
        )
    return fmt


def read_profiles(
    path: Path, *, max_avatar_bytes: int, fmt: Format | None = None
) -> Iterator[Record | LineError]:
    """Profiles of a JSON Lines, CSV or Parquet file, by format or suffix."""
    from service.ingest import tabular

    fmt = file_format(path, fmt)
    if fmt == "csv":
        return tabular.read_csv(path, max_avatar_bytes=max_avatar_bytes)
    if fmt == "parquet":
        return tabular.read_parquet(path, max_avatar_bytes=max_avatar_bytes)
    return read_jsonl(path, max_avatar_bytes=max_avatar_bytes)


def count_records(path: Path, fmt: Format | None = None) -> int:
    """How many records a file holds, for a progress bar's total (one streaming pass, or the
    Parquet footer)."""
    from service.ingest import tabular

    fmt = file_format(path, fmt)
    if fmt == "parquet":
        return tabular.parquet_rows(path)
    lines = count_lines(path)
    return max(lines - 1, 0) if fmt == "csv" else lines


def count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def read_jsonl(
    path: Path,
    *,
    max_avatar_bytes: int,
    start: int = 0,
    end: int | None = None,
    first_line: int = 1,
) -> Iterator[Record | LineError]:
    """Profiles of a JSON Lines file; ``avatar_path`` is relative to the file's folder.

    ``start``/``end``/``first_line``: read only the lines in that byte range (``start`` at a
    line start), numbered from ``first_line``: one chunk of a file split for parallel workers."""
    base = path.resolve().parent
    with path.open("rb") as fh:
        fh.seek(start)
        position, number = start, first_line - 1
        while end is None or position < end:
            raw = fh.readline()
            if not raw:
                break
            position += len(raw)
            number += 1
            if raw.strip():
                yield parse_line(raw, number, base, max_avatar_bytes)


def parse_line(raw: bytes, number: int, base: Path, max_avatar_bytes: int) -> Record | LineError:
    """One JSON Lines line as a profile, or the reason it is not one."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return LineError(number, f"not UTF-8: {exc}")
    except json.JSONDecodeError as exc:
        return LineError(number, f"not valid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return LineError(number, "not valid JSON: nested too deeply")
    return record_from_dict(data, number, base, max_avatar_bytes)


def record_from_dict(
    data: Any, number: int, base: Path, max_avatar_bytes: int
) -> Record | LineError:
    try:
        return Record(number, profile_from_dict(data, base, max_avatar_bytes))
    except MirrorscanError as exc:
        ident = data.get("id") if isinstance(data, dict) else None
        return LineError(number, exc.detail, ident if isinstance(ident, str) else None)


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
