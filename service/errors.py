"""Domain errors that carry their HTTP status. The API maps them once to
``application/problem+json``; the CLI prints ``detail``. Domain code never raises HTTP errors."""

from __future__ import annotations


class MirrorscanError(Exception):
    status = 500
    title = "Internal error"
    type_slug = "internal"

    def __init__(self, detail: str, *, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status

    @property
    def type_uri(self) -> str:
        return f"https://mirrorscan.dev/problems/{self.type_slug}"

    @property
    def headers(self) -> dict[str, str]:
        """Headers the answer carries besides the problem (``Retry-After``)."""
        return {}


class InvalidInput(MirrorscanError):
    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"


class PayloadTooLarge(MirrorscanError):
    status = 413
    title = "Payload too large"
    type_slug = "payload-too-large"


class UnsupportedMedia(MirrorscanError):
    status = 415
    title = "Unsupported media"
    type_slug = "unsupported-media"


class BadImage(MirrorscanError):
    status = 422
    title = "Unreadable image"
    type_slug = "bad-image"


class NotFound(MirrorscanError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(MirrorscanError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class Unauthorized(MirrorscanError):
    status = 401
    title = "Unauthorized"
    type_slug = "unauthorized"


class Forbidden(MirrorscanError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class TooManyRequests(MirrorscanError):
    status = 429
    title = "Too many requests"
    type_slug = "too-many-requests"

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = max(1, retry_after_s)

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class NotReady(MirrorscanError):
    status = 503
    title = "Not ready"
    type_slug = "not-ready"


class FetchRefused(MirrorscanError):
    """A URL the fetcher will not touch (scheme, host, address, port)."""

    status = 422
    title = "URL refused"
    type_slug = "url-refused"


class FetchFailed(MirrorscanError):
    """The remote page could not be read (timeout, too large, login wall, bad status)."""

    status = 502
    title = "Fetch failed"
    type_slug = "fetch-failed"


class IndexCorrupt(MirrorscanError):
    status = 500
    title = "Index does not match its manifest"
    type_slug = "index-corrupt"
