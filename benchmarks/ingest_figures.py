"""Figures for the URL ingest: how fast each refusal case is refused (with production caps and
deadline, loopback allowed only where a local hostile server is needed), and what extraction
reads from each saved real page and how long it takes.

    PYTHONPATH=$PWD python benchmarks/ingest_figures.py [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from service.config import FetchSettings
from service.errors import MirrorscanError
from service.ingest.extract import extract_profile
from service.ingest.fetch import SafeFetcher
from service.ingest.urls import canonicalize
from tests.helpers.fetch_server import serve

PAGES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pages"
SAVED = {
    "bluesky-profile.html": "https://bsky.app/profile/stephenking.bsky.social",
    "facebook-page.html": "https://m.facebook.com/Nintendo",
    "instagram-profile.html": "https://www.instagram.com/pluto__travel/",
    "telegram-bot.html": "https://t.me/DiaboxApp",
    "telegram-channel.html": "https://t.me/unlimitedhangout",
    "tiktok-profile.html": "https://www.tiktok.com/@illojuan",
    "x-profile.html": "https://x.com/kikobeats",
    "x-profile-og.html": "https://x.com/Kikobeats",
    "youtube-channel.html": "https://www.youtube.com/channel/UCzcRQ3vRNr6fJ1A9rqFn7QA",
}
HOSTILE = (
    "127.0.0.1",
    "localhost",
    "::1",
    "::ffff:127.0.0.1",
    "169.254.169.254",
    "2130706433",
    "0x7f.1",
    "100.64.0.1",
)
ADDRESS_CASES = [
    "https://127.0.0.1/",
    "https://localhost/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://169.254.169.254/latest/meta-data/",
    "https://2130706433/",
    "https://0x7f.1/",
    "https://100.64.0.1/",
]
FORM_CASES = [
    "http://x.com/jack",
    "ftp://x.com/jack",
    "file:///etc/passwd",
    "https://user:password@x.com/jack",
]
SERVER_CASES = [
    "/to-metadata",
    "/to-private-https",
    "/big-declared",
    "/big-chunked",
    "/drip",
    "/hang",
    "/bomb",
    "/login-wall",
]


async def _attempt(settings: FetchSettings, url: str) -> tuple[float, str]:
    start = time.monotonic()
    try:
        async with SafeFetcher(settings) as fetcher:
            await fetcher.fetch_page(url)
        outcome = "FETCHED (not refused!)"
    except MirrorscanError as err:
        outcome = f"{type(err).__name__}: {err.detail}"
    return time.monotonic() - start, outcome


def refusals() -> list[dict[str, object]]:
    production = FetchSettings()
    allow_listed = FetchSettings(page_hosts={"test": HOSTILE})
    rows: list[dict[str, object]] = []
    for url in ADDRESS_CASES:
        seconds, outcome = asyncio.run(_attempt(allow_listed, url))
        rows.append(
            {"case": url, "setting": "host allow-listed", "seconds": seconds, "outcome": outcome}
        )
    for url in ADDRESS_CASES + FORM_CASES:
        seconds, outcome = asyncio.run(_attempt(production, url))
        rows.append({"case": url, "setting": "production", "seconds": seconds, "outcome": outcome})
    with serve() as server:
        local = FetchSettings(
            page_hosts={"test": ("127.0.0.1", "169.254.169.254", "10.0.0.1")}, allow_loopback=True
        )  # production caps, timeouts and deadline
        for path in SERVER_CASES:
            seconds, outcome = asyncio.run(_attempt(local, server.url(path)))
            rows.append(
                {
                    "case": path,
                    "setting": "local hostile server",
                    "seconds": seconds,
                    "outcome": outcome,
                }
            )
    return rows


def extraction(repeats: int = 5) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, url in SAVED.items():
        html = (PAGES / name).read_text(encoding="utf-8")
        canonical = canonicalize(url)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            profile = extract_profile(html, canonical)
            times.append(time.perf_counter() - start)
        rows.append(
            {
                "page": name,
                "kb": len(html.encode()) // 1024,
                "ms": statistics.median(times) * 1000,
                **profile.as_json(),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    console = Console(width=160)
    refused = refusals()
    table = Table(title="Refusals (each must be a clear problem in < 5 s)")
    for column in ("case", "setting", "seconds", "outcome"):
        table.add_column(column, overflow="fold")
    for row in refused:
        table.add_row(
            str(row["case"]), str(row["setting"]), f"{row['seconds']:.3f}", str(row["outcome"])[:90]
        )
    console.print(table)
    worst = max(float(str(r["seconds"])) for r in refused)
    not_refused = sum("FETCHED" in str(r["outcome"]) for r in refused)
    console.print(f"{len(refused)} cases, slowest {worst:.2f} s, not refused: {not_refused}")
    pages = extraction() if PAGES.exists() else []
    table = Table(title="Extraction from saved real pages")
    for column in ("page", "KB", "ms", "name", "handle", "bio", "avatar"):
        table.add_column(column, overflow="fold")
    for row in pages:
        table.add_row(
            str(row["page"]),
            str(row["kb"]),
            f"{row['ms']:.1f}",
            str(row["display_name"]),
            str(row["handle"]),
            str(row["bio"])[:40],
            str(row["avatar_url"])[:40],
        )
    console.print(table)
    if args.json:
        args.json.write_text(
            json.dumps({"refusals": refused, "pages": pages}, indent=1, ensure_ascii=False)
        )


if __name__ == "__main__":
    main()
