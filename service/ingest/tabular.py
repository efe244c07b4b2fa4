"""CSV and Parquet profile files, with the JSON Lines fields as columns.

``links`` is a list column in Parquet; in CSV a cell holds either a JSON array (``["t.me/a"]``) or
``|``-separated links (``t.me/a|t.me/b``). An empty cell is an empty field. Line numbers: in CSV
the file line a record starts on (the header is line 1); in Parquet the 1-based row number."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from service.errors import InvalidInput
from service.ingest.records import FIELDS, LineError, Record, record_from_dict

_CSV_FIELD_LIMIT = 16_000_000  # an inline base64 avatar fits; the avatar byte cap still applies


def read_csv(
    path: Path, *, max_avatar_bytes: int, local_avatars: bool = True
) -> Iterator[Record | LineError]:
    """Profiles of a CSV file with a header row naming the fields; ``local_avatars=False``
    refuses an ``avatar_path`` (an uploaded file)."""
    base = path.resolve().parent if local_avatars else None
    undecodable: set[int] = set()
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    reader = csv.reader(_decoded_lines(path, undecodable), strict=True)
    header = _header(path, reader)
    ended = reader.line_num
    while True:
        start = ended + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num <= ended:  # the reader cannot move past it
                yield LineError(start, f"not valid CSV: {exc}")
                return
            ended = reader.line_num
            yield LineError(start, f"not valid CSV: {exc}")
            continue
        ended = reader.line_num
        if start in undecodable:
            yield LineError(start, "not UTF-8")
        elif not row or row == [""]:
            continue
        elif len(row) != len(header):
            yield LineError(start, f"expected {len(header)} fields, found {len(row)}")
        else:
            yield _record(dict(zip(header, row, strict=True)), start, base, max_avatar_bytes)


def _decoded_lines(path: Path, undecodable: set[int]) -> Iterator[str]:
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                undecodable.add(number)
                yield "\n"


def _header(path: Path, reader: Any) -> list[str]:
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InvalidInput(f"{path.name} is empty: a CSV file starts with a header row") from None
    except csv.Error as exc:
        raise InvalidInput(f"{path.name}: the header row is not valid CSV: {exc}") from exc
    _check_columns(path, header)
    return header


def _check_columns(path: Path, columns: Sequence[str]) -> None:
    unknown = sorted(set(columns) - FIELDS)
    if unknown:
        raise InvalidInput(f"{path.name}: unknown columns {unknown}; known: {sorted(FIELDS)}")
    if "id" not in columns:
        raise InvalidInput(f"{path.name}: no 'id' column")
    if len(set(columns)) != len(columns):
        raise InvalidInput(f"{path.name}: a column name is repeated")


def _record(
    data: dict[str, Any], number: int, base: Path | None, max_avatar_bytes: int
) -> Record | LineError:
    try:
        data["links"] = links_cell(data.get("links"))
    except InvalidInput as exc:
        ident = data.get("id")
        return LineError(number, exc.detail, ident if isinstance(ident, str) else None)
    return record_from_dict(data, number, base, max_avatar_bytes)


def links_cell(value: Any) -> Any:
    """A links cell as a list: a JSON array, ``|``-separated text, or already a list."""
    if value is None or isinstance(value, list):
        return value or []
    if not isinstance(value, str):
        raise InvalidInput("'links' must be a list, a JSON array or |-separated text")
    text = value.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            links = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"'links' is not a valid JSON array: {exc.msg}") from exc
        return links
    return [part.strip() for part in text.split("|") if part.strip()]


# --- Parquet ------------------------------------------------------------------------------


def parquet_rows(path: Path) -> int:
    return int(_parquet_file(path).metadata.num_rows)


def parquet_row_groups(path: Path) -> list[tuple[int, int, int]]:
    """(row group, first row number, rows) of each row group: the chunks parallel workers
    read."""
    meta = _parquet_file(path).metadata
    out, first = [], 1
    for group in range(meta.num_row_groups):
        rows = int(meta.row_group(group).num_rows)
        out.append((group, first, rows))
        first += rows
    return out


def read_parquet(
    path: Path,
    *,
    max_avatar_bytes: int,
    row_groups: Sequence[int] | None = None,
    first_row: int = 1,
    local_avatars: bool = True,
) -> Iterator[Record | LineError]:
    """Profiles of a Parquet file (of the given row groups, numbered from ``first_row``)."""
    import pyarrow as pa

    base = path.resolve().parent if local_avatars else None
    pf = _parquet_file(path)
    _check_columns(path, pf.schema_arrow.names)
    number = first_row
    batches = pf.iter_batches(batch_size=1024, row_groups=row_groups)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (pa.ArrowException, OSError) as exc:
            raise InvalidInput(f"{path.name}: unreadable after row {number - 1}: {exc}") from exc
        for data in batch.to_pylist():
            yield _record(data, number, base, max_avatar_bytes)
            number += 1


def _parquet_file(path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidInput(f"{path.name} is not a readable Parquet file: {exc}") from exc
