"""``mirrorscan bank``: the named banks (list, create, enable, disable, remove, stats) and their
accounts' import and export (JSON Lines, CSV, Parquet, STIX 2.1, PDQ lists)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from service.cli.common import (
    ACTOR,
    DataDir,
    err,
    fail,
    open_pipeline,
    print_json,
    progress_bar,
    settings_for,
)

if TYPE_CHECKING:
    from service.config import Settings
    from service.store.bank import Store
    from service.store.banks import BankStats

app = typer.Typer(help="Manage the banks and their accounts.", no_args_is_help=True)

BankOpt = Annotated[str | None, typer.Option("--bank", help="the bank (default: see the help)")]
ExchangeFormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="jsonl, csv, parquet, stix or pdq (default: import: from the "
                 "content; export: from the suffix, .json meaning stix)"),
]  # fmt: skip


@app.command("import")
def bank_import(
    file: Annotated[Path, typer.Argument(help="JSON Lines, CSV, Parquet, STIX bundle, PDQ list")],
    data_dir: DataDir = None,
    fmt: ExchangeFormatOpt = None,
    bank: BankOpt = None,
    strict: Annotated[bool, typer.Option(help="stop at the first malformed line")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = 256,
    snapshot_every: Annotated[
        float, typer.Option(min=0.0, help="seconds between index snapshots during the import")
    ] = 300.0,
) -> None:
    """Upsert accounts by id from a file and update the indexes. --bank puts them all in that
    bank (it must exist); without it each goes to the bank its line names (created if
    missing), keeps its bank, or goes to the default bank.

    JSON Lines, CSV and Parquet skip a malformed line (with its number) and are safe to run
    again after an interruption. A STIX bundle or a PDQ list is all or nothing: any invalid
    object or line refuses the whole file, naming each, before anything is written."""
    from service.errors import MirrorscanError
    from service.ingest.exchange import guess_format
    from service.ingest.files import count_records
    from service.usecases.batch import StrictStop, import_file
    from service.usecases.exchange import import_exchange

    if not file.is_file():
        raise fail(f"{file} is not a file", 2)
    try:
        kind = guess_format(file, fmt)
    except MirrorscanError as exc:
        raise fail(exc.detail, 2) from exc
    settings = settings_for(data_dir)
    pipeline = open_pipeline(settings)
    try:
        if kind == "stix" or kind == "pdq":
            with err.status(f"importing {kind}"):
                result = import_exchange(pipeline, ACTOR, file, fmt=kind, bank=bank)
            pipeline.write_snapshot()
            print_json(result.as_dict())
            return
        with progress_bar("importing", count_records(file, kind)) as advance:
            report = import_file(
                pipeline,
                file,
                fmt=kind,
                strict=strict,
                batch_size=batch_size,
                advance=advance,
                on_error=lambda e: err.print(
                    f"[yellow]skipped[/] {escape(f'{file}:{e}')}", soft_wrap=True
                ),
                snapshot_every_s=snapshot_every,
                bank=bank,
            )
        pipeline.write_snapshot()
    except StrictStop as exc:
        pipeline.write_snapshot()
        raise fail(f"{file}: {exc.detail} (--strict)", 1) from exc
    except MirrorscanError as exc:
        for line in getattr(exc, "errors", [])[:50]:
            err.print(f"[red]{escape(f'{file}: {line}')}[/]", soft_wrap=True)
        raise fail(f"{file}: {exc.detail}", 1) from exc
    finally:
        pipeline.close()
    print_json(report.as_dict())
    if report.error_count:
        raise typer.Exit(1)


@app.command("export")
def bank_export(
    file: Annotated[Path, typer.Argument(help="output file")],
    data_dir: DataDir = None,
    fmt: ExchangeFormatOpt = None,
    bank: Annotated[str | None, typer.Option("--bank", help="only this bank")] = None,
    since: Annotated[
        int | None, typer.Option(help="only what changed after this cursor (jsonl, stix, pdq)")
    ] = None,
) -> None:
    """Write the accounts (of one bank, or all) to a file that `bank import` (or another
    system: STIX 2.1, an HMA PDQ list) reads back. Prints the cursor for --since."""
    from service.errors import MirrorscanError
    from service.ingest.files import file_format
    from service.store.bank import Store
    from service.usecases.exchange import export_bank

    kind = fmt or {".json": "stix", ".stix": "stix", ".pdq": "pdq"}.get(file.suffix.lower())
    try:
        kind = kind or file_format(file)
    except MirrorscanError as exc:
        raise fail(exc.detail + " (or stix, pdq)", 2) from exc
    settings = settings_for(data_dir)
    Store(settings.db_url, readonly=True).close()  # no bank there: an error, not a new one
    store = Store(settings.db_url)
    try:
        store.create_all()  # an older data dir gets its banks (service.store.migrations)
        model = _image_model(settings)
        with err.status("exporting"):
            done = export_bank(None, store, file, kind, bank=bank, since=since,
                               image_model_name=model)  # fmt: skip
    except MirrorscanError as exc:
        raise fail(exc.detail, 1) from exc
    finally:
        store.close()
    print_json({"exported": done.count, "file": str(file), "format": kind, "cursor": done.cursor})


def _image_model(settings: Settings) -> str:
    """The image encoder's name and dimension, as the pipeline would give them (without
    loading the text model)."""
    from service.features.image import image_encoder

    encoder = image_encoder(settings.models.image, settings.models.fake, settings.model_dir)
    encoder.load()
    return f"{encoder.name}:{encoder.dim}"


@app.command("list")
def bank_list(data_dir: DataDir = None) -> None:
    """Every bank with its kind, state and counts."""
    from service.usecases.bank import list_banks

    store = _store(data_dir)
    try:
        print_json([_stats(s) for s in list_banks(store)])
    finally:
        store.close()


@app.command("create")
def bank_create(
    name: Annotated[str, typer.Argument(help="e.g. pk-proscribed, platform-own, partner-x")],
    kind: Annotated[str, typer.Option(help="banned or allow")] = "banned",
    description: Annotated[str, typer.Option()] = "",
    disabled: Annotated[bool, typer.Option(help="create it disabled")] = False,
    data_dir: DataDir = None,
) -> None:
    """Create a bank: `banned` accounts are matched against; `allow` accounts (parties, state
    bodies, outlets, researchers) are never blocked."""
    from service.usecases.bank import create_bank

    _run(data_dir, lambda store: create_bank(store, ACTOR, name, kind, description, not disabled))
    print_json({"created": name, "kind": kind, "enabled": not disabled})


@app.command("enable")
def bank_enable(name: str, data_dir: DataDir = None) -> None:
    """Read the bank when scoring again."""
    from service.usecases.bank import update_bank

    _run(data_dir, lambda store: update_bank(store, ACTOR, name, enabled=True))
    print_json({"enabled": name})


@app.command("disable")
def bank_disable(name: str, data_dir: DataDir = None) -> None:
    """Stop reading the bank when scoring (its accounts stay)."""
    from service.usecases.bank import update_bank

    _run(data_dir, lambda store: update_bank(store, ACTOR, name, enabled=False))
    print_json({"disabled": name})


@app.command("remove")
def bank_remove(
    name: str,
    purge: Annotated[bool, typer.Option(help="remove its accounts too")] = False,
    data_dir: DataDir = None,
) -> None:
    """Remove a bank (one that holds accounts only with --purge)."""
    from service.errors import MirrorscanError
    from service.usecases.bank import remove_bank

    pipeline = open_pipeline(settings_for(data_dir))
    try:
        removed = remove_bank(pipeline, ACTOR, name, purge=purge)
        pipeline.write_snapshot()
    except MirrorscanError as exc:
        raise fail(exc.detail, 1) from exc
    finally:
        pipeline.close()
    print_json({"removed": name, "accounts_removed": removed})


@app.command("stats")
def bank_stats(
    data_dir: DataDir = None,
    bank: Annotated[str | None, typer.Option("--bank", help="only this bank")] = None,
) -> None:
    """How many accounts the store and each bank hold, and how many each index holds."""
    from service.errors import MirrorscanError

    settings = settings_for(data_dir)
    pipeline = open_pipeline(settings)
    try:
        store = pipeline.store
        if bank is not None:
            try:
                print_json(_stats(store.banks.stats(bank)))
            except MirrorscanError as exc:
                raise fail(exc.detail, 1) from exc
            return
        print_json(
            {
                "accounts": store.count(),
                "indexed": pipeline.indexes.counts(),
                "snapshot": pipeline.indexes.version or None,
                "banks": {b.name: _stats(store.banks.stats(b.name)) for b in store.banks.list()},
            }
        )
    finally:
        pipeline.close()


def _stats(s: BankStats) -> dict[str, object]:
    b = s.bank
    return {"name": b.name, "kind": b.kind, "enabled": b.enabled, "description": b.description,
            "accounts": s.accounts, "removed": s.removed, "with_avatar": s.with_avatar,
            "platforms": s.platforms, "groups": s.groups,
            "last_change": s.last_change.isoformat() if s.last_change else None}  # fmt: skip


def _store(data_dir: Path | None) -> Store:
    from service.store.bank import Store

    settings = settings_for(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.db_url)
    store.create_all()
    return store


def _run(data_dir: Path | None, work: Callable[[Store], object]) -> None:
    from service.errors import MirrorscanError

    store = _store(data_dir)
    try:
        work(store)
    except MirrorscanError as exc:
        raise fail(exc.detail, 1) from exc
    finally:
        store.close()
