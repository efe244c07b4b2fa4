"""Exchange with other systems: a bank exported as mirrorscan's JSON Lines, a STIX 2.1 bundle
or an HMA-compatible PDQ list, imported from any of them (the format told by content), and a
partner's export pulled incrementally through the SSRF-safe fetcher.

An exchange import is all or nothing: the whole file is read and checked (each line or object,
each account's limits, banks, ids held by other banks) before the first write, and refused with
every error found; only then is it written, in batches. Each imported account records where it
came from (source, fetched at)."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from service.domain import StoredAccount
from service.errors import InvalidInput, MirrorscanError
from service.features.pdq import MATCH_BITS, MIN_QUALITY
from service.ingest.exchange import ExchangeFormat, Problems, guess_format
from service.ingest.exchange.pdq import read_list, write_list
from service.ingest.exchange.stix import bundle_objects, read_bundle, write_bundle
from service.ingest.files import LineError, read_profiles
from service.ingest.records import Record
from service.pipeline import Pipeline
from service.store.bank import Store
from service.usecases.bank import changed
from service.usecases.bank_import import apply, check_records, ensure_banks, image_model
from service.usecases.batch import batched, export_file

CURSOR_HEADER = "x-mirrorscan-cursor"
MEDIA_TYPES = {
    "jsonl": "application/x-ndjson",
    "stix": "application/stix+json;version=2.1",
    "pdq": "text/csv",
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
}


@dataclass
class ImportResult:
    format: str
    records: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    banks_created: list[str] = field(default_factory=list)
    source: str = ""
    cursor: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"format": self.format, "records": self.records, "outcomes": dict(self.outcomes),
                "banks_created": self.banks_created, "source": self.source,
                "cursor": self.cursor}  # fmt: skip


# --- import ------------------------------------------------------------------------------


def read_records(
    pipeline: Pipeline, path: Path, fmt: ExchangeFormat, local_avatars: bool = True
) -> list[Record]:
    """Every record of the file, or ``ImportRefused`` with every bad line or object;
    ``local_avatars=False`` for bytes that came over the network (no ``avatar_path``)."""
    if fmt == "stix":
        return read_bundle(path)
    if fmt == "pdq":
        return read_list(path)
    problems = Problems()
    records: list[Record] = []
    cap = pipeline.settings.limits.max_image_bytes
    for item in read_profiles(path, max_avatar_bytes=cap, fmt=fmt, local_avatars=local_avatars):
        if isinstance(item, LineError):
            problems.add(str(item))
        else:
            records.append(item)
    problems.raise_if_any(f"the {fmt} file")
    return records


def import_exchange(
    pipeline: Pipeline,
    actor: str,
    path: Path,
    *,
    fmt: str | None = None,
    bank: str | None = None,
    source: str | None = None,
    fetched_at: datetime | None = None,
    batch_size: int = 256,
    local_avatars: bool = True,
) -> ImportResult:
    """Import a whole file, or nothing of it (see the module's note). ``local_avatars``: a
    line's ``avatar_path`` is read beside the file (a file on this machine), else refused."""
    kind = guess_format(path, fmt)
    if bank is not None:
        pipeline.store.banks.require(bank)
    records = read_records(pipeline, path, kind, local_avatars)
    problems = Problems()
    where = "object" if kind == "stix" else "line"
    check_records(pipeline, records, bank, problems, where)
    problems.raise_if_any(f"the {kind} file")
    result = ImportResult(kind, len(records), source=source or f"file:{path.name}")
    result.banks_created = ensure_banks(pipeline, records, bank)
    written: list[str] = []
    for chunk in batched(records, batch_size):
        for record, outcome in zip(chunk, apply(pipeline, chunk, bank).outcomes, strict=True):
            if isinstance(outcome, MirrorscanError):  # checked above: a store or model fault
                result.outcomes["error"] += 1
                continue
            label = outcome if isinstance(outcome, str) else outcome.outcome
            result.outcomes[label] += 1
            if label in ("created", "updated", "restored", "unchanged"):
                written.append(record.profile.id)
    store = pipeline.store
    store.banks.record_provenance(written, result.source, fetched_at or datetime.now(UTC))
    store.audit_log.append(actor, "bank.import", bank or "", result.as_dict())
    touched = [r.profile.id for r in records]
    if sum(v for k, v in result.outcomes.items() if k not in ("unchanged", "absent")):
        changed(store, actor, "bank.import", bank or "", account_ids=touched,
                counts=dict(result.outcomes), source=result.source)  # fmt: skip
    return result


def import_bytes(
    pipeline: Pipeline, actor: str, data: bytes, *, fmt: str | None = None,
    bank: str | None = None, source: str | None = None, fetched_at: datetime | None = None,
) -> ImportResult:  # fmt: skip
    """``import_exchange`` of bytes (an API body, a pulled export), through a private file."""
    tmp_dir = pipeline.settings.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="import-", dir=tmp_dir)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return import_exchange(pipeline, actor, path, fmt=fmt, bank=bank, source=source,
                               fetched_at=fetched_at, local_avatars=False)  # fmt: skip
    finally:
        path.unlink(missing_ok=True)


