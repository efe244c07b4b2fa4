"""Writers of profile files in the three formats the readers take (``bank export``).

Writes go to a temporary file beside the target, renamed into place at the end, so a killed
export never leaves a truncated file under the target's name."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from service.ingest.files import Format

COLUMNS = (
    "id",
    "platform",
    "handle",
    "display_name",
    "bio",
    "links",
    "avatar_url",
    "avatar_b64",
    "group",
    "avatar_features",
)
WriteRows = Callable[[list[dict[str, Any]]], None]


@contextmanager
def profile_writer(path: Path, fmt: Format) -> Iterator[WriteRows]:
    """Yields ``write(rows)``; each row holds ``COLUMNS`` (``links`` a list of strings)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        if fmt == "parquet":
            with _parquet(tmp) as write:
                yield write
        else:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                yield _csv(fh) if fmt == "csv" else _jsonl(fh)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _jsonl(fh: Any) -> WriteRows:
    def write(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    return write


def _csv(fh: Any) -> WriteRows:
    writer = csv.writer(fh)
    writer.writerow(COLUMNS)

    def write(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            cells = {**row, "links": json.dumps(row["links"], ensure_ascii=False)}
            writer.writerow(["" if cells[c] is None else cells[c] for c in COLUMNS])

    return write


@contextmanager
def _parquet(path: Path) -> Iterator[WriteRows]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [(c, pa.list_(pa.string()) if c == "links" else pa.string()) for c in COLUMNS]
    )
    with pq.ParquetWriter(path, schema) as writer:

        def write(rows: list[dict[str, Any]]) -> None:
            if rows:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))

        yield write
