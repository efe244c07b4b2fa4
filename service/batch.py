"""Batch work over files: import a bank, score a population. Streams in fixed-size batches so
memory stays bounded whatever the file's length; reports progress through a callback."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TextIO, TypeVar

from service.domain import Verdict
from service.errors import InvalidInput, MirrorscanError
from service.ingest.files import LineError, Record, read_jsonl
from service.pipeline import Pipeline

T = TypeVar("T")
Advance = Callable[[int], None]
OnError = Callable[[LineError], None]


@dataclass
class Report:
    lines: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[LineError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "outcomes": dict(self.outcomes),
            "errors": len(self.errors),
            "first_errors": [str(e) for e in self.errors[:20]],
        }


class StrictStop(MirrorscanError):
    status = 422
    title = "Stopped at a malformed line"
    type_slug = "strict-stop"


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def read_records(pipeline: Pipeline, path: Path) -> Iterator[Record | LineError]:
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file")
    return read_jsonl(path, max_avatar_bytes=pipeline.settings.limits.max_image_bytes)


def import_file(
    pipeline: Pipeline,
    path: Path,
    *,
    strict: bool = False,
    batch_size: int = 256,
    advance: Advance | None = None,
    on_error: OnError | None = None,
) -> Report:
    """Upsert every profile of the file; a malformed line is reported with its number and
    skipped, or stops the import with ``strict`` (lines before it stay imported)."""
    report = Report()
    for chunk in batched(read_records(pipeline, path), batch_size):
        records: list[Record] = []
        for item in chunk:
            report.lines += 1
            if isinstance(item, LineError):
                _fail(report, item, strict, on_error)
            else:
                records.append(item)
        results = pipeline.upsert([r.profile for r in records]) if records else []
        for record, result in zip(records, results, strict=True):
            if isinstance(result, MirrorscanError):
                _fail(report, LineError(record.line, result.detail, record.profile.id), strict,
                      on_error)  # fmt: skip
            else:
                report.outcomes[result.outcome] += 1
        if advance:
            advance(len(chunk))
    return report


def _fail(report: Report, error: LineError, strict: bool, on_error: OnError | None) -> None:
    report.errors.append(error)
    report.outcomes["error"] += 1
    if on_error:
        on_error(error)
    if strict:
        raise StrictStop(str(error))


def verdict_line(verdict: Verdict) -> dict[str, Any]:
    """The documented output shape of one scored profile."""
    return {
        "id": verdict.id,
        "score": round(verdict.score, 6),
        "band": verdict.band.value,
        "matches": [
            {
                "account_id": m.account_id,
                "group": m.group,
                "score": round(m.score, 6),
                "evidence": [
                    {"signal": e.signal, "contribution": e.contribution, "detail": e.detail}
                    for e in m.evidence
                ],
            }
            for m in verdict.matches
        ],
    }


def score_file(
    pipeline: Pipeline,
    path: Path,
    out: TextIO,
    *,
    batch_size: int = 64,
    advance: Advance | None = None,
    on_error: OnError | None = None,
) -> Report:
    """One output line per input line, in order; a line that cannot be scored gets an
    ``error`` entry in place of a score, naming its line number."""
    report = Report()
    for chunk in batched(read_records(pipeline, path), batch_size):
        records = [r for r in chunk if isinstance(r, Record)]
        verdicts = iter(pipeline.score_many([r.profile for r in records]) if records else [])
        for item in chunk:
            report.lines += 1
            line = _score_line(item, verdicts, report, on_error)
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        if advance:
            advance(len(chunk))
    return report


def _score_line(
    item: Record | LineError,
    verdicts: Iterator[Verdict | MirrorscanError],
    report: Report,
    on_error: OnError | None,
) -> dict[str, Any]:
    if isinstance(item, LineError):
        error = item
    else:
        result = next(verdicts)
        if isinstance(result, Verdict):
            report.outcomes[result.band.value] += 1
            return verdict_line(result)
        error = LineError(item.line, result.detail, item.profile.id)
    report.errors.append(error)
    report.outcomes["error"] += 1
    if on_error:
        on_error(error)
    return {"id": error.id, "error": str(error)}
