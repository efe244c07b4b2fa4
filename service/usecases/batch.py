"""Batch work over files: import a bank, export it, score a population. Streams in fixed-size
batches so memory stays bounded whatever the file's length; reports progress through a callback.

Import is resumable because each batch is one store transaction and an unchanged account is
skipped by its content hash: run again after a crash (SIGKILL included), it skips what was stored
and the indexes catch up from the store on open. Scoring is resumable with ``Done``: the ids (and,
for lines without one, the line numbers) already in the output are skipped."""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TextIO, TypeVar

from service.domain import Progress, StoredAccount, Verdict
from service.errors import InvalidInput, MirrorscanError
from service.ingest.avatar_features import format_avatar_features
from service.ingest.files import Format, LineError, Record, file_format, read_profiles
from service.ingest.writers import profile_writer
from service.pipeline import Pipeline
from service.store.bank import Store
from service.usecases.bank_import import apply, ensure_banks, image_part
from service.usecases.explain import family_lines
from service.usecases.resume import Done
from service.usecases.review_queue import enqueue

T = TypeVar("T")

OnError = Callable[[LineError], None]
KEPT_ERRORS = 100


@dataclass
class Report:
    lines: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[LineError] = field(default_factory=list)  # the first KEPT_ERRORS
    error_count: int = 0

    def add_error(self, error: LineError) -> None:
        self.error_count += 1
        self.outcomes["error"] += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(error)

    def merge(self, other: Report) -> None:
        self.lines += other.lines
        self.outcomes.update(other.outcomes)
        self.error_count += other.error_count
        self.errors.extend(other.errors[: max(0, KEPT_ERRORS - len(self.errors))])

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "outcomes": dict(self.outcomes),
            "errors": self.error_count,
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


def read_records(
    pipeline: Pipeline, path: Path, fmt: Format | None = None
) -> Iterator[Record | LineError]:
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file")
    max_bytes = pipeline.settings.limits.max_image_bytes
    return read_profiles(path, max_avatar_bytes=max_bytes, fmt=fmt)


def import_file(
    pipeline: Pipeline,
    path: Path,
    *,
    fmt: Format | None = None,
    strict: bool = False,
    batch_size: int = 256,
    advance: Progress | None = None,
    on_error: OnError | None = None,
    snapshot_every_s: float | None = None,
    bank: str | None = None,
) -> Report:
    """Upsert every profile of the file; a malformed line is reported with its number and
    skipped, or stops the import with ``strict`` (lines before it stay imported). A line that
    parses but that the pipeline refuses (an unreadable avatar) stops a strict import after
    the batch it is in, since a batch is written as one transaction.

    ``snapshot_every_s``: also write an index snapshot when that long has passed since the last,
    so a run that is killed leaves a recent snapshot and the next one catches up on little.

    ``bank``: every account goes to that bank (it must exist); else each to the bank its line
    names (created when missing, ``banned`` unless the line says ``bank_kind``), or keeps its
    bank, new ones to the default. Lines with the exchange fields keep their avatar signals
    (``service.usecases.bank_import``)."""
    if bank is not None:
        pipeline.store.banks.require(bank)
    report = Report()
    last_snapshot = time.monotonic()
    for chunk in batched(read_records(pipeline, path, fmt), batch_size):
        records: list[Record] = []
        stop: LineError | None = None
        for item in chunk:
            report.lines += 1
            if isinstance(item, LineError) and strict:
                stop = item  # the lines before it are imported, none after
                break
            if isinstance(item, LineError):
                _fail(report, item, strict, on_error)
            else:
                records.append(item)
        if records:
            ensure_banks(pipeline, records, bank)
        results = apply(pipeline, records, bank).outcomes if records else []
        for record, result in zip(records, results, strict=True):
            if isinstance(result, MirrorscanError):
                _fail(report, LineError(record.line, result.detail, record.profile.id), strict,
                      on_error)  # fmt: skip
            else:
                report.outcomes[result if isinstance(result, str) else result.outcome] += 1
        if stop is not None:
            _fail(report, stop, strict, on_error)
        if advance:
            advance(len(chunk))
        if snapshot_every_s is not None and time.monotonic() - last_snapshot >= snapshot_every_s:
            pipeline.write_snapshot()
            last_snapshot = time.monotonic()
    return report


def _fail(report: Report, error: LineError, strict: bool, on_error: OnError | None) -> None:
    report.add_error(error)
    if on_error:
        on_error(error)
    if strict:
        raise StrictStop(str(error))


