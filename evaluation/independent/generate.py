"""Write the independent evaluation set: bank, candidates, labels, avatars and a manifest.

python -m evaluation.independent.generate --out DIR [--seed N] [--scale F] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from . import GENERATOR_VERSION, bank, handles, legit, mirrors
from .groups import GROUPS
from .images import fonts, sources
from .model import Account
from .util import rng_for

DEFAULT_OUT = Path("~/.cache/mirrorscan-eval/independent-v1").expanduser()
BANK_N, MIRROR_N, LEGIT_N = 3000, 1000, 5000
AVATAR_SIZES = (200, 240, 256, 300, 320, 360, 400)


def _render_one(job: tuple[dict[str, Any], str]) -> str:
    from .images.render import save

    spec, path = job
    save(spec, Path(path))
    return path


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def build(seed: int, scale: float) -> tuple[list[Account], list[Account], list[dict[str, Any]]]:
    """The bank, the candidates (shuffled, with ids) and one label per candidate."""
    banned = bank.build(seed, max(2 * len(GROUPS), round(BANK_N * scale)))
    mirrored = mirrors.build(seed, max(1, round(MIRROR_N * scale)), banned)
    legits = legit.build(seed, max(1, round(LEGIT_N * scale)), banned)
    rows: list[tuple[Account, dict[str, Any]]] = [
        (m, {"account_id": src.id, "group": src.group, "family": fam}) for m, src, fam in mirrored
    ]
    rows += [(a, {"account_id": None, "group": None, "family": kind}) for a, kind in legits]
    taken = {(a.platform, a.handle.lower()) for a in banned}
    for i, (acc, _) in enumerate(rows):  # no candidate takes a handle already in use
        acc.handle = handles.claim(acc.handle, acc.platform, taken, rng_for(seed, "claim", i))
    rng_for(seed, "shuffle").shuffle(rows)
    candidates, labels = [], []
    for i, (acc, label) in enumerate(rows, 1):
        acc.id = f"c{i:06d}"
        acc.group = None
        if acc.avatar is not None:  # one size and format mix for every candidate
            r = rng_for(seed, "avatar-file", i)
            acc.avatar.size = r.choice(AVATAR_SIZES)
            acc.avatar.fmt = r.choice(("png", "jpg"))
        candidates.append(acc)
        labels.append({"id": acc.id, **label})
    return banned, candidates, labels


def manifest(
    seed: int,
    scale: float,
    banned: list[Account],
    labels: list[dict[str, Any]],
    timings: dict[str, float],
) -> dict[str, Any]:
    import numpy
    import PIL

    fams = Counter(lb["family"] for lb in labels)
    return {
        "generator": "evaluation.independent",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "scale": scale,
        "counts": {
            "bank": len(banned),
            "candidates": len(labels),
            "mirrors": sum(n for f, n in fams.items() if not f.startswith("legit:")),
            "legit": sum(n for f, n in fams.items() if f.startswith("legit:")),
            "bank_by_group": dict(sorted(Counter(a.group for a in banned).items())),
            "bank_by_role": dict(sorted(Counter(a.role for a in banned).items())),
            "bank_by_platform": dict(sorted(Counter(a.platform for a in banned).items())),
            "candidates_by_family": dict(sorted(fams.items())),
            "avatars": {"bank": sum(a.avatar is not None for a in banned)},
        },
        "sources": {
            "packages": {
                **sources.versions(),
                "pypi:numpy": numpy.__version__,
                "pypi:pillow": PIL.__version__,
                "python": platform.python_version(),
            },
            "fonts (Debian fonts-dejavu, fonts-noto-core, fonts-hosny-amiri)": fonts.used(),
            "hand-curated": [
                "groups.py (names, aliases, wings, regions)",
                "names.py (given names and surnames with weights)",
                "orgs.py, orgs_misc.py (parties, outlets, state bodies, acronyms)",
                "bios.py, legit_text.py, common_text.py (bio templates)",
            ],
            "not used": [
                "UN/OFAC lists",
                "Dakshina lexicon",
                "Meta PDQ photos",
                "Faker",
                "simple-icons",
                "svg-country-flags",
                "@discordapp/twemoji",
                "resvg-py",
                "service/training",
                "anything under service/ or models/",
            ],
        },
        "timings_s": timings,
    }


def generate(out: Path, seed: int, scale: float, workers: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    banned, candidates, labels = build(seed, scale)
    t1 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "avatars", ignore_errors=True)
    _write_jsonl(out / "bank.jsonl", [a.record(with_group=True) for a in banned])
    _write_jsonl(out / "candidates.jsonl", [a.record(with_group=False) for a in candidates])
    _write_jsonl(out / "labels.jsonl", labels)
    sources.package_dir("flag-icons")  # fetch once before the workers start
    sources.package_dir("openmoji")
    jobs = [
        (a.avatar.as_json(), str(out / p))
        for a in [*banned, *candidates]
        if a.avatar is not None and (p := a.avatar_path())
    ]
    if workers > 1:
        with mp.get_context("fork").Pool(workers) as pool:
            for _ in pool.imap_unordered(_render_one, jobs, chunksize=16):
                pass
    else:
        for job in jobs:
            _render_one(job)
    t2 = time.perf_counter()
    timings = {
        "profiles": round(t1 - t0, 2),
        "avatars": round(t2 - t1, 2),
        "total": round(t2 - t0, 2),
        "avatar_files": len(jobs),
    }
    man = manifest(seed, scale, banned, labels, timings)
    (out / "manifest.json").write_text(
        json.dumps(man, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return man


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m evaluation.independent.generate",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=min(2, mp.cpu_count()))
    args = ap.parse_args(argv)
    if args.scale <= 0:
        ap.error("--scale must be positive")
    man = generate(args.out.expanduser(), args.seed, args.scale, max(1, args.workers))
    c = man["counts"]
    print(
        f"wrote {args.out}: bank {c['bank']}, candidates {c['candidates']} "
        f"({c['mirrors']} mirrors, {c['legit']} legitimate) in {man['timings_s']['total']} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
