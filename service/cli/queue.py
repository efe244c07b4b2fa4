"""``mirrorscan queue``: the review queue's retention (``service/usecases/review_queue.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import DataDir, print_json, settings_for

app = typer.Typer(help="The review queue of profiles put in review.", no_args_is_help=True)


@app.command("purge")
def queue_purge(
    older_than: Annotated[
        float | None,
        typer.Option(
            "--older-than",
            min=0,
            help="days; default: the retention setting (MIRRORSCAN_QUEUE__RETENTION_DAYS)",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Delete the queued profiles queued more than DAYS ago, whatever their state (decided ones
    are already in the audit log). The server applies the same rule as it queues."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    from service.store.bank import Store
    from service.usecases.review_queue import purge

    settings = settings_for(data_dir)
    days = settings.queue.retention_days if older_than is None else older_than
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        print_json({"purged": 0, "older_than_days": days})  # no bank, so no queue
        return
    store = Store(settings.db_url)
    try:
        has_queue = inspect(store.engine).has_table("review_queue")
        purged = purge(store, days) if has_queue else 0
    finally:
        store.close()
    print_json({"purged": purged, "older_than_days": days})
