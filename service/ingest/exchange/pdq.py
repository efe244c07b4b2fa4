"""PDQ signal lists that move avatar hashes between mirrorscan and an HMA bank.

Written as the CSV of python-threatexchange's ``dataset --print-signals --csv`` (``collab``: the
bank, ``signal_type`` ``pdq``, ``signal_str``: the hash, ``category``: ``POSITIVE_CLASS`` for a
banned bank and ``NEGATIVE_CLASS`` for an allow list, ``tags``: space-separated) followed by
mirrorscan's columns (``account_id``, ``quality``, ``group``, ``distance``: the match threshold
in bits the sender uses). Read in that CSV form (extra columns ignored; other signal types
skipped) or in HMA's plain file form: one ``pdq <hex>`` (or a bare hash) per line, ``#``
comments. An account read from a list has only its avatar hash; its id is the ``account_id``
column, else ``pdq-<hash>`` (so a list imported twice changes nothing)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

from service.domain import Profile, StoredAccount, StoredAvatar
from service.ingest.exchange import Problems
from service.ingest.records import Record

COLUMNS = ("collab", "signal_type", "signal_str", "category", "tags", "account_id", "quality",
           "group", "distance")  # fmt: skip
CATEGORY = {"banned": "POSITIVE_CLASS", "allow": "NEGATIVE_CLASS"}
KIND_OF = {v: k for k, v in CATEGORY.items()}
_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
_TAG = re.compile(r"[^\w.:-]+")


def write_list(
    path: Path,
    accounts: Iterable[StoredAccount],
    kinds: dict[str, str],
    *,
    min_quality: int,
    distance: int,
) -> int:
    """One row per account with a usable avatar hash (quality at least ``min_quality``);
    ``distance``: the match threshold in bits this service uses. Returns how many rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for account in accounts:
            avatar = account.features.avatar
            if account.removed or avatar is None or not avatar.pdq:
                continue
            if avatar.pdq_quality < min_quality:
                continue
            p = account.profile
            kind = kinds.get(account.bank, "banned")
            tags = " ".join(t for t in ("mirrorscan", _tag(p.group or ""), _tag(p.platform)) if t)
            writer.writerow([account.bank, "pdq", avatar.pdq[0].hex(), CATEGORY[kind], tags,
                             p.id, avatar.pdq_quality, p.group or "", distance])  # fmt: skip
            count += 1
    return count


def _tag(text: str) -> str:
    return _TAG.sub("_", text.strip()).strip("_").lower()


def read_list(path: Path) -> list[Record]:
    """The accounts of a PDQ list; ``ImportRefused`` naming each bad line when any is bad."""
    problems = Problems()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(f"byte {exc.start}: not UTF-8")
        problems.raise_if_any("the PDQ list")
        raise AssertionError("unreachable") from None
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    if "signal_type" in first and "signal_str" in first:
        records = _read_csv(text, problems)
    else:
        records = _read_plain(lines, problems)
    problems.raise_if_any("the PDQ list")
    return records


def _read_plain(lines: list[str], problems: Problems) -> list[Record]:
    out = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        kind, _, value = text.partition(" ")
        if not value:
            kind, value = "pdq", kind
        if kind.lower() != "pdq":
            continue  # another signal type (HMA files may mix them)
        record = _record(number, value.strip(), None, None, None, None, None, problems)
        if record is not None:
            out.append(record)
    return out


def _read_csv(text: str, problems: Problems) -> list[Record]:
    reader = csv.DictReader(io.StringIO(text))
    out = []
    try:
        for row in reader:
            number = reader.line_num
            if (row.get("signal_type") or "").strip().lower() != "pdq":
                continue
            kind = KIND_OF.get((row.get("category") or "").strip())
            record = _record(number, (row.get("signal_str") or "").strip(),
                             (row.get("account_id") or "").strip() or None,
                             (row.get("collab") or "").strip() or None, kind,
                             (row.get("group") or "").strip() or None,
                             (row.get("quality") or "").strip() or None, problems,
                             (row.get("distance") or "").strip() or None)  # fmt: skip
            if record is not None:
                out.append(record)
    except csv.Error as exc:
        problems.add(f"line {reader.line_num}: not valid CSV: {exc}")
    return out


def _record(
    number: int,
    value: str,
    account_id: str | None,
    bank: str | None,
    kind: str | None,
    group: str | None,
    quality: str | None,
    problems: Problems,
    distance: str | None = None,
) -> Record | None:
    if not _HEX.match(value):
        problems.add(f"line {number}: {value[:80]!r} is not a PDQ hash (64 hexadecimal digits)")
        return None
    q = 100
    if quality is not None:
        if not quality.isdigit() or not 0 <= int(quality) <= 100:
            problems.add(f"line {number}: quality {quality[:20]!r} is not 0 to 100")
            return None
        q = int(quality)
    if distance is not None and (not distance.isdigit() or int(distance) > 256):
        problems.add(f"line {number}: distance {distance[:20]!r} is not 0 to 256 bits")
        return None
    if account_id is not None and len(account_id) > 200:
        problems.add(f"line {number}: account_id is longer than 200 characters")
        return None
    hashed = bytes.fromhex(value)
    signals = StoredAvatar("", (hashed,), q)  # a hash alone: no embedding, no picture
    profile = Profile(id=account_id or f"pdq-{value.lower()}", group=group, avatar_features=signals)
    return Record(number, profile, bank, False, kind)
