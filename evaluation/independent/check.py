"""Check a generated evaluation set: files parse, avatars open, labels line up with the bank.

python -m evaluation.independent.check DIR
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from PIL import Image

FIELDS = (
    "id",
    "platform",
    "handle",
    "display_name",
    "bio",
    "links",
    "avatar_path",
    "avatar_url",
    "group",
)
PLATFORMS = {"x", "facebook", "instagram", "telegram", "tiktok", "youtube", "whatsapp"}


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def check(root: Path) -> list[str]:
    errors: list[str] = []
    bank, cands, labels = (
        _read(root / n) for n in ("bank.jsonl", "candidates.jsonl", "labels.jsonl")
    )
    json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for name, rows, grouped in (("bank", bank, True), ("candidates", cands, False)):
        ids = [r["id"] for r in rows]
        if len(set(ids)) != len(ids):
            errors.append(f"{name}: duplicate ids")
        for r in rows:
            if tuple(r) != FIELDS:
                errors.append(f"{name} {r.get('id')}: fields {list(r)}")
            if r["platform"] not in PLATFORMS or not isinstance(r["links"], list):
                errors.append(f"{name} {r['id']}: bad platform or links")
            if grouped != (r["group"] is not None):
                errors.append(f"{name} {r['id']}: group {r['group']!r}")
            if r["avatar_path"] is not None:
                p = root / r["avatar_path"]
                try:
                    with Image.open(p) as im:
                        im.load()
                        if im.format not in ("PNG", "JPEG") or not 200 <= min(im.size) <= 400:
                            errors.append(f"{name} {r['id']}: avatar {im.format} {im.size}")
                except OSError as exc:
                    errors.append(f"{name} {r['id']}: avatar {p}: {exc}")
    bank_group = {r["id"]: r["group"] for r in bank}
    cand_ids = {r["id"] for r in cands}
    if [lb["id"] for lb in labels] != [r["id"] for r in cands] or len(labels) != len(cand_ids):
        errors.append("labels do not match candidates one to one, in order")
    for lb in labels:
        if lb["family"].startswith("legit:"):
            if lb["account_id"] is not None or lb["group"] is not None:
                errors.append(f"label {lb['id']}: legitimate with account or group")
        elif bank_group.get(lb["account_id"]) != lb["group"] or lb["group"] is None:
            errors.append(f"label {lb['id']}: {lb['account_id']} / {lb['group']} not in bank")
    return errors


def main(argv: list[str] | None = None) -> int:
    root = Path((argv or sys.argv[1:])[0]).expanduser()
    errors = check(root)
    labels = _read(root / "labels.jsonl")
    fams = Counter(lb["family"] for lb in labels)
    print(
        json.dumps(
            {
                "candidates": len(labels),
                "families": dict(sorted(fams.items())),
                "errors": len(errors),
            },
            indent=1,
        )
    )
    for e in errors[:50]:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
