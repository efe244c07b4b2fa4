"""Opening the database: SQLite with WAL and a busy timeout (PostgreSQL by URL), and the
read-only view a batch worker opens so that nothing it does can write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url

from service.errors import InvalidInput, storage_error


def open_engine(url: str, *, readonly: bool = False) -> Engine:
    engine_url, connect_args = _readonly_url(url) if readonly else (url, {})
    engine = create_engine(engine_url, future=True, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_readonly_pragmas if readonly else _sqlite_pragmas)
    event.listen(engine, "handle_error", _storage_faults)
    return engine


def _storage_faults(context: ExceptionContext) -> None:
    """A full disk or a read-only database becomes a domain error (507 / 503 over the API, one
    clear line in the CLI) at the store boundary, instead of the driver's text; the
    transaction was rolled back, so nothing was half written."""
    mapped = storage_error(context.original_exception)
    if mapped is not None:
        raise mapped from context.original_exception


def _sqlite_readonly_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _readonly_url(url: str) -> tuple[str, dict[str, Any]]:
    """The same database opened so that no write can happen (a batch worker's view)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("a read-only store needs a SQLite file")
        if not Path(parsed.database).is_file():
            raise InvalidInput(f"there is no bank at {parsed.database} (import one first)")
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true", {}
    if parsed.get_backend_name() == "postgresql":
        return url, {"options": "-c default_transaction_read_only=on"}
    return url, {}