# --- export ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exported:
    count: int
    cursor: str  # the store's change counter the export reflects: pass as ``since`` next time


def export_bank(
    pipeline: Pipeline | None,
    store: Store,
    path: Path,
    fmt: str,
    *,
    bank: str | None = None,
    since: int | None = None,
    image_model_name: str = "",
) -> Exported:
    """Write the accounts of ``bank`` (or all banks) to ``path``. ``since``: only what changed
    after that cursor, withdrawn accounts included (STIX and JSON Lines mark them removed; a
    PDQ list holds only current hashes)."""
    if fmt not in ("jsonl", "csv", "parquet", "stix", "pdq"):
        raise InvalidInput(f"unknown export format {fmt!r}; one of jsonl, csv, parquet, stix, pdq")
    if bank is not None:
        store.banks.require(bank)
    if since is not None and fmt in ("csv", "parquet"):
        raise InvalidInput("an incremental export (since) is written as jsonl, stix or pdq")
    model = image_model(pipeline) if pipeline is not None else image_model_name
    cursor = str(store.max_seq())
    kinds: dict[str, str] = {b.name: b.kind for b in store.banks.list()}
    if fmt in ("csv", "parquet") or (fmt == "jsonl" and since is None):
        count = export_file(store, path, fmt=fmt, bank=bank, image_model=model)  # type: ignore[arg-type]
        return Exported(count, cursor)
    accounts = list(_accounts(store, bank, since))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        if fmt == "stix":
            write_bundle(tmp, bundle_objects(accounts, kinds, encoder=model), cursor)
            count = len(accounts)
        elif fmt == "pdq":
            count = write_list(tmp, accounts, kinds, min_quality=MIN_QUALITY, distance=MATCH_BITS)
        else:
            from service.usecases.batch import export_row

            with tmp.open("w", encoding="utf-8") as fh:
                for a in accounts:
                    fh.write(json.dumps(export_row(a, True, model, kinds), ensure_ascii=False))
                    fh.write("\n")
            count = len(accounts)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return Exported(count, cursor)


def _accounts(store: Store, bank: str | None, since: int | None) -> Iterator[StoredAccount]:
    if since is None:
        for batch in store.iter_accounts(batch=2000, bank=bank):
            yield from batch
        return
    for batch in store.iter_changes(since):
        yield from (a for a in batch if bank is None or a.bank == bank)


# --- pull --------------------------------------------------------------------------------


def since_url(url: str, since: str | None) -> str:
    """The partner's export URL asking only for what changed after ``since``."""
    if not since:
        return url
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode({"since": since})) if q)
    return urlunsplit(parts._replace(query=query))


def cursor_of(headers: dict[str, str], data: bytes, fmt: str) -> str | None:
    """The cursor a partner's answer names: its header, else a STIX bundle's property."""
    cursor = headers.get(CURSOR_HEADER)
    if cursor:
        return cursor
    if fmt == "stix":
        try:
            value = json.loads(data.decode("utf-8")).get("x_mirrorscan_cursor")
        except (ValueError, AttributeError):
            return None
        return str(value) if value is not None else None
    return None


def pulled(
    pipeline: Pipeline,
    actor: str,
    source: str,
    data: bytes,
    headers: dict[str, str],
    *,
    fmt: str | None,
    bank: str,
) -> ImportResult:
    """Import what a pull fetched into ``bank`` and remember the cursor it named."""
    fetched_at = datetime.now(UTC)
    tmp_dir = pipeline.settings.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="pull-", dir=tmp_dir)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        kind = guess_format(path, fmt)
        result = import_exchange(pipeline, actor, path, fmt=kind, bank=bank, source=source,
                                 fetched_at=fetched_at, local_avatars=False)  # fmt: skip
    finally:
        path.unlink(missing_ok=True)
    result.cursor = cursor_of(headers, data, kind)
    if result.cursor:
        pipeline.store.banks.save_cursor(source, bank, result.cursor)
    pipeline.store.audit_log.append(actor, "exchange.pull", bank,
                                    {"source": source, **result.as_dict()})  # fmt: skip
    return result
