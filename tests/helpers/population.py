"""Files of profiles to score."""

from __future__ import annotations

import json
from pathlib import Path

from faker import Faker

BAD = {5: "[1, 2]\n", 6: "{broken\n", 9: '{"id": "x9", "avatar_b64": "!!"}\n'}


def write_population(path: Path, n: int) -> list[dict[str, object]]:
    fake = Faker(["en_PK", "ar_SA"])
    fake.seed_instance(21)
    rows = []
    with path.open("w") as fh:
        for line in range(1, n + 1):
            if line in BAD:
                fh.write(BAD[line])
                continue
            row = {"id": f"p{line}", "platform": "x", "handle": f"{fake.user_name()}_{line}",
                   "display_name": fake.name(), "bio": fake.sentence(), "links": []}  # fmt: skip
            rows.append(row)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows
