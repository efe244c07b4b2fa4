"""The ``mirrorscan`` command line: serve the API, manage the bank, score files. Long work shows
a progress bar with rate and ETA; errors are one clear line on stderr (with the line number for
file input) and a non-zero exit status. Commands are thin: the work is in the use cases."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from service.cli import audit, bank, exchange, keys, model, queue
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
from service.config import Settings
from service.errors import MirrorscanError, storage_error

app = typer.Typer(
    help="mirrorscan: find mirror accounts, re-creations of banned accounts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(bank.app, name="bank")
app.add_typer(exchange.app, name="exchange")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(model.app, name="model")
app.add_typer(queue.app, name="queue")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Run the HTTP API (OpenAPI at /docs)."""
    settings = settings_for(data_dir)
    if settings.fetch.allow_loopback:
        raise fail("MIRRORSCAN_FETCH__ALLOW_LOOPBACK is for tests only; refusing to serve", 2)
    if settings.models.fake:
        raise fail("MIRRORSCAN_MODELS__FAKE is for tests only; refusing to serve", 2)
    run_server(settings, host, port)


def run_server(settings: Settings, host: str, port: int) -> None:
    """What ``serve`` runs once it has accepted the settings: the scorer's preflight, the first
    admin key, uvicorn. The replica tests run this with the fake encoders, which ``serve``
    refuses (``tests/helpers/serve_fake.py``)."""
    import uvicorn

    from service.app import create_app
    from service.encoders import preflight
    from service.usecases.keys import ensure_first_admin_key

    try:
        preflight(settings)
    except MirrorscanError as exc:
        raise fail(escape(exc.detail), 2) from exc
    key = ensure_first_admin_key(settings)
    if key:
        err.print(
            "[bold yellow]Created an admin API key (shown once, only its hash is kept):[/]\n"
            f"  {key}\nSend it as the X-API-Key header.",
            highlight=False,
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        workers=1,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


@app.command()
def doctor(
    data_dir: DataDir = None,
    repair: Annotated[
        bool, typer.Option(help="rebuild the indexes from the store if needed")
    ] = False,
    audit_anchor: Annotated[
        str | None,
        typer.Option(
            help="SEQ:HASH of the audit log's head recorded earlier (printed by a past "
            "doctor run): also check that this entry is still there, unchanged"
        ),
    ] = None,
) -> None:
    """Check that the index snapshot loads (checksums), that every channel index holds
    exactly the accounts the store says (with --repair, rebuild from the store if not), and
    that the audit log's hash chain is unbroken. Prints the log's head hash: record it
    outside the system, and pass it back with --audit-anchor to detect entries removed later."""
    from service.pipeline import Pipeline
    from service.reencode import ensure_current_vectors
    from service.usecases.doctor import check

    anchor = _anchor(audit_anchor)
    settings = settings_for(data_dir)
    with err.status("loading models"):
        pipeline = Pipeline.open(settings, indexes=False)
    try:
        report = check(pipeline.keeper)
        out: dict[str, Any] = {"before": report.as_dict()}
        if repair and not report.ok:
            with progress_bar("re-encoding", report.stale_accounts or None) as advance:
                ensure_current_vectors(pipeline.store, pipeline.features, advance)
            with progress_bar("rebuilding", pipeline.store.count()) as advance:
                pipeline.rebuild_indexes(advance)
            report = check(pipeline.keeper)
            out["after"] = report.as_dict()
        with err.status("verifying the audit log's hash chain"):
            chain = pipeline.store.audit_log.verify_chain(anchor)
        out["audit"] = chain.as_dict()
        print_json(out)
    finally:
        pipeline.close()
    err.print(
        f"audit log head: seq {chain.head_seq} hash {chain.head_hash} (record it; check it "
        f"later with --audit-anchor {chain.head_seq}:{chain.head_hash})",
        highlight=False,
        soft_wrap=True,
    )
    if not chain.ok:
        err.print(
            f"[bold red]the audit log was tampered with:[/] entry {chain.first_broken}: "
            f"{escape(chain.reason or '')}",
            highlight=False,
        )
    if not report.ok and not repair:
        err.print("the indexes disagree with the store: run `mirrorscan doctor --repair`")
    if not report.ok or not chain.ok:
        raise typer.Exit(1)


def _anchor(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise fail("--audit-anchor is SEQ:HASH (a number, a colon, 64 hex digits)", 2)
    return int(seq), digest.lower()


@app.command()
def backup(
    dest: Annotated[Path, typer.Argument(help="a new (or empty) folder for the backup")],
    data_dir: DataDir = None,
) -> None:
    """Back up the data dir: the SQLite bank through SQLite's online backup API (safe while the
    server runs), the current index snapshot with its manifest and the key file, with a
    backup.json listing every file's SHA-256, the counts and the audit log's head hash. A bank
    in PostgreSQL is backed up with pg_dump (this says how)."""
    from service.usecases.backup import Unsupported
    from service.usecases.backup import backup as run_backup

    settings = settings_for(data_dir)
    try:
        with err.status("backing up"):
            manifest = run_backup(settings, dest)
    except Unsupported as exc:
        raise fail(escape(exc.detail), 2) from exc
    print_json({k: v for k, v in manifest.items() if k != "files"} | {"dest": str(dest)})


@app.command()
def restore(
    src: Annotated[Path, typer.Argument(help="a folder written by `mirrorscan backup`")],
    data_dir: DataDir = None,
    force: Annotated[
        bool, typer.Option(help="move an existing bank aside (.before-restore-TIME) first")
    ] = False,
) -> None:
    """Restore a backup into the data dir (stop the server first): every file's checksum is
    checked, then the bank, the snapshot and the key file are put in place, and the restored
    bank is checked against the backup's counts and audit head."""
    from service.usecases.backup import Unsupported
    from service.usecases.backup import restore as run_restore

    settings = settings_for(data_dir)
    try:
        with err.status("restoring"):
            report = run_restore(settings, src, force=force)
    except Unsupported as exc:
        raise fail(escape(exc.detail), 2) from exc
    print_json(report)


@app.command()
def reindex(data_dir: DataDir = None) -> None:
    """Rebuild every index from the store (re-encoding what other models encoded) and write a
    new snapshot. A running server rebuilds with POST /v1/index-jobs instead."""
    from service.pipeline import Pipeline
    from service.reencode import ensure_current_vectors

    settings = settings_for(data_dir)
    with err.status("loading models"):
        pipeline = Pipeline.open(settings, indexes=False)
    try:
        with progress_bar("re-encoding", None) as advance:
            reencoded = ensure_current_vectors(pipeline.store, pipeline.features, advance)
        with progress_bar("rebuilding", pipeline.store.count()) as advance:
            fresh = pipeline.rebuild_indexes(advance)
        print_json({"snapshot": fresh.version, "indexed": fresh.counts(), "reencoded": reencoded})
    finally:
        pipeline.close()


@app.command()
def score(
    file: Annotated[Path, typer.Argument(help="JSON Lines, CSV or Parquet file of profiles")],
    out: Annotated[Path, typer.Option("--out", help="JSON Lines output, one line per input")],
    data_dir: DataDir = None,
    fmt: FormatOpt = None,
    resume: Annotated[
        bool, typer.Option(help="keep OUT and skip the ids (error lines: line numbers) in it")
    ] = False,
    engine: Annotated[str, typer.Option(help="local (this process) or ray")] = "local",
    ray_address: Annotated[
        str | None, typer.Option(help="a Ray cluster (auto, ray://host:10001); default: local")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=10_000, help="Ray actors")] = 2,
    batch_size: Annotated[int, typer.Option(min=1, max=1000)] = 64,
) -> None:
    """Score every profile of a file against the bank, streaming (bounded memory). OUT is
    written as it goes; after an interruption, --resume continues it."""
    from service.ingest.files import count_records, file_format
    from service.usecases.batch import score_file
    from service.usecases.resume import Done

    if not file.is_file():
        raise fail(f"{file} is not a file", 2)
    if engine not in ("local", "ray"):
        raise fail(f"unknown engine {engine!r}: local or ray", 2)
    kind = file_format(file, fmt)
    settings = settings_for(data_dir)
    done = Done.load(out) if resume else None
    if done is not None:
        err.print(f"resuming: {len(done)} lines of {escape(str(out))} are kept", highlight=False)

    def on_error(e: Any) -> None:
        err.print(f"[yellow]not scored[/] {escape(f'{file}:{e}')}", highlight=False, soft_wrap=True)

    with out.open("a" if resume else "w", encoding="utf-8") as fh:
        if engine == "ray":
            from service.usecases.distributed import score_file_ray

            with progress_bar("scoring", count_records(file, kind)) as a:
                report = score_file_ray(
                    settings,
                    file,
                    fh,
                    fmt=kind,
                    done=done,
                    address=ray_address,
                    workers=workers,
                    batch_size=batch_size,
                    advance=a,
                    on_error=on_error,
                )
        else:
            pipeline = open_pipeline(settings)
            try:
                with progress_bar("scoring", count_records(file, kind)) as a:
                    report = score_file(
                        pipeline,
                        file,
                        fh,
                        fmt=kind,
                        done=done,
                        batch_size=batch_size,
                        advance=a,
                        on_error=on_error,
                    )
            finally:
                pipeline.close()
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False), err=True)


