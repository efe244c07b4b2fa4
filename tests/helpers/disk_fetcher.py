"""A fetcher that serves saved pages from disk and records what was asked for."""

from __future__ import annotations

from service.errors import FetchFailed
from service.ingest.fetch import FetchedPage
from tests.helpers.fetch_server import PNG
from tests.helpers.settings import shared_data


class DiskFetcher:
    """Serves saved pages by URL and records what was asked for."""

    def __init__(
        self,
        pages: dict[str, str],
        redirects: dict[str, str] | None = None,
        avatar_error: Exception | None = None,
    ) -> None:
        self.pages = pages
        self.redirects = redirects or {}
        self.avatar_error = avatar_error
        self.asked: list[str] = []

    async def fetch_page(self, url: str, platform: str | None = None) -> FetchedPage:
        self.asked.append(url)
        if url not in self.pages:
            raise FetchFailed(f"the site says this profile does not exist (HTTP 404): {url}")
        html = (
            shared_data("pages", self.pages[url]).read_bytes()
            if self.pages[url].endswith(".html")
            else self.pages[url].encode()
        )
        return FetchedPage(url, "text/html; charset=utf-8", html)

    async def fetch_image(self, url: str, platform: str | None = None) -> bytes:
        self.asked.append(url)
        if self.avatar_error is not None:
            raise self.avatar_error
        return PNG

    async def resolve_redirect(self, url: str, platform: str | None = None) -> str:
        self.asked.append(url)
        return self.redirects[url]
