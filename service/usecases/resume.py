"""What a scoring output already holds, so ``score --resume`` skips it.

Ids are kept as sorted 64-bit hashes (8 bytes each: 8 MB for a million lines, whatever the ids'
length), looked up by binary search. An output line without an id (an input line that was not a
JSON object) is known by its line number instead. A run killed mid-write leaves a partial last
line; loading cuts it off so the resumed run rewrites that line whole."""

from __future__ import annotations

import hashlib
import json
import os
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from service.errors import InvalidInput
from service.ingest.files import LineError, Record

_EMPTY = np.zeros(0, dtype=np.uint64)


def id_hash(ident: str) -> int:
    return int.from_bytes(hashlib.blake2b(ident.encode(), digest_size=8).digest(), "little")


@dataclass
class Done:
    hashes: npt.NDArray[np.uint64] = field(default_factory=lambda: _EMPTY)
    lines: frozenset[int] = frozenset()

    def __len__(self) -> int:
        return int(len(self.hashes)) + len(self.lines)

    def has(self, item: Record | LineError) -> bool:
        ident = item.profile.id if isinstance(item, Record) else item.id
        if ident is None:
            return item.line in self.lines
        if not len(self.hashes):
            return False
        h = np.uint64(id_hash(ident))
        i = int(np.searchsorted(self.hashes, h))
        return i < len(self.hashes) and self.hashes[i] == h

    @classmethod
    def load(cls, out: Path) -> Done:
        """Read an output file (cutting off a partial last line); an absent file is empty."""
        if not out.exists():
            return cls()
        _cut_partial_line(out)
        hashes = array("Q")  # 8 bytes an id, not a Python int's 36
        lines: set[int] = set()
        with out.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    data = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise InvalidInput(
                        f"{out} line {number} is not JSON ({exc}); cannot resume from it"
                    ) from exc
                ident = data.get("id") if isinstance(data, dict) else None
                if isinstance(ident, str):
                    hashes.append(id_hash(ident))
                elif isinstance(data, dict) and isinstance(data.get("line"), int):
                    lines.add(int(data["line"]))
        return cls(np.unique(np.frombuffer(hashes, dtype=np.uint64)), frozenset(lines))


def _cut_partial_line(path: Path) -> None:
    """Truncate a file after its last newline (what a killed writer left half-written)."""
    size = path.stat().st_size
    if not size:
        return
    with path.open("rb+") as fh:
        end = size
        while end > 0:
            start = max(0, end - (1 << 16))
            fh.seek(start)
            block = fh.read(end - start)
            cut = block.rfind(b"\n")
            if cut >= 0:
                keep = start + cut + 1
                break
            end = start
        else:
            keep = 0
        if keep < size:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
