"""``mirrorscan keys``: API keys in the store (the API, the pages and the CLI share one key ring,
``service.auth``); a running server, and every replica on the store, follows the change within
its poll interval."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from service.cli.common import DataDir, fail, print_json, settings_for
from service.config import SCOPES
from service.errors import MirrorscanError

app = typer.Typer(help="Manage API keys (in the store).", no_args_is_help=True)
ACTOR = "mirrorscan keys (command line)"


@app.command("create")
def keys_create(
    label: Annotated[str, typer.Option(help="who or what uses the key (shown in the audit log)")],
    scope: Annotated[list[str], typer.Option(help=f"one of {', '.join(SCOPES)}; repeatable")],
    data_dir: DataDir = None,
) -> None:
    """Create an API key; prints the key once (only its hash is kept), its id on stderr."""
    from service.store.shared import SharedState
    from service.usecases.keys import check_new_key, create_key

    try:
        check_new_key(label, scope)
    except MirrorscanError as exc:
        raise fail(exc.detail, 2) from exc
    shared = SharedState.open(settings_for(data_dir))
    try:
        stored, key = create_key(shared, ACTOR, label, scope)
    finally:
        shared.close()
    typer.echo(key)
    typer.echo(f"id {stored.id}, label {stored.label!r}, scopes {list(stored.scopes)}", err=True)


@app.command("list")
def keys_list(
    data_dir: DataDir = None,
    revoked: Annotated[bool, typer.Option(help="include revoked keys")] = False,
) -> None:
    """The store's keys as JSON (ids, labels, scopes, prefixes; never the keys)."""
    from service.store.shared import SharedState
    from service.usecases.keys import list_keys

    shared = SharedState.open(settings_for(data_dir))
    try:
        found = list_keys(shared, include_revoked=revoked)
    finally:
        shared.close()
    rows = [
        {"id": k.id, "label": k.label, "scopes": list(k.scopes), "prefix": k.prefix,
         "created_by": k.created_by, "created_at": k.created_at.isoformat(),
         "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None}
        for k in found
    ]  # fmt: skip
    print_json(rows)


@app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="the key's id (from `keys list`)")],
    data_dir: DataDir = None,
) -> None:
    """Revoke a key; the moderator sessions it opened end with it."""
    from service.store.shared import SharedState
    from service.usecases.keys import revoke_key

    shared = SharedState.open(settings_for(data_dir))
    try:
        revoked = revoke_key(shared, ACTOR, key_id)
    except MirrorscanError as exc:
        raise fail(exc.detail, 1) from exc
    finally:
        shared.close()
    typer.echo(json.dumps({"revoked": revoked.id, "label": revoked.label}))
