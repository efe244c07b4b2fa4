"""``mirrorscan bank``: import, export and count the bank of banned accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from service.cli.common import (
    DataDir,
    FormatOpt,
    err,
    fail,
    open_pipeline,
    print_json,
    progress_bar,
    settings_for,
)

app = typer.Typer(help="Manage the bank of banned accounts.", no_args_is_help=True)


@app.command("import")
def bank_import(
    file: Annotated[Path, typer.Argument(help="JSON Lines, CSV or Parquet file of accounts")],
    data_dir: DataDir = None,
    fmt: FormatOpt = None,
    strict: Annotated[bool, typer.Option(help="stop at the first malformed line")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = 256,
    snapshot_every: Annotated[
        float, typer.Option(min=0.0, help="seconds between index snapshots during the import")
    ] = 300.0,
) -> None:
    """Upsert banned accounts by id from a file and update the indexes. Safe to run again
    after an interruption (SIGKILL included): what was stored is skipped, and the indexes
    catch up from the store."""
    from service.ingest.files import count_records, file_format
    from service.usecases.batch import StrictStop, import_file

    if not file.is_file():
        raise fail(f"{file} is not a file", 2)
    kind = file_format(file, fmt)
    settings = settings_for(data_dir)
    pipeline = open_pipeline(settings)
    try:
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
            )
        pipeline.write_snapshot()
    except StrictStop as exc:
        pipeline.write_snapshot()
        raise fail(f"{file}: {exc.detail} (--strict)", 1) from exc
    finally:
        pipeline.close()
    print_json(report.as_dict())
    if report.error_count:
        raise typer.Exit(1)


@app.command("export")
def bank_export(
    file: Annotated[Path, typer.Argument(help="output: .jsonl, .csv or .parquet")],
    data_dir: DataDir = None,
    fmt: FormatOpt = None,
    avatars: Annotated[
        bool, typer.Option(help="write each stored avatar thumbnail as avatar_b64")
    ] = True,
) -> None:
    """Write every banned account to a file that `bank import` reads back."""
    from service.ingest.files import file_format
    from service.store.bank import Store
    from service.usecases.batch import export_file

    kind = file_format(file, fmt)
    settings = settings_for(data_dir)
    store = Store(settings.db_url, readonly=True)
    try:
        with progress_bar("exporting", store.count()) as advance:
            count = export_file(store, file, fmt=kind, avatars=avatars, advance=advance)
    finally:
        store.close()
    print_json({"exported": count, "file": str(file)})


@app.command("stats")
def bank_stats(data_dir: DataDir = None) -> None:
    """Print how many accounts the bank holds and how many each index holds."""
    settings = settings_for(data_dir)
    pipeline = open_pipeline(settings)
    try:
        print_json(
            {
                "accounts": pipeline.store.count(),
                "indexed": pipeline.indexes.counts(),
                "snapshot": pipeline.indexes.version or None,
            }
        )
    finally:
        pipeline.close()
