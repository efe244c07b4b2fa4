"""A file of accounts uploaded on the bank page, answered line by line: each line is added,
replaced, left unchanged, or refused with the reason in words a moderator reads. Unlike an
exchange import (all or nothing, for admins), the good lines are written and the bad ones
listed. The file is read by the one profile reader (``service.ingest.files``) and written
through the same use case as the API's bulk upsert (``service.usecases.bank.put_accounts``),
so the audit log records it; an existing account is replaced only when the moderator said
so."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from service.errors import InvalidInput, MirrorscanError, PayloadTooLarge
from service.ingest.exchange import guess_format
from service.ingest.files import Format, LineError, Record, read_profiles
from service.pipeline import Pipeline
from service.store.bank import UpsertResult
from service.usecases.bank import changed, put_accounts

Refused = "refused"
WORDS = {"created": "added", "restored": "added", "updated": "replaced", "unchanged": "unchanged"}
REPLACE_HINT = "tick “Replace accounts that already exist” to replace it"


@dataclass(frozen=True, slots=True)
class LineResult:
    line: int
    id: str | None
    outcome: str  # added, replaced, unchanged or refused
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Uploaded:
    format: str
    lines: list[LineResult]

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r.outcome for r in self.lines))


def file_kind(path: Path) -> Format:
    """JSON Lines or CSV: by the file's suffix, else by what it holds. An exchange file, or
    one that is neither, is a 422 that says what to upload instead."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json", ".csv"):
        return "csv" if suffix == ".csv" else "jsonl"
    try:
        kind: str = guess_format(path)
    except InvalidInput:
        kind = "unknown"
    if kind in ("stix", "pdq"):
        what = "a STIX bundle" if kind == "stix" else "a PDQ hash list"
        raise InvalidInput(f"this file is {what}, not a list of accounts; an admin imports it "
                           "with “Import an exchange file”")  # fmt: skip
    if kind not in ("jsonl", "csv"):
        raise InvalidInput("this is neither JSON Lines nor CSV: upload one account per line "
                           "as JSON, or CSV with a header row naming the fields")  # fmt: skip
    return "csv" if kind == "csv" else "jsonl"


def upload_accounts(
    pipeline: Pipeline,
    actor: str,
    path: Path,
    *,
    bank: str | None = None,
    replace: bool = False,
    max_lines: int = 1_000,
) -> Uploaded:
    """Write the file's good lines and say what became of every line, in file order.

    ``bank``: every account goes there (it must exist); else to the bank its line names, or
    an existing account stays where it is and a new one goes to the default bank. Refused
    with the reason: a line that does not parse, repeats an id, withdraws an account, names a
    bank that does not exist, or (without ``replace``) names an account already in a bank;
    and what the pipeline refuses (limits, an unreadable avatar, an account in another
    bank). A file-level problem (unknown columns, more than ``max_lines`` accounts, no
    account at all) is raised before anything is written."""
    store = pipeline.store
    if bank is not None:
        store.banks.require(bank)
    kind = file_kind(path)
    cap = pipeline.settings.limits.max_image_bytes
    items: list[Record | LineError] = []
    for item in read_profiles(path, max_avatar_bytes=cap, fmt=kind, local_avatars=False):
        items.append(item)
        if len(items) > max_lines:
            raise PayloadTooLarge(f"the file holds more than {max_lines:,} accounts; split it "
                                  "into smaller files")  # fmt: skip
    if not items:
        raise InvalidInput("the file holds no accounts")
    results: dict[int, LineResult] = {}
    groups: dict[str | None, list[int]] = {}
    records = [r for r in items if isinstance(r, Record)]
    known = store.fingerprints([r.profile.id for r in records])
    banks = {b.name for b in store.banks.list()}
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if isinstance(item, LineError):
            results[i] = LineResult(item.line, item.id, Refused, item.message)
            continue
        account_id, target = item.profile.id, bank or item.bank
        fp = known.get(account_id)
        reason = ""
        if account_id in seen:
            reason = f"the same id is on line {seen[account_id]}; give each account one line"
        elif item.removed:
            reason = "the line withdraws the account (removed); use its Remove button instead"
        elif target is not None and target not in banks:
            reason = f"there is no bank {target!r}; create it first"
        elif fp is not None and not fp.removed and not replace:
            reason = f"the account is already in bank {fp.bank!r}; {REPLACE_HINT}"
        seen.setdefault(account_id, item.line)
        if reason:
            results[i] = LineResult(item.line, account_id, Refused, reason)
        else:
            groups.setdefault(target, []).append(i)
    for target, idx in groups.items():
        chunk = [items[i] for i in idx]
        profiles = [r.profile for r in chunk if isinstance(r, Record)]
        try:
            outcomes, tally = put_accounts(pipeline, actor, profiles, target)
        except MirrorscanError as exc:  # the whole group: no default bank, a bank just removed
            outcomes, tally = [exc] * len(profiles), {}
        for i, profile, outcome in zip(idx, profiles, outcomes, strict=True):
            results[i] = _result(items[i].line, profile.id, outcome)
        written = [p.id for p, o in zip(profiles, outcomes, strict=True)
                   if isinstance(o, UpsertResult) and o.outcome != "unchanged"]  # fmt: skip
        if written:
            changed(store, actor, "account.bulk", target or "", account_ids=written,
                    counts=tally)  # fmt: skip
    return Uploaded(kind, [results[i] for i in range(len(items))])


def _result(line: int, account_id: str, outcome: UpsertResult | MirrorscanError) -> LineResult:
    if isinstance(outcome, MirrorscanError):
        return LineResult(line, account_id, Refused, outcome.detail)
    note = "it had been removed; it is back in the bank" if outcome.outcome == "restored" else ""
    return LineResult(line, account_id, WORDS[outcome.outcome], note)
