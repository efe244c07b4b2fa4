"""Namesakes: how much evidence a full-name match with a banned member carries, by reference table.

A private person who shares a banned member's full name matches every word of it; the name
channel's ``name.shared_bits`` is then the sum of the words' rarity bits. Common names should carry
little (a namesake is likely), rare ones much. For each table (the bundled one, or any
``name_reference.json``, e.g. an earlier commit's), prints the bits of example names and the
distribution over the UN list's individuals (bank = the UN list's primary names, as in the
sanctions benchmark)::

    git show be03de4:service/data/name_reference.json > /tmp/before.json
    PYTHONPATH=$PWD nice python benchmarks/name_namesakes.py --table before=/tmp/before.json \\
        --json namesakes.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks.name_data import load_un  # noqa: E402
from service.scoring.names import compare_names  # noqa: E402
from service.scoring.rarity import REFERENCE_PATH, TokenRarity  # noqa: E402

EXAMPLES = (
    "Muhammad Ali Khan",
    "Muhammad Imran",
    "Ahmed Khan",
    "محمد علی خان",
    "Abdul Rehman",
    "Noor Wali Mehsud",
    "Hafiz Muhammad Saeed",
    "Masood Azhar",
    "Sirajuddin Haqqani",
    "Baitullah Mehsud",
    "Fazlullah Mehsud",
    "Mangal Bagh",
    "Omar Khalid Khorasani",
    "Fulaani Qzorvath",
)


def full_name_bits(name: str, rarity: TokenRarity) -> float:
    feats = {f.name: f.value for f in compare_names(name, "", name, "", rarity)}
    return feats.get("name.shared_bits", 0.0)


def measure(tables: dict[str, Path], bank: bool = True) -> dict[str, object]:
    entries = load_un()
    members = [e.name for e in entries if e.kind == "individual" and len(e.name.split()) >= 2]
    out: dict[str, object] = {"members": len(members)}
    for label, path in tables.items():
        rarity = TokenRarity.from_json(path.read_text(encoding="utf-8"))
        if bank:
            rarity.add_names(e.name for e in entries)
        bits = np.array([full_name_bits(n, rarity) for n in members])
        out[label] = {
            "examples": {n: round(full_name_bits(n, rarity), 1) for n in EXAMPLES},
            "members_quartiles": [round(float(q), 1) for q in np.percentile(bits, [25, 50, 75])],
            "members_under_20_bits": float(np.mean(bits < 20)),
            "members_under_30_bits": float(np.mean(bits < 30)),
        }
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--table", action="append", default=[], help="LABEL=PATH, repeatable")
    parser.add_argument("--no-bank", action="store_true", help="reference tables only")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    tables = dict(t.split("=", 1) for t in args.table)
    paths = {label: Path(p) for label, p in tables.items()} | {"bundled": REFERENCE_PATH}
    results = measure(paths, bank=not args.no_bank)
    labels = list(paths)
    print(f"{'name':24}" + "".join(f"{label:>10}" for label in labels))
    for name in EXAMPLES:
        row = [results[label]["examples"][name] for label in labels]  # type: ignore[index]
        print(f"{name:24}" + "".join(f"{v:10.1f}" for v in row))
    print(f"UN individuals with a full name of two or more words: {results['members']}")
    for label in labels:
        r = results[label]
        print(
            f"{label}: quartiles {r['members_quartiles']} bits; "  # type: ignore[index]
            f"under 20 bits {r['members_under_20_bits']:.3f}, "  # type: ignore[index]
            f"under 30 bits {r['members_under_30_bits']:.3f}"  # type: ignore[index]
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
