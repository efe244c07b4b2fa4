"""The batch scorer on Ray, for populations one machine cannot re-score in time.

The driver cuts the input into chunks (byte ranges of whole lines for JSON Lines, row groups for
Parquet), each with the number of its first line; Ray Data maps them over a pool of actors, each of
which opens the pipeline read-only once (the current index snapshot, caught up with the store in
memory; nothing is written) and scores its chunks with the same ``score_chunk`` as the
single-process path. Chunks come back in input order and the driver writes them, so the output is
the same bytes as ``score_file`` writes. Workers need the package installed and the data dir (or
the PostgreSQL URL and the snapshot folder) readable at the same path: see docs/operations.md."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from service.config import Settings
from service.domain import Progress
from service.errors import InvalidInput
from service.ingest.files import Format, LineError, Record, file_format, read_jsonl
from service.ingest.tabular import parquet_row_groups, read_parquet
from service.pipeline import Pipeline
from service.usecases.batch import OnError, Report, batched, score_chunk
from service.usecases.resume import Done

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Chunk:
    index: int
    path: str
    fmt: Format
    first_line: int
    records: int  # for progress
    start: int = 0  # JSON Lines: byte range of whole lines
    end: int = 0
    row_group: int = -1  # Parquet


def plan_chunks(path: Path, fmt: Format, chunk_lines: int) -> list[Chunk]:
    """Chunks of about ``chunk_lines`` lines (one streaming pass over a JSON Lines file; the
    Parquet footer gives the row groups)."""
    where = str(path.resolve())
    if fmt == "parquet":
        return [Chunk(i, where, fmt, first, rows, row_group=group)
                for i, (group, first, rows) in enumerate(parquet_row_groups(path))]  # fmt: skip
    if fmt != "jsonl":
        raise InvalidInput("--engine ray reads JSON Lines or Parquet files; convert the CSV first")
    chunks: list[Chunk] = []
    start = position = lines = records = 0
    with path.open("rb") as fh:
        for raw in fh:
            position += len(raw)
            lines += 1
            records += bool(raw.strip())
            if lines % chunk_lines == 0:
                first = lines - chunk_lines + 1
                chunks.append(Chunk(len(chunks), where, fmt, first, records, start, position))
                start, records = position, 0
    if position > start:
        first = lines - lines % chunk_lines + 1
        chunks.append(Chunk(len(chunks), where, fmt, first, records, start, position))
    return chunks


def read_chunk(chunk: Chunk, max_avatar_bytes: int) -> Iterator[Record | LineError]:
    path = Path(chunk.path)
    if chunk.fmt == "parquet":
        return read_parquet(path, max_avatar_bytes=max_avatar_bytes, row_groups=[chunk.row_group],
                            first_row=chunk.first_line)  # fmt: skip
    return read_jsonl(path, max_avatar_bytes=max_avatar_bytes, start=chunk.start, end=chunk.end,
                      first_line=chunk.first_line)  # fmt: skip


class ChunkScorer:
    """A Ray actor: one read-only pipeline, loaded once, scoring whole chunks."""

    def __init__(self, settings: Settings, done: Done | None, batch_size: int) -> None:
        self.pipeline = Pipeline.open(settings, readonly=True)
        self.done = done
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts, reports = [], []
        for fields in batch["chunk"]:
            chunk = Chunk(**json.loads(str(fields)))
            report = Report()
            lines: list[str] = []
            items = read_chunk(chunk, self.pipeline.settings.limits.max_image_bytes)
            for part in batched(items, self.batch_size):
                lines.extend(score_chunk(self.pipeline, part, report, self.done))
            texts.append("".join(line + "\n" for line in lines))
            reports.append(json.dumps(_report_fields(report)))
        return {
            "index": batch["index"],
            "records": batch["records"],
            "text": np.array(texts, dtype=object),
            "report": np.array(reports, dtype=object),
        }


def score_file_ray(
    settings: Settings,
    path: Path,
    out: TextIO,
    *,
    fmt: Format | None = None,
    done: Done | None = None,
    address: str | None = None,
    workers: int = 2,
    batch_size: int = 64,
    chunk_lines: int = 1024,
    advance: Progress | None = None,
    on_error: OnError | None = None,
) -> Report:
    """``score_file`` on Ray: a local Ray with ``workers`` CPUs, or the cluster at ``address``
    (``auto`` or ``ray://host:10001``), with ``workers`` actors."""
    import ray
    import ray.data

    if not path.is_file():
        raise InvalidInput(f"{path} is not a file")
    # whole batches per chunk: the encoders then see the same batches as in one process
    chunk_lines = -(-chunk_lines // batch_size) * batch_size
    chunks = plan_chunks(path, file_format(path, fmt), chunk_lines)
    report = Report()
    if not chunks:
        return report
    # shipped to every worker: absolute paths, and no API keys
    settings = settings.model_copy(update={"data_dir": settings.data_dir.resolve(), "api_keys": {}})
    Pipeline.open(settings, readonly=True).close()  # fail here, not in every worker
    started = init_ray(address, workers)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        rows = [{"index": c.index, "records": c.records, "chunk": json.dumps(asdict(c))}
                for c in chunks]  # fmt: skip
        ds = ray.data.from_items(rows, override_num_blocks=max(1, len(rows))).map_batches(
            ChunkScorer,
            fn_constructor_kwargs={"settings": settings, "done": done, "batch_size": batch_size},
            batch_size=1,
            concurrency=min(workers, len(chunks)),  # more actors than chunks would idle
            num_cpus=1,
        )
        for row in ds.iter_rows():
            out.write(str(row["text"]))
            out.flush()
            _merge(report, json.loads(str(row["report"])), on_error)
            if advance:
                advance(int(row["records"]))
    finally:
        if started:
            ray.shutdown()
    return report


def _report_fields(report: Report) -> dict[str, Any]:
    return {
        "lines": report.lines,
        "outcomes": dict(report.outcomes),
        "errors": [[e.line, e.message, e.id] for e in report.errors],
        "error_count": report.error_count,
    }


def _merge(report: Report, fields: dict[str, Any], on_error: OnError | None) -> None:
    part = Report(lines=int(fields["lines"]), error_count=int(fields["error_count"]))
    part.outcomes.update(fields["outcomes"])
    part.errors = [LineError(int(n), str(m), i) for n, m, i in fields["errors"]]
    report.merge(part)
    if on_error:
        for error in part.errors:
            on_error(error)


def init_ray(address: str | None, workers: int) -> bool:
    """Start a local Ray (or connect to ``address``) unless one is already initialised; True
    when this call started it (and so must shut it down)."""
    import ray

    if ray.is_initialized():
        return False
    logging.getLogger("ray").setLevel(logging.WARNING)
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    if address:
        ray.init(address=address, log_to_driver=False)
        return True
    package_root = str(Path(__file__).resolve().parents[1])
    pythonpath = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    ray.init(
        address="local",
        num_cpus=workers,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": pythonpath}},
    )
    return True
