"""Domain errors that carry their HTTP status. The API maps them once to
``application/problem+json``; the CLI prints ``detail``. Domain code never raises HTTP errors."""

from __future__ import annotations

import errno
import math

# What a 5xx answer says instead of a detail that may hold internal text (SQL, paths, traces).
INTERNAL_DETAIL = "an internal error occurred; it was logged with this request's id"


class MirrorscanError(Exception):
    status = 500
    title = "Internal error"
    type_slug = "internal"
    # whether ``detail`` may be shown to a caller as it is; a 5xx whose detail names files or
    # queries sets it False and the API answers INTERNAL_DETAIL (the detail goes to the log)
    public = True
    # seconds after which a retry may succeed: the answer's ``Retry-After`` (429, 503)
    retry_after: float | None = None

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
        """Headers the answer carries besides the problem: ``Retry-After`` in whole seconds
        (at least 1) when the error says when to retry. The API and the pages both use it."""
        if self.retry_after is None:
            return {}
        return {"Retry-After": str(max(1, math.ceil(self.retry_after)))}


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
    """Too many failed API keys or sign-ins from this address or with this key's prefix (the
    failure throttle, before any key is looked at; ``RateLimited`` is a known key's own rate)."""

    status = 429
    title = "Too many requests"
    type_slug = "too-many-requests"

    def __init__(self, detail: str, *, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


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
    public = False  # names files of the data dir


class StorageFull(MirrorscanError):
    """The disk (or the database's quota) is full: nothing was written; retry when space is
    back."""

    status = 507
    title = "Insufficient storage"
    type_slug = "storage-full"


class StorageUnavailable(MirrorscanError):
    """The data dir or the database cannot be written (read-only, permissions, I/O error)."""

    status = 503
    title = "Storage unavailable"
    type_slug = "storage-unavailable"


class Overloaded(MirrorscanError):
    """More work is queued than the server takes on; retry after ``retry_after`` seconds."""

    status = 503
    title = "Overloaded"
    type_slug = "overloaded"

    def __init__(self, detail: str, *, retry_after: float = 1.0) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class RateLimited(MirrorscanError):
    """This key sent more than its scope's rate or holds more requests open than allowed."""

    status = 429
    title = "Too many requests"
    type_slug = "rate-limited"

    def __init__(self, detail: str, *, retry_after: float = 1.0) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class DeadlineExceeded(MirrorscanError):
    """The request's work did not finish within the request deadline; what was queued was
    dropped."""

    status = 503
    title = "Deadline exceeded"
    type_slug = "deadline-exceeded"

    def __init__(self, detail: str, *, retry_after: float = 5.0) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ClientGone(MirrorscanError):
    """The client closed the connection; its queued work was dropped (nobody reads the answer;
    logged and counted as 499, as nginx does)."""

    status = 499
    title = "Client closed request"
    type_slug = "client-gone"


_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_UNAVAILABLE_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
# SQLite result codes (``sqlite3.Error.sqlite_errorcode``, primary code in the low byte)
_SQLITE_FULL = 13
_SQLITE_UNAVAILABLE = {8, 10, 14}  # READONLY, IOERR, CANTOPEN
# PostgreSQL SQLSTATEs: disk full, out of memory/too many connections, read-only transaction
_PG_FULL = {"53100"}
_PG_UNAVAILABLE = {"25006", "57P03", "08006", "08001"}


def storage_error(exc: BaseException) -> MirrorscanError | None:
    """The domain error for a storage fault (a full disk, a read-only data dir or database), or
    None when ``exc`` is not one. Recognises ``OSError`` errnos, SQLite result codes and
    PostgreSQL SQLSTATEs, so the store and the snapshot writer map faults in one place."""
    if isinstance(exc, MirrorscanError):
        return None
    if isinstance(exc, OSError) and exc.errno is not None:
        if exc.errno in _FULL_ERRNOS:
            return StorageFull("the disk holding the data dir is full; this write was not made")
        if exc.errno in _UNAVAILABLE_ERRNOS:
            return StorageUnavailable("the data dir cannot be written (read-only or I/O error)")
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        if code & 0xFF == _SQLITE_FULL:
            return StorageFull("the database's disk is full; this write was rolled back")
        if code & 0xFF in _SQLITE_UNAVAILABLE:
            return StorageUnavailable("the database cannot be written (read-only or I/O error)")
        return None
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if isinstance(state, str):
        if state in _PG_FULL:
            return StorageFull("the database's disk is full; this write was rolled back")
        if state in _PG_UNAVAILABLE:
            return StorageUnavailable("the database cannot be written now")
    return None
