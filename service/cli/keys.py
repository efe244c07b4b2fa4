"""``mirrorscan keys``: API keys of the data dir's key file (the API, the pages and the CLI
share one key ring, ``service.auth``)."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.common import (
    DataDir,
    fail,
    settings_for,
)
from service.config import SCOPES

app = typer.Typer(help="Manage API keys.", no_args_is_help=True)


@app.command("create")
def keys_create(
    scope: Annotated[list[str], typer.Option(help=f"one of {', '.join(SCOPES)}; repeatable")],
    data_dir: DataDir = None,
) -> None:
    """Create an API key in the data dir's key file; prints the key once."""
    from service.auth import KEY_FILE, add_key

    settings = settings_for(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        typer.echo(add_key(settings.data_dir / KEY_FILE, scope))
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
