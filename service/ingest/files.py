"""Readers of profile files: JSON Lines (one profile per line, the shape of DESIGN.md), CSV and
Parquet with the same fields (``service.ingest.tabular``), each line validated by the one record
model (``service.ingest.records``). Every record comes with its line
number (CSV: the line the record starts on; Parquet: the 1-based row number); a malformed line
becomes a ``LineError`` and reading goes on. A file-level problem (unknown columns, not a Parquet
file) raises ``InvalidInput`` before any record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from service.errors import InvalidInput
from service.ingest import tabular
from service.ingest.records import LineError, Record, record_from_dict

__all__ = ["FORMATS", "Format", "LineError", "Record", "count_records", "file_format",
           "read_jsonl", "read_profiles"]  # fmt: skip

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
    path: Path, *, max_avatar_bytes: int, fmt: Format | None = None, local_avatars: bool = True
) -> Iterator[Record | LineError]:
    """Profiles of a JSON Lines, CSV or Parquet file, by format or suffix. ``local_avatars``:
    an ``avatar_path`` is read relative to the file's folder; False for a file that came over
    the network, where such a line is refused."""
    fmt = file_format(path, fmt)
    limit, local = max_avatar_bytes, local_avatars
    if fmt == "csv":
        return tabular.read_csv(path, max_avatar_bytes=limit, local_avatars=local)
    if fmt == "parquet":
        return tabular.read_parquet(path, max_avatar_bytes=limit, local_avatars=local)
    return read_jsonl(path, max_avatar_bytes=limit, local_avatars=local)


def count_records(path: Path, fmt: Format | None = None) -> int:
    """How many records a file holds, for a progress bar's total (one streaming pass, or the
    Parquet footer)."""
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
    local_avatars: bool = True,
) -> Iterator[Record | LineError]:
    """Profiles of a JSON Lines file; ``avatar_path`` is relative to the file's folder.

    ``start``/``end``/``first_line``: read only the lines in that byte range (``start`` at a
    line start), numbered from ``first_line``: one chunk of a file split for parallel workers."""
    base = path.resolve().parent if local_avatars else None
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


def parse_line(
    raw: bytes, number: int, base: Path | None, max_avatar_bytes: int
) -> Record | LineError:
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
