"""The ``mirrorscan`` command line: serve the API, manage the bank, score files. Long work shows
a progress bar with rate and ETA; errors are one clear line on stderr (with the line number for
file input) and a non-zero exit status."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from service.config import SCOPES, Settings
from service.errors import MirrorscanError

app = typer.Typer(
    help="mirrorscan: find mirror accounts, re-creations of banned accounts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
bank = typer.Typer(help="Manage the bank of banned accounts.", no_args_is_help=True)
keys = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(bank, name="bank")
app.add_typer(keys, name="keys")
model = typer.Typer(
    help="Generate training data, train and evaluate the scorer.", no_args_is_help=True
)
app.add_typer(model, name="model")
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="data folder (default: $MIRRORSCAN_DATA_DIR or ./mirrorscan-data)"
    ),
]


def settings_for(data_dir: Path | None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("    -/s" if speed is None else f"{speed:7.1f}/s")


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A bar with count, rate and ETA on stderr; yields ``advance(n)``."""
    with Progress(*_columns(), console=err, transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _columns() -> list[ProgressColumn]:
    return [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    ]


def _pipeline(settings: Settings) -> Any:
    from service.pipeline import Pipeline

    with err.status("loading models and indexes"):
        return Pipeline.open(settings)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Run the HTTP API (OpenAPI at /docs)."""
    import uvicorn

    from service.api.app import create_app
    from service.api.auth import ensure_admin_key

    settings = settings_for(data_dir)
    if settings.fetch.allow_loopback:
        raise fail("MIRRORSCAN_FETCH__ALLOW_LOOPBACK is for tests only; refusing to serve", 2)
    key = ensure_admin_key(settings)
    if key:
        err.print(
            "[bold yellow]Created an admin API key (shown once, only its hash is kept):[/]\n"
            f"  {key}\nSend it as the X-API-Key header.",
            highlight=False,
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", workers=1)


FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="jsonl, csv or parquet (default: from the file's suffix)"),
]


@bank.command("import")
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
    from service.batch import StrictStop, import_file
    from service.ingest.files import count_records, file_format

    if not file.is_file():
        raise fail(f"{file} is not a file", 2)
    kind = file_format(file, fmt)
    settings = settings_for(data_dir)
    pipeline = _pipeline(settings)
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
    _print_json(report.as_dict())
    if report.error_count:
        raise typer.Exit(1)


@bank.command("export")
def bank_export(
    file: Annotated[Path, typer.Argument(help="output: .jsonl, .csv or .parquet")],
    data_dir: DataDir = None,
    fmt: FormatOpt = None,
    avatars: Annotated[
        bool, typer.Option(help="write each stored avatar thumbnail as avatar_b64")
    ] = True,
) -> None:
    """Write every banned account to a file that `bank import` reads back."""
    from service.batch import export_file
    from service.ingest.files import file_format
    from service.store.bank import Store

    kind = file_format(file, fmt)
    settings = settings_for(data_dir)
    store = Store(settings.db_url, readonly=True)
    try:
        with progress_bar("exporting", store.count()) as advance:
            count = export_file(store, file, fmt=kind, avatars=avatars, advance=advance)
    finally:
        store.close()
    _print_json({"exported": count, "file": str(file)})


@bank.command("stats")
def bank_stats(data_dir: DataDir = None) -> None:
    """Print how many accounts the bank holds and how many each index holds."""
    settings = settings_for(data_dir)
    pipeline = _pipeline(settings)
    try:
        _print_json(
            {
                "accounts": pipeline.store.count(),
                "indexed": pipeline.indexes.counts(),
                "snapshot": pipeline.indexes.version or None,
            }
        )
    finally:
        pipeline.close()


@app.command()
def doctor(
    data_dir: DataDir = None,
    repair: Annotated[
        bool, typer.Option(help="rebuild the indexes from the store if needed")
    ] = False,
) -> None:
    """Check that the index snapshot loads (checksums) and that every channel index holds
    exactly the accounts the store says; with --repair, rebuild from the store if not."""
    from service.pipeline import Pipeline
    from service.reindex import check, ensure_current_vectors

    settings = settings_for(data_dir)
    with err.status("loading models"):
        pipeline = Pipeline.open(settings, indexes=False)
    try:
        report = check(pipeline)
        out: dict[str, Any] = {"before": report.as_dict()}
        if repair and not report.ok:
            with progress_bar("re-encoding", report.stale_accounts or None) as advance:
                ensure_current_vectors(pipeline, advance)
            with progress_bar("rebuilding", pipeline.store.count()) as advance:
                pipeline.rebuild_indexes(advance)
            report = check(pipeline)
            out["after"] = report.as_dict()
        _print_json(out)
    finally:
        pipeline.close()
    if not report.ok:
        if not repair:
            err.print("the indexes disagree with the store: run `mirrorscan doctor --repair`")
        raise typer.Exit(1)


@app.command()
def reindex(data_dir: DataDir = None) -> None:
    """Rebuild every index from the store (re-encoding what other models encoded) and write a
    new snapshot. A running server rebuilds with POST /v1/index-jobs instead."""
    from service.pipeline import Pipeline
    from service.reindex import ensure_current_vectors

    settings = settings_for(data_dir)
    with err.status("loading models"):
        pipeline = Pipeline.open(settings, indexes=False)
    try:
        with progress_bar("re-encoding", None) as advance:
            reencoded = ensure_current_vectors(pipeline, advance)
        with progress_bar("rebuilding", pipeline.store.count()) as advance:
            fresh = pipeline.rebuild_indexes(advance)
        _print_json({"snapshot": fresh.version, "indexed": fresh.counts(), "reencoded": reencoded})
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
    from service.batch import score_file
    from service.ingest.files import count_records, file_format
    from service.resume import Done

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
            from service.distributed import score_file_ray

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
            pipeline = _pipeline(settings)
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
    from service.bench.scale import CHANNELS, BenchChannel, run

    known = {c.name: c for c in CHANNELS}
    chosen = (
        list(known) if channels == "all" else [c.strip() for c in channels.split(",") if c.strip()]
    )
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise fail(f"unknown channels {unknown}; known: {', '.join(known)}", 2)
    for spec in extra_channel or []:
        name, _, rest = spec.partition(":")
        kind, _, dim = rest.partition(":")
        if not name or kind not in ("float", "binary") or not dim.isdigit() or int(dim) < 8:
            raise fail("--extra-channel takes NAME:KIND:DIM, KIND float or binary, DIM >= 8", 2)
        known[name] = BenchChannel(name, kind, int(dim), 8 if kind == "binary" else 1)  # type: ignore[arg-type]
        chosen.append(name)
    if not chosen:
        raise fail("no channel to measure", 2)
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
            tuple(known[c] for c in chosen),
            settings.index.policy(),
            n_queries=queries,
            seed=seed,
            cache_gb=cache_gb,
            advance=step,
        )
    out.write_text(json.dumps(report, indent=2))
    summary = {k: v for k, v in report.items() if k not in ("channels", "policy", "machine")}
    summary["channels"] = {
        name: {k: c[k] for k in ("index_type", "search_p50_ms", "search_p99_ms", "recall_at_10",
                                 "build_s", "index_mb")}
        for name, c in report["channels"].items()
    }  # fmt: skip
    _print_json(summary)


@keys.command("create")
def keys_create(
    scope: Annotated[list[str], typer.Option(help=f"one of {', '.join(SCOPES)}; repeatable")],
    data_dir: DataDir = None,
) -> None:
    """Create an API key in the data dir's key file; prints the key once."""
    from service.api.auth import KEY_FILE, add_key

    settings = settings_for(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        typer.echo(add_key(settings.data_dir / KEY_FILE, scope))
    except ValueError as exc:
        raise fail(str(exc), 2) from exc


def _progress(label: str, total: int | None) -> Callable[[int], None]:
    """A progress line per stage for long offline work (training, evaluation)."""
    bar = Progress(*_columns(), console=err, transient=True)
    bar.start()
    task = bar.add_task(label, total=total)

    def advance(n: int) -> None:
        bar.advance(task, n)
        if total is not None and bar.tasks[0].completed >= total:
            bar.stop()

    return advance


@model.command("generate")
def model_generate(
    out: Annotated[Path, typer.Argument(help="folder for the train/validation/test splits")],
    shared: Annotated[Path, typer.Option(help="reference data folder")] = SHARED,
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
    max_groups: Annotated[int | None, typer.Option(help="use at most this many groups")] = None,
    images: Annotated[
        str, typer.Option(help="'real' (npm logos, flags, emoji) or 'drawn'")
    ] = "real",
) -> None:
    """Generate labelled mirrors and hard negatives of real proscribed groups, split by group."""
    from service.training.generate import Generator
    from service.training.images import drawn_images, real_images
    from service.training.sources import all_groups, dakshina, roman_to_urdu

    for need in (shared / "sanctions", shared / "translit-ur"):
        if not need.is_dir():
            raise fail(f"{need} is missing: generation needs the reference data", 2)
    groups = all_groups(shared / "sanctions")
    lexicon = dakshina(shared / "translit-ur" / "ur.translit.sampled.train.tsv")
    with err.status("preparing images"):
        pool = real_images(seed) if images == "real" else drawn_images(seed)
    gen = Generator(groups, pool, roman_to_urdu(lexicon), seed=seed)
    splits = gen.build(max_groups)
    counts = {}
    for name, split in splits.items():
        split.write(out / name)
        counts[name] = {"bank": len(split.bank), "candidates": len(split.candidates)}
    meta = {"seed": seed, "groups": len(groups), "max_groups": max_groups, "images": images,
            "sources": ["UN consolidated list", "OFAC SDN (SDGT)", "Dakshina ur (train)",
                        "Faker en_PK/ar_SA/fa_IR/ar_AE"], "splits": counts}  # fmt: skip
    (out / "generator.json").write_text(json.dumps(meta, indent=2))
    _print_json(meta)


@model.command("train")
def model_train(
    data: Annotated[Path, typer.Option(help="generated splits (mirrorscan model generate)")],
    out: Annotated[Path, typer.Option(help="artifact to write")] = Path("models/scorer.json"),
    with_decisions: Annotated[
        bool, typer.Option(help="add moderator decisions from the data dir's audit log")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Fit, calibrate and write the scorer; prints validation and test metrics."""
    from service.training.card import render
    from service.training.fit import finite
    from service.training.run import train

    report = train(settings_for(data_dir), data, out, with_decisions=with_decisions,
                   progress=_progress)  # fmt: skip
    command = "mirrorscan model train --data DATA" + (" --with-decisions" if with_decisions else "")
    card = out.with_name("MODEL_CARD.md")
    card.write_text(render(json.loads(out.read_text()), command))
    err.print(f"wrote {out} and {card}", highlight=False)
    _print_json(finite(report))


@app.command("eval")
def evaluate_command(
    bank: Annotated[Path, typer.Argument(help="JSON Lines bank of banned accounts")],
    candidates: Annotated[Path, typer.Argument(help="JSON Lines profiles to score")],
    labels: Annotated[Path, typer.Argument(help='JSON Lines {"id", "account_id", "family"}')],
    prevalence: Annotated[
        float | None,
        typer.Option(help="score at this prevalence (default: the set's own share of mirrors)"),
    ] = None,
    encode_cache: Annotated[
        bool, typer.Option(help="keep the encoders' outputs beside the bank for the next run")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Score labelled candidates against a bank, at the set's own prevalence: legitimate
    accounts in block (by kind), the share of legitimate accounts in review, block precision and
    recall, calibration error, attribution, per evasion family; then curve summaries (ROC-AUC,
    AP, recall at a precision chosen on the set itself), beside naive peers."""
    from service.training.fit import finite
    from service.training.run import evaluate

    for f in (bank, candidates, labels):
        if not f.is_file():
            raise fail(f"{f} is not a file", 2)
    if prevalence is not None and not 0 < prevalence < 1:
        raise fail("--prevalence must be between 0 and 1", 2)
    cache = bank.parent / ".encode-cache" if encode_cache else None
    settings = settings_for(data_dir)
    report = evaluate(settings, bank, candidates, labels, _progress, prevalence, cache)
    _print_json(finite(report))


def main() -> None:
    try:
        app()
    except MirrorscanError as exc:
        err.print(f"[bold red]error:[/] {exc.detail}", highlight=False)
        sys.exit(1)
