"""Backup and restore of a data dir whose bank is SQLite: the database through SQLite's online
backup API (a consistent copy taken while the server goes on writing), the current index
snapshot with its manifest, and the hashed key file, under a ``backup.json`` manifest that names
every file with its SHA-256, the counts and the audit log's head hash. A restore checks every
checksum, puts the files in place (moving an existing bank aside only when told to), and checks
the restored bank against the manifest and the audit log's hash chain.

Lossless by construction: the database file holds every account with its stored vectors, PDQ
hashes and thumbnails, every lookup key, the whole audit log (decisions included) and the change
counters; the snapshot is the exact index files. A bank in PostgreSQL is backed up with the
database's own tools (``PG_GUIDANCE``)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from service.config import Settings
from service.errors import Conflict, IndexCorrupt, InvalidInput, MirrorscanError
from service.files import sha256_file
from service.index.snapshot import current_version
from service.store.bank import Store

MANIFEST = "backup.json"
DB_FILE = "bank.sqlite3"
KEY_FILE = "api_keys.json"
FORMAT = 1
PG_GUIDANCE = (
    "the bank is in PostgreSQL: back it up with the database's tools, e.g. "
    "`pg_dump --format=custom --file=mirrorscan.dump DBNAME` (restore: `pg_restore --clean "
    "--if-exists --dbname=DBNAME mirrorscan.dump`); the indexes are derived and are rebuilt "
    "from it (`mirrorscan reindex`)"
)


class Unsupported(MirrorscanError):
    status = 409
    title = "Not supported for this store"
    type_slug = "unsupported"


def _sqlite_file(settings: Settings) -> Path:
    url = make_url(settings.db_url)
    if url.get_backend_name() != "sqlite":
        raise Unsupported(PG_GUIDANCE)
    if not url.database or url.database == ":memory:":
        raise Unsupported("an in-memory bank has nothing to back up")
    return Path(url.database)


def backup(settings: Settings, dest: Path) -> dict[str, Any]:
    """Write a backup of the data dir into ``dest`` (new, or an empty folder); returns its
    manifest. Safe while a server writes to the bank."""
    db = _sqlite_file(settings)
    if not db.is_file():
        raise InvalidInput(f"there is no bank at {db}")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise Conflict(f"{dest} exists and is not an empty folder")
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = dest.parent / f".{dest.name}.partial-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        _copy_database(db, work / DB_FILE)
        snapshot = _copy_snapshot(settings.index_dir, work / "indexes")
        keys = settings.data_dir / KEY_FILE
        if keys.is_file():
            shutil.copy2(keys, work / KEY_FILE)
        manifest = {
            "format": FORMAT,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "snapshot": snapshot,
            **_describe(work / DB_FILE),
            "files": _checksums(work),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        _fsync_tree(work)
        if dest.exists():
            dest.rmdir()
        work.rename(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def restore(settings: Settings, src: Path, *, force: bool = False) -> dict[str, Any]:
    """Put the backup in ``src`` into the data dir, after checking every file's checksum.
    A data dir that already holds a bank is refused unless ``force``, which moves that bank
    aside (``bank.sqlite3.before-restore-<time>``). Stop the server first."""
    manifest = read_manifest(src)
    db = _sqlite_file(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if db.exists():
        if not force:
            raise Conflict(f"{db} already holds a bank; --force moves it aside first")
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        for suffix in ("", "-wal", "-shm"):
            old = db.with_name(db.name + suffix)
            if old.exists():
                old.rename(old.with_name(f"{old.name}.before-restore-{stamp}"))
    tmp = db.with_name(f".{db.name}.restoring")
    shutil.copyfile(src / DB_FILE, tmp)
    _fsync(tmp)
    os.replace(tmp, db)
    if manifest.get("snapshot"):
        version = str(manifest["snapshot"])
        index_dir = settings.index_dir
        index_dir.mkdir(parents=True, exist_ok=True)
        if not (index_dir / version).exists():
            shutil.copytree(src / "indexes" / version, index_dir / version)
        _fsync_tree(index_dir / version)
        current = index_dir / ".CURRENT.restoring"
        current.write_text(version)
        _fsync(current)
        os.replace(current, index_dir / "CURRENT")
    keys = settings.data_dir / KEY_FILE
    if (src / KEY_FILE).is_file() and (force or not keys.exists()):
        shutil.copy2(src / KEY_FILE, keys)
    restored = _describe(db)
    for field in ("accounts", "accounts_removed", "audit_entries", "audit_head"):
        if restored[field] != manifest[field]:
            raise IndexCorrupt(f"the restored bank's {field} is {restored[field]}, the backup "
                               f"says {manifest[field]}")  # fmt: skip
    return {"restored_from": str(src), "snapshot": manifest.get("snapshot"), **restored}


def read_manifest(src: Path) -> dict[str, Any]:
    """The backup's manifest, after checking that every file it lists has its checksum."""
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise InvalidInput(f"{src} is not a mirrorscan backup (no {MANIFEST})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{src / MANIFEST} is unreadable") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput(f"{src / MANIFEST} is not a backup manifest this version reads")
    for name, digest in dict(manifest.get("files") or {}).items():
        path = (src / name).resolve()
        if not path.is_relative_to(src.resolve()) or not path.is_file():
            raise InvalidInput(f"the backup lacks {name}")
        if sha256_file(path) != digest:
            raise InvalidInput(f"{name} in the backup does not match its checksum")
    if DB_FILE not in (manifest.get("files") or {}):
        raise InvalidInput("the backup holds no bank")
    return manifest


def _copy_database(db: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while other connections read and write."""
    source = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=4096)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()
        source.close()


def _copy_snapshot(index_dir: Path, target: Path) -> str | None:
    """The current snapshot folder (files and manifest) and a CURRENT naming it; None when
    there is none (the indexes are then rebuilt from the bank on start)."""
    for _ in range(3):  # a snapshot written meanwhile may remove the one being copied
        try:
            version = current_version(index_dir)
        except IndexCorrupt:
            return None
        if version is None or not (index_dir / version).is_dir():
            return None
        try:
            shutil.copytree(index_dir / version, target / version)
        except (FileNotFoundError, shutil.Error):
            shutil.rmtree(target, ignore_errors=True)
            continue
        (target / "CURRENT").write_text(version)
        return version
    return None


def _describe(db: Path) -> dict[str, Any]:
    store = Store(f"sqlite:///{db}", readonly=True)
    try:
        chain = store.audit_log.verify_chain()
        return {
            "accounts": store.count(),
            "accounts_removed": store.count(include_removed=True) - store.count(),
            "store_seq": store.max_seq(),
            "audit_entries": chain.entries,
            "audit_head": {"seq": chain.head_seq, "hash": chain.head_hash},
            "audit_chain_ok": chain.ok,
        }
    finally:
        store.close()


def _checksums(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): sha256_file(p) for p in sorted(root.rglob("*")) if p.is_file()
    }


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in [*sorted(root.rglob("*")), root]:
        _fsync(path)