@app.command()
def extract(
    url: Annotated[str, typer.Argument(help="a profile URL (X, Instagram, Telegram, ...)")],
    html: Annotated[
        Path | None, typer.Option("--html", help="read the page from this file; no network")
    ] = None,
) -> None:
    """Print the profile extracted from a profile URL as JSON."""
    from service.ingest.profile_from_url import extract_command

    typer.echo(json.dumps(extract_command(url, html), ensure_ascii=False, indent=2))


@app.command()
def bench(
    accounts: Annotated[int, typer.Option("--accounts", min=1000, help="bank size N")],
    out: Annotated[Path, typer.Option("--out", help="JSON report")],
    channels: Annotated[
        str,
        typer.Option(
            help="comma-separated: name, name_grams, bio, avatar, pdq; 'all': every channel "
            "the service indexes"
        ),
    ] = "all",
    extra_channel: Annotated[
        list[str] | None,
        typer.Option(help="another channel as NAME:KIND:DIM (KIND float or binary); repeatable"),
    ] = None,
    queries: Annotated[int, typer.Option(min=50, max=10_000)] = 500,
    seed: Annotated[int, typer.Option()] = 0,
    cache_gb: Annotated[
        float, typer.Option(help="keep generated vectors (fp16) up to this size between passes")
    ] = 3.0,
) -> None:
    """Measure each channel's index at N synthetic accounts: one-thread search p50/p99,
    recall@10 against exact search, build time, index size, RSS. No models are loaded."""
    from service.bench.scale import choose_channels, run
    from service.index.plan import IndexPolicy

    try:
        chosen = choose_channels(channels, extra_channel or [])
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    settings = Settings()
    current = {"name": ""}
    with progress_bar("generating and indexing rows", None) as advance:

        def step(channel: str, rows: int) -> None:
            if channel != current["name"]:
                current["name"] = channel
                err.print(f"channel [bold]{channel}[/]", highlight=False)
            advance(rows)

        report = run(
            accounts,
            chosen,
            IndexPolicy.of(settings.index),
            n_queries=queries,
            seed=seed,
            cache_gb=cache_gb,
            advance=step,
        )
    out.write_text(json.dumps(report, indent=2))
    summary = {k: v for k, v in report.items() if k not in ("channels", "policy", "machine")}
    summary["channels"] = {
        name: {k: c[k] for k in ("index_type", "search_p50_ms", "search_p99_ms", "recall_at_10",
                                 "build_s", "index_mb", "queries_per_request")}
        for name, c in report["channels"].items()
    }  # fmt: skip
    print_json(summary)


app.command("eval")(model.evaluate_command)


def main() -> None:
    try:
        app()
    except MirrorscanError as exc:
        err.print(f"[bold red]error:[/] {escape(exc.detail)}", highlight=False)
        sys.exit(1)
    except OSError as exc:  # a full disk or a read-only data dir: one clear line, no traceback
        mapped = storage_error(exc)
        if mapped is None:
            raise
        where = f" ({escape(str(exc.filename))})" if exc.filename else ""
        err.print(f"[bold red]error:[/] {mapped.detail}{where}", highlight=False)
        sys.exit(1)
