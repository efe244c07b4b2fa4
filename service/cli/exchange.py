"""``mirrorscan exchange``: pull a partner's bank export (incrementally) into a bank."""

from __future__ import annotations

import asyncio
from typing import Annotated
from urllib.parse import urlsplit

import typer

from service.cli.common import ACTOR, DataDir, err, fail, open_pipeline, print_json, settings_for

app = typer.Typer(help="Exchange banned-account lists with other systems.", no_args_is_help=True)


@app.command("pull")
def pull(
    url: Annotated[str, typer.Argument(help="the partner's export (STIX, JSON Lines, PDQ list)")],
    since: Annotated[
        str | None,
        typer.Option(
            help="ask only for what changed after this cursor (default: the cursor "
            "the last pull of this URL got)"
        ),
    ] = None,
    bank: Annotated[
        str | None, typer.Option("--bank", help="the bank (default: partner-<host>, created)")
    ] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="default: from the content")] = None,
    full: Annotated[bool, typer.Option(help="ask for everything (ignore the kept cursor)")] = False,
    data_dir: DataDir = None,
) -> None:
    """Fetch a partner's export through the SSRF-safe fetcher (https, hosts listed in
    MIRRORSCAN_EXCHANGE__PARTNER_HOSTS only, size and time caps) and import it into a bank, all
    or nothing. Idempotent: pulling the same export again changes nothing; each account
    records its source and when it was fetched. The cursor the partner names (header
    X-Mirrorscan-Cursor, or a STIX bundle's x_mirrorscan_cursor) is kept for the next pull."""
    from service.errors import MirrorscanError
    from service.ingest.fetch import SafeFetcher
    from service.usecases.bank import create_bank
    from service.usecases.exchange import pulled, since_url

    settings = settings_for(data_dir)
    host = (urlsplit(url).hostname or "partner").lower()
    name = bank or "partner-" + "".join(c if c.isalnum() or c in "._-" else "-" for c in host)
    pipeline = open_pipeline(settings)
    try:
        store = pipeline.store
        cursor = since or (None if full else store.banks.cursor(url))
        if store.banks.get(name) is None:
            create_bank(store, ACTOR, name[:64], "banned", f"pulled from {host}")
        ex = settings.exchange

        async def fetch() -> tuple[bytes, dict[str, str]]:
            async with SafeFetcher(settings.fetch) as fetcher:
                page = await fetcher.fetch_export(since_url(url, cursor), ex.partner_hosts,
                                                  max_bytes=ex.max_bytes,
                                                  deadline_s=ex.deadline_s)  # fmt: skip
                return page.body, page.headers

        with err.status(f"pulling {host}"):
            body, headers = asyncio.run(fetch())
            result = pulled(pipeline, ACTOR, url, body, headers, fmt=fmt, bank=name[:64])
        pipeline.write_snapshot()
    except MirrorscanError as exc:
        for line in getattr(exc, "errors", [])[:50]:
            err.print(f"[red]{line}[/]", soft_wrap=True, markup=False)
        raise fail(exc.detail, 1) from exc
    finally:
        pipeline.close()
    print_json({**result.as_dict(), "bank": name[:64], "since": cursor})
