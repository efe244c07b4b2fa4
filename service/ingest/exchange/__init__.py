"""Exchange formats: what other systems send and receive, read into the one record shape
(``service.ingest.records.Record``: a profile, the bank it is in, its avatar signals, whether it
is withdrawn) and written from stored accounts.

- ``jsonl``: mirrorscan's own JSON Lines (the DESIGN.md fields plus the exchange fields), read
  by ``service.ingest.files``;
- ``stix``: STIX 2.1 bundles (``service.ingest.exchange.stix``);
- ``pdq``: HMA-compatible PDQ signal lists (``service.ingest.exchange.pdq``).

``guess_format`` tells them (and CSV and Parquet) apart by content."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from service.errors import InvalidInput

ExchangeFormat = Literal["jsonl", "csv", "parquet", "stix", "pdq"]
EXCHANGE_FORMATS: tuple[ExchangeFormat, ...] = ("jsonl", "csv", "parquet", "stix", "pdq")
_PDQ_LINE = re.compile(r"^(?:pdq[ \t]+)?[0-9a-fA-F]{64}\s*$")
_BUNDLE = re.compile(rb'"type"\s*:\s*"bundle"')


class ImportRefused(InvalidInput):
    """A file refused as a whole: nothing of it was written. ``errors`` name the lines or
    objects at fault."""

    title = "Import refused"
    type_slug = "import-refused"

    def __init__(self, detail: str, errors: list[str]) -> None:
        super().__init__(detail)
        self.errors = errors


@dataclass
class Problems:
    """Errors found while reading a whole file, the first ``keep`` of them kept."""

    keep: int = 100
    count: int = 0
    kept: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.kept) < self.keep:
            self.kept.append(message)

    def raise_if_any(self, what: str) -> None:
        if self.count:
            more = f" (the first {len(self.kept)} listed)" if self.count > len(self.kept) else ""
            raise ImportRefused(
                f"{what} refused, nothing written: {self.count} errors{more}; first: "
                f"{self.kept[0]}",
                self.kept,
            )


def guess_format(path: Path, given: str | None = None) -> ExchangeFormat:
    """The format named, else the one the content shows: Parquet's magic, a STIX bundle, a PDQ
    signal list (``pdq <hex>`` lines, bare hashes, or the CSV with ``signal_type`` and
    ``signal_str`` columns), a CSV header with ``id``, else JSON Lines."""
    if given:
        if given not in EXCHANGE_FORMATS:
            raise InvalidInput(f"unknown format {given!r}; one of {', '.join(EXCHANGE_FORMATS)}")
        return given
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file")
    with path.open("rb") as fh:
        head = fh.read(65536)
    if head.startswith(b"PAR1"):
        return "parquet"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith("{") and _BUNDLE.search(head) and not _is_jsonl(stripped):
        return "stix"
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    first = lines[0] if lines else ""
    if _PDQ_LINE.match(first) or ("signal_type" in first and "signal_str" in first):
        return "pdq"
    if stripped.startswith("{"):
        return "jsonl"
    if "," in first and "id" in [c.strip().strip('"') for c in first.split(",")]:
        return "csv"
    raise InvalidInput(
        f"cannot tell the format of {path.name} from its content; pass --format "
        f"({', '.join(EXCHANGE_FORMATS)})"
    )


def _is_jsonl(text: str) -> bool:
    """A first line that is a whole JSON object holding an ``id`` (a profile line)."""
    import json

    first = text.split("\n", 1)[0]
    try:
        value = json.loads(first)
    except ValueError:
        return False
    return isinstance(value, dict) and value.get("type") != "bundle"
