"""Audit you can hand to an auditor: the audit log (bank changes, imports, webhooks, decisions)
filtered by action, actor and time, and exports of it or of the decisions alone as CSV or JSON
Lines. Every export starts with what it is: when it was made, the filters, how many entries, and
the audit chain's head hash (``null`` until the hash chain exists: see
``service.store.audit_query.chain_head``). CSV carries that as a first ``#`` comment line."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from service.errors import InvalidInput
from service.store.audit import AuditEntry
from service.store.audit_query import AuditFilter, chain_head, page, walk
from service.store.bank import Store
from service.usecases.decisions import ACTION, Decision

What = Literal["audit", "decisions"]
AUDIT_COLUMNS = ("seq", "at", "actor", "action", "subject", "payload")
DECISION_COLUMNS = ("seq", "at", "actor", "account_id", "decision", "note", "score", "band",
                    "model_version", "profile_id", "profile_platform", "profile_handle",
                    "profile_display_name")  # fmt: skip


def entries(
    store: Store, f: AuditFilter, *, before_seq: int | None = None, limit: int = 100
) -> list[AuditEntry]:
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be 1 to 1000")
    return page(store.sessions, f, before_seq=before_seq, limit=limit)


def export(store: Store, out: TextIO, fmt: str, what: What, f: AuditFilter) -> dict[str, Any]:
    """Write the export; returns its header (what it holds, the chain head)."""
    if fmt not in ("csv", "jsonl"):
        raise InvalidInput(f"unknown format {fmt!r}; csv or jsonl")
    if what == "decisions":
        f = AuditFilter((ACTION,), f.actor, f.since, f.until)
    rows = list(_rows(store, what, f))
    meta = {
        "export": what,
        "exported_at": datetime.now(UTC).isoformat(),
        "filters": {"actions": list(f.actions), "actor": f.actor,
                    "since": f.since.isoformat() if f.since else None,
                    "until": f.until.isoformat() if f.until else None},
        "entries": len(rows),
        "chain_head": chain_head(store.audit_log),
    }  # fmt: skip
    if fmt == "jsonl":
        out.write(json.dumps({"meta": meta}, ensure_ascii=False) + "\n")
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        return meta
    out.write("# mirrorscan " + json.dumps(meta, ensure_ascii=False) + "\n")
    columns = DECISION_COLUMNS if what == "decisions" else AUDIT_COLUMNS
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        cells = {**row, "payload": json.dumps(row.get("payload"), ensure_ascii=False,
                                              default=str)} if what == "audit" else row  # fmt: skip
        writer.writerow(["" if cells.get(c) is None else cells[c] for c in columns])
    return meta


def _rows(store: Store, what: What, f: AuditFilter) -> Iterator[dict[str, Any]]:
    for entry in walk(store.sessions, f):
        if what == "audit":
            yield {"seq": entry.seq, "at": entry.at.isoformat(), "actor": entry.actor,
                   "action": entry.action, "subject": entry.subject,
                   "payload": entry.payload}  # fmt: skip
            continue
        d = Decision.of(entry)
        yield {"seq": d.seq, "at": d.at.isoformat(), "actor": d.actor,
               "account_id": d.account_id, "decision": d.decision, "note": d.note,
               "score": d.score, "band": d.band, "model_version": d.model_version,
               "profile_id": d.profile.get("id"), "profile_platform": d.profile.get("platform"),
               "profile_handle": d.profile.get("handle"),
               "profile_display_name": d.profile.get("display_name")}  # fmt: skip
