"""A set of channel indexes with the store change counter it reflects, and its on-disk snapshots.

A snapshot is a versioned folder: one ``<channel>.faiss`` per channel (written with
``faiss.write_index``, never pickled) and ``manifest.json`` (model, kind, dimension, count, index
type and plan - family, lists, probes, measured recall - and checksum per channel; the store
counter). ``CURRENT`` names the newest complete snapshot and
is replaced atomically, so a reader never sees a half-written one."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.errors import IndexCorrupt
from service.files import sha256_file
from service.index.faiss_index import ChannelIndex, Kind
from service.index.plan import IndexPlan

log = logging.getLogger(__name__)
MANIFEST_VERSION = 1
KEEP_SNAPSHOTS = 2
# a folder name in the snapshot root (``write_snapshot`` makes ``<UTC stamp>-<hex>-s<seq>``):
# never a path, never hidden
_VERSION = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    name: str
    kind: Kind
    dim: int
    model: str  # what produced the vectors; a snapshot of another model is not loaded


class IndexSet:
    """The live indexes. ``store_seq``: every store change up to it is reflected here."""

    def __init__(self, specs: dict[str, ChannelSpec], store_seq: int = 0) -> None:
        self.specs = specs
        self.channels = {name: ChannelIndex(s.kind, s.dim) for name, s in specs.items()}
        self.store_seq = store_seq
        self.version = ""

    def counts(self) -> dict[str, int]:
        return {name: idx.ntotal for name, idx in self.channels.items()}

    def write_snapshot(self, root: Path) -> Path:
        """Write every channel and a manifest into a new folder, then point ``CURRENT`` at it.

        Safe beside concurrent upserts: ``store_seq`` is read first, so every change up to it is
        in the files; a later change may or may not be, and is replayed on load (idempotent).
        Files are fsynced before ``CURRENT`` moves, so a crash leaves the old snapshot current."""
        root.mkdir(parents=True, exist_ok=True)
        store_seq = self.store_seq
        now = time.time_ns()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9)) + f".{now % 10**9:09d}Z"
        # names sort by time (cleanup keeps the newest); the random part keeps two writers apart
        version = f"{stamp}-{secrets.token_hex(3)}-s{store_seq}"
        work = Path(tempfile.mkdtemp(prefix=".snap-", dir=root))
        channels: dict[str, Any] = {}
        for name, index in self.channels.items():
            spec = self.specs[name]
            path = work / f"{name}.faiss"
            index.write(path)
            _fsync(path)
            channels[name] = {
                "kind": spec.kind,
                "dim": spec.dim,
                "model": spec.model,
                "count": index.ntotal,
                "index_type": index.index_type,
                "plan": index.plan.as_json(),
                "file": path.name,
                "sha256": sha256_file(path),
            }
        manifest = {
            "manifest_version": MANIFEST_VERSION,
            "version": version,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "store_seq": store_seq,
            "channels": channels,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        _fsync(work / "manifest.json")
        target = root / version
        work.rename(target)
        _fsync(root)
        _atomic_write(root / "CURRENT", version)
        self.version = version
        _cleanup(root, keep={version})
        return target

    @classmethod
    def load_current(cls, root: Path, specs: dict[str, ChannelSpec]) -> IndexSet | None:
        """The current snapshot, or None when there is none or it was built for other models or
        channels (then the caller rebuilds from the store). A checksum mismatch raises."""
        for attempt in range(3):
            version = current_version(root)
            if version is None:
                return None
            try:
                return cls._load(root / version, specs)
            except FileNotFoundError:
                # another process moved CURRENT on and cleaned this folder up: read CURRENT again
                if attempt == 2 or current_version(root) == version:
                    raise IndexCorrupt(
                        f"snapshot {version} named by CURRENT is incomplete"
                    ) from None
            except (KeyError, TypeError, ValueError) as exc:
                raise IndexCorrupt(f"snapshot {version} has a malformed manifest: {exc}") from exc
        return None

    @classmethod
    def _load(cls, folder: Path, specs: dict[str, ChannelSpec]) -> IndexSet | None:
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise IndexCorrupt(f"{folder}/manifest.json is unreadable: {exc}") from exc
        if not isinstance(manifest, dict) or manifest.get("manifest_version") != MANIFEST_VERSION:
            return None
        channels = manifest["channels"]
        if set(channels) != set(specs):
            log.info("snapshot %s has channels %s; rebuilding", folder.name, sorted(channels))
            return None
        for name, spec in specs.items():
            entry = channels[name]
            if (entry["kind"], entry["dim"], entry["model"]) != (spec.kind, spec.dim, spec.model):
                log.info("snapshot %s channel %s was built by %s; rebuilding", folder, name, entry)
                return None
        out = cls(specs, store_seq=int(manifest["store_seq"]))
        for name, spec in specs.items():
            entry = channels[name]
            path = folder / entry["file"]
            if sha256_file(path) != entry["sha256"]:
                raise IndexCorrupt(f"{path} does not match the checksum in its manifest")
            try:
                plan = IndexPlan.from_json(entry["plan"]) if "plan" in entry else None
                index = ChannelIndex.read(spec.kind, spec.dim, path, plan)
            except (KeyError, TypeError, ValueError) as exc:
                raise IndexCorrupt(f"{path} does not match its manifest: {exc}") from exc
            if index.ntotal != entry["count"]:
                raise IndexCorrupt(f"{path} holds {index.ntotal} vectors, manifest says {entry}")
            out.channels[name] = index
        out.version = manifest["version"]
        return out


def current_version(root: Path) -> str | None:
    """The version ``CURRENT`` names, or None when there is no snapshot yet. ``CURRENT`` that is
    not a snapshot name (not UTF-8, garbage, a path) raises ``IndexCorrupt`` like every other
    snapshot fault, so the caller rebuilds from the store."""
    try:
        raw = (root / "CURRENT").read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise IndexCorrupt("CURRENT is not a file") from exc
    try:
        version = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise IndexCorrupt("CURRENT is not UTF-8 text") from exc
    if not version:
        return None
    if not _VERSION.fullmatch(version):
        raise IndexCorrupt("CURRENT does not name a snapshot")
    return version


def _current_or_none(root: Path) -> str | None:
    try:
        return current_version(root)
    except IndexCorrupt:
        return None


def snapshot_folders(root: Path) -> list[Path]:
    """Complete snapshot folders, oldest first (names start with their UTC time)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, content: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync(path.parent)


def _cleanup(root: Path, keep: set[str]) -> None:
    """Keep the newest snapshots and the current one; remove older ones and abandoned
    temporary folders. A process that loaded an old snapshot holds it in memory, not on disk."""
    keep = keep | {v for v in [_current_or_none(root)] if v}
    for old in snapshot_folders(root)[:-KEEP_SNAPSHOTS]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    for tmp in root.glob(".snap-*"):
        if time.time() - tmp.stat().st_mtime > 3600:
            shutil.rmtree(tmp, ignore_errors=True)