def export_file(
    store: Store,
    path: Path,
    *,
    fmt: Format | None = None,
    avatars: bool = True,
    advance: Progress | None = None,
    bank: str | None = None,
    image_model: str = "",
) -> int:
    """Write every active account (of ``bank``, or all) to a file the importer reads back. The
    bank keeps no original avatar, so ``avatars`` writes the stored thumbnail as
    ``avatar_b64``, and every avatar's stored signals (derived from the original) as
    ``avatar_features``, which the importer keeps instead of re-deriving them from the
    thumbnail, so an import scores as this bank. JSON Lines also carry each account's bank and
    its kind, and ``removed`` for a withdrawn account (an incremental export); ``image_model``
    names the embedding of an account stored without its encoders' names."""
    count = 0
    kinds: dict[str, str] = {b.name: b.kind for b in store.banks.list()}
    with profile_writer(path, file_format(path, fmt)) as write:
        for batch in store.iter_accounts(batch=2000, bank=bank):
            write([export_row(a, avatars, image_model, kinds) for a in batch])
            count += len(batch)
            if advance:
                advance(len(batch))
    return count


def export_row(
    account: StoredAccount,
    avatars: bool,
    image_model: str = "",
    kinds: dict[str, str] | None = None,
) -> dict[str, Any]:
    p, avatar = account.profile, account.features.avatar
    thumb = avatar.thumbnail if avatars and avatar is not None and avatar.thumbnail else None
    extra: dict[str, Any] = {"bank": account.bank}
    if kinds is not None:
        extra["bank_kind"] = kinds.get(account.bank, "banned")
    if account.removed:
        extra["removed"] = True
    return {
        "id": p.id,
        "platform": p.platform,
        "handle": p.handle,
        "display_name": p.display_name,
        "bio": p.bio,
        "links": list(p.links),
        "avatar_url": p.avatar_url,
        "avatar_b64": base64.b64encode(thumb).decode() if thumb else None,
        "group": p.group,
        "avatar_features": None
        if avatar is None or not avatar.pdq or account.removed
        else format_avatar_features(avatar, image_part(account.encoder_version) or image_model),
        **extra,
    }


def verdict_line(verdict: Verdict) -> dict[str, Any]:
    """The documented output shape of one scored profile."""
    return {
        "id": verdict.id,
        "score": round(verdict.score, 6),
        "band": verdict.band.value,
        "band_reason": verdict.band_reason,
        "log_likelihood_ratio": None
        if verdict.log_likelihood_ratio is None
        else round(verdict.log_likelihood_ratio, 4),
        "prevalence": verdict.prevalence,
        "compared": list(verdict.compared),
        "matches": [
            {
                "account_id": m.account_id,
                "group": m.group,
                "score": round(m.score, 6),
                "log_likelihood_ratio": round(m.log_likelihood_ratio, 4),
                "band": m.band.value,
                "bank": m.bank,
                "evidence": family_lines(m.evidence),
            }
            for m in verdict.matches
        ],
    }


def error_line(error: LineError) -> dict[str, Any]:
    """The output line of an input line that could not be scored."""
    return {"id": error.id, "line": error.line, "error": str(error)}


def score_file(
    pipeline: Pipeline,
    path: Path,
    out: TextIO,
    *,
    fmt: Format | None = None,
    done: Done | None = None,
    batch_size: int = 64,
    advance: Progress | None = None,
    on_error: OnError | None = None,
) -> Report:
    """One output line per input line, in order; a line that cannot be scored gets an
    ``error`` entry in place of a score, naming its line number. With ``done``, lines already
    in the output are skipped (counted as ``skipped``). Output is flushed per batch."""
    report = Report()
    for chunk in batched(read_records(pipeline, path, fmt), batch_size):
        for line in score_chunk(pipeline, chunk, report, done, on_error, queue_source="batch"):
            out.write(line + "\n")
        out.flush()
        if advance:
            advance(len(chunk))
    return report


def score_chunk(
    pipeline: Pipeline,
    chunk: list[Record | LineError],
    report: Report,
    done: Done | None = None,
    on_error: OnError | None = None,
    queue_source: str | None = None,
) -> list[str]:
    """The output lines (JSON) of one batch of input, in order. Shared by the single-process
    and the distributed scorer, so both write the same bytes. With ``queue_source``, profiles
    put in ``review`` go to the review queue when it is on (a distributed worker's store is
    read-only, so it passes none)."""
    todo = [item for item in chunk if done is None or not done.has(item)]
    report.lines += len(chunk)
    if len(todo) < len(chunk):
        report.outcomes["skipped"] += len(chunk) - len(todo)
    records = [r for r in todo if isinstance(r, Record)]
    verdicts = iter(pipeline.score_many([r.profile for r in records]) if records else [])
    lines = []
    reviewed = []
    for item in todo:
        if isinstance(item, LineError):
            error = item
        else:
            result = next(verdicts)
            if isinstance(result, Verdict):
                report.outcomes[result.band.value] += 1
                reviewed.append((item.profile, result))
                lines.append(json.dumps(verdict_line(result), ensure_ascii=False))
                continue
            error = LineError(item.line, result.detail, item.profile.id)
        report.add_error(error)
        if on_error:
            on_error(error)
        lines.append(json.dumps(error_line(error), ensure_ascii=False))
    if queue_source is not None:
        enqueue(pipeline.store, pipeline.settings, reviewed, queue_source)
    return lines
