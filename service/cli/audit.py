"""``mirrorscan audit``: read and export the audit log (bank changes, imports, decisions)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from service.cli.common import DataDir, fail, print_json, settings_for

if TYPE_CHECKING:
    from service.store.bank import Store

app = typer.Typer(help="Read and export the audit log.", no_args_is_help=True)

ActionOpt = Annotated[
    list[str] | None, typer.Option("--action", help="repeatable; 'bank.*' for every bank action")
]
ActorOpt = Annotated[str | None, typer.Option(help="e.g. key:1a2b3c4d or cli")]
SinceOpt = Annotated[datetime | None, typer.Option(help="from this time (UTC), inclusive")]
UntilOpt = Annotated[datetime | None, typer.Option(help="before this time (UTC)")]


@app.command("export")
def export(
    file: Annotated[Path, typer.Argument(help="output: .csv or .jsonl")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: suffix)")
    ] = None,
    what: Annotated[str, typer.Option(help="audit (every entry) or decisions")] = "audit",
    action: ActionOpt = None,
    actor: ActorOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Write the audit entries (or the decisions) to a file an auditor can read: a header with
    the filters, the count and the audit chain's head hash, then one entry per line/row."""
    from service.errors import MirrorscanError
    from service.store.audit_query import AuditFilter
    from service.usecases import audit

    kind = fmt or file.suffix.lower().lstrip(".")
    if what not in ("audit", "decisions"):
        raise fail("--what is audit or decisions", 2)
    store = _store(data_dir)
    tmp = file.with_name(f".{file.name}.partial")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as out:
            filters = AuditFilter(tuple(action or ()), actor, since, until)
            meta = audit.export(store, out, kind, "decisions" if what == "decisions" else "audit",
                                filters)  # fmt: skip
        tmp.replace(file)
    except MirrorscanError as exc:
        raise fail(exc.detail, 2) from exc
    finally:
        tmp.unlink(missing_ok=True)
        store.close()
    print_json({"file": str(file), **meta})


@app.command("list")
def list_entries(
    action: ActionOpt = None,
    actor: ActorOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    data_dir: DataDir = None,
) -> None:
    """The newest audit entries, as JSON."""
    from service.store.audit_query import AuditFilter
    from service.usecases import audit

    store = _store(data_dir)
    try:
        found = audit.entries(store, AuditFilter(tuple(action or ()), actor, since, until),
                              limit=limit)  # fmt: skip
    finally:
        store.close()
    print_json([{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                 "subject": e.subject, "payload": e.payload} for e in found])  # fmt: skip


def _store(data_dir: Path | None) -> Store:
    from service.store.bank import Store

    settings = settings_for(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.db_url)
    store.create_all()
    return store
