"""What the commands share: the console for progress and errors, the ``--data-dir`` and
``--format`` options, settings, progress bars, opening the pipeline, printing JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
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

from service.config import Settings

ACTOR = "cli"  # who the audit log says made a change from the command line
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="data folder (default: $MIRRORSCAN_DATA_DIR or ./mirrorscan-data)"
    ),
]


def settings_for(data_dir: Path | None) -> Settings:
    """The settings, or one clear line per bad setting and exit status 2 (no traceback)."""
    try:
        return Settings(data_dir=data_dir) if data_dir else Settings()
    except ValidationError as exc:
        lines = [f"{_env_name(e['loc'])}: {_message(e['msg'])}" for e in exc.errors()]
        raise fail("bad setting " + "; ".join(lines), 2) from None
    except SettingsError as exc:
        raise fail(f"bad setting: {exc} (is it valid JSON?)", 2) from None


def _env_name(loc: tuple[int | str, ...]) -> str:
    """The environment variable of a setting's location (a key inside a mapping, which may be
    a secret such as an API key, is left out)."""
    names = [str(p) for p in loc[:2] if isinstance(p, str)]
    if names[:1] == ["api_keys"]:
        names = names[:1]
    return "MIRRORSCAN_" + "__".join(names).upper()


def _message(msg: str) -> str:
    return msg.removeprefix("Value error, ")


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
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


def open_pipeline(settings: Settings) -> Any:
    from service.pipeline import Pipeline

    with err.status("loading models and indexes"):
        return Pipeline.open(settings)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="jsonl, csv or parquet (default: from the file's suffix)"),
]


def stage_progress(label: str, total: int | None) -> Callable[[int], None]:
    """A progress line per stage for long offline work (training, evaluation)."""
    bar = Progress(*_columns(), console=err, transient=True)
    bar.start()
    task = bar.add_task(label, total=total)

    def advance(n: int) -> None:
        bar.advance(task, n)
        if total is not None and bar.tasks[0].completed >= total:
            bar.stop()

    return advance
