"""Figures for batch work: import rate, batch-scoring throughput (one process and Ray with local
workers), and peak memory of a long scoring input.

    PYTHONPATH=$PWD nice python benchmarks/batch.py import --accounts 20000 --data-dir D
    PYTHONPATH=$PWD nice python benchmarks/batch.py import --accounts 200000 --data-dir D \\
        --max-seconds 1200          # stops there and says how many it measured
    PYTHONPATH=$PWD nice python benchmarks/batch.py score --data-dir D --lines 2000 --workers 2
    PYTHONPATH=$PWD nice python benchmarks/batch.py memory --lines 1000000 --data-dir D2

Accounts are generated text-only profiles (Faker names and sentences in English, Urdu-region,
Arabic and Persian locales), seeded. ``--fake`` uses the deterministic fake encoders (for the
parts that do not depend on the model). Every run prints the machine's load average: the
machine is shared, so rates are lower bounds of what a quiet machine gives.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from rich.console import Console  # noqa: E402

from service.config import ModelSettings, Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
out = Console(stderr=True)


def settings(data_dir: Path, fake: bool) -> Settings:
    # fake encoders measure what is not the model; the shipped scorer does not fit them
    return Settings(data_dir=data_dir, models=ModelSettings(fake=fake, allow_encoder_mismatch=fake))


def accounts(n: int, seed: int = 1, prefix: str = "b") -> Iterator[dict[str, Any]]:
    from faker import Faker

    fake = Faker(["en_US", "en_PK", "ar_SA", "fa_IR"])
    fake.seed_instance(seed)
    for i in range(n):
        yield {"id": f"{prefix}{i}", "platform": random.Random(i).choice(["x", "telegram"]),
               "handle": f"{fake.user_name()}{i}", "display_name": fake.name(),
               "bio": fake.sentence(nb_words=12), "links": [], "group": f"g{i % 40}"}  # fmt: skip


def write_jsonl(path: Path, rows: Iterator[dict[str, Any]]) -> int:
    n = 0
    with path.open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


@contextmanager
def bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
    from service.cli.common import progress_bar

    with progress_bar(label, total) as advance:
        yield advance


class Stop(Exception):
    pass


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def cmd_import(args: argparse.Namespace) -> dict[str, Any]:
    from service.pipeline import Pipeline
    from service.usecases.batch import import_file

    args.data_dir.mkdir(parents=True, exist_ok=True)
    src = args.data_dir / f"accounts-{args.accounts}.jsonl"
    if not src.exists():
        write_jsonl(src, accounts(args.accounts))
    pipeline = Pipeline.open(settings(args.data_dir, args.fake))
    start_count = pipeline.store.count()
    started = time.perf_counter()
    done = 0
    windows: list[tuple[int, float]] = []

    def advance_and_stop(n: int) -> None:
        nonlocal done
        done += n
        windows.append((done, time.perf_counter() - started))
        if args.max_seconds and time.perf_counter() - started > args.max_seconds:
            raise Stop

    try:
        with bar("importing", args.accounts) as advance:

            def step(n: int) -> None:
                advance(n)
                advance_and_stop(n)

            import_file(pipeline, src, batch_size=args.batch_size, advance=step)
    except Stop:
        pass
    elapsed = time.perf_counter() - started
    snap_started = time.perf_counter()
    pipeline.write_snapshot()
    snapshot_s = time.perf_counter() - snap_started
    stored = pipeline.store.count() - start_count
    pipeline.close()
    tail = [w for w in windows if w[0] >= done * 0.9]
    tail_rate = None
    if len(tail) > 1:
        tail_rate = round((tail[-1][0] - tail[0][0]) / (tail[-1][1] - tail[0][1]), 1)
    return {
        "figure": "import",
        "encoders": "fake" if args.fake else "e5-small (text-only accounts)",
        "asked": args.accounts,
        "imported": stored,
        "seconds": round(elapsed, 1),
        "accounts_per_s": round(stored / elapsed, 1),
        "last_10pct_accounts_per_s": tail_rate,
        "snapshot_write_s": round(snapshot_s, 2),
        "stopped_early": done < args.accounts,
        "load_average": load(),
    }


def queries(data_dir: Path, n: int) -> Path:
    """Half edited copies of bank accounts (mirrors), half unrelated profiles."""
    path = data_dir / f"queries-{n}.jsonl"
    if path.exists():
        return path
    from service.store.bank import Store

    store = Store(Settings(data_dir=data_dir).db_url, readonly=True)
    bank = [a.profile for batch in store.iter_accounts(batch=2000) for a in batch][: n // 2]
    store.close()
    rng = random.Random(5)
    rows: list[dict[str, Any]] = []
    for i, p in enumerate(bank):
        rows.append({"id": f"m{i}", "platform": p.platform, "handle": p.handle + "_2",
                     "display_name": p.display_name + rng.choice([" Official", " 2", ""]),
                     "bio": p.bio, "links": []})  # fmt: skip
    rows.extend({**r, "id": f"u{i}"} for i, r in enumerate(accounts(n - len(rows), seed=99)))
    write_jsonl(path, iter(rows))
    return path


def cmd_score(args: argparse.Namespace) -> dict[str, Any]:
    from service.pipeline import Pipeline
    from service.usecases.batch import score_file
    from service.usecases.distributed import score_file_ray

    inp = queries(args.data_dir, args.lines)
    s = settings(args.data_dir, args.fake)
    results: dict[str, Any] = {"figure": "score", "lines": args.lines, "load_average": load()}
    one = args.data_dir / "scores-one.jsonl"
    t0 = time.perf_counter()
    pipeline = Pipeline.open(s, readonly=True)
    t1 = time.perf_counter()
    with one.open("w") as fh, bar("scoring (1 process)", args.lines) as advance:
        score_file(pipeline, inp, fh, advance=advance)
    t2 = time.perf_counter()
    pipeline.close()
    results["single_process"] = {"open_s": round(t1 - t0, 1), "score_s": round(t2 - t1, 1),
                                 "lines_per_s": round(args.lines / (t2 - t1), 1)}  # fmt: skip
    two = args.data_dir / "scores-ray.jsonl"
    arrivals: list[tuple[float, int]] = []
    t3 = time.perf_counter()
    with two.open("w") as fh, bar(f"scoring (Ray, {args.workers})", args.lines) as advance:

        def step(n: int) -> None:
            arrivals.append((time.perf_counter(), n))
            advance(n)

        score_file_ray(s, inp, fh, workers=args.workers, chunk_lines=args.chunk_lines,
                       advance=step)  # fmt: skip
    t4 = time.perf_counter()
    # steady state: from the first chunk back (Ray started, actors loaded) to the last
    after_first = sum(n for _, n in arrivals[1:])
    steady = after_first / max(arrivals[-1][0] - arrivals[0][0], 1e-9) if len(arrivals) > 1 else 0
    results["ray"] = {"workers": args.workers, "chunk_lines": args.chunk_lines,
                      "chunks": len(arrivals), "wall_s": round(t4 - t3, 1),
                      "first_chunk_after_s": round(arrivals[0][0] - t3, 1),
                      "lines_per_s_incl_startup": round(args.lines / (t4 - t3), 1),
                      "lines_per_s_steady": round(steady, 1)}  # fmt: skip
    results["outputs"] = compare_outputs(one, two)
    return results


def compare_outputs(a: Path, b: Path) -> dict[str, Any]:
    same = diff = 0
    worst = 0.0
    with a.open() as fa, b.open() as fb:
        for la, lb in zip(fa, fb, strict=True):
            if la == lb:
                same += 1
                continue
            diff += 1
            ja, jb = json.loads(la), json.loads(lb)
            worst = max(worst, abs(ja.get("score", 0) - jb.get("score", 0)))
    return {"identical_lines": same, "differing_lines": diff, "max_score_diff": worst}


def cmd_memory(args: argparse.Namespace) -> dict[str, Any]:
    """Score a long input in a child process (the CLI) and read its peak RSS."""
    args.data_dir.mkdir(parents=True, exist_ok=True)
    fake = "true" if args.fake else "false"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MIRRORSCAN_DATA_DIR": str(args.data_dir),
           "MIRRORSCAN_MODELS__FAKE": fake,
           "MIRRORSCAN_MODELS__ALLOW_ENCODER_MISMATCH": fake}  # fmt: skip
    bank = args.data_dir / "bank.jsonl"
    if not bank.exists():
        write_jsonl(bank, accounts(args.bank, seed=3))
        subprocess.run([sys.executable, "-c", "from service.cli import main; main()", "bank",
                        "import", str(bank)], env=env, check=True, capture_output=True)  # fmt: skip
    figures: dict[str, Any] = {"figure": "memory", "encoders": "fake" if args.fake else "e5",
                               "bank": args.bank, "load_average": load(), "runs": []}  # fmt: skip
    sizes = [(n, False) for n in args.sizes or [args.lines]]
    if args.resume_check:  # again over the complete output: every line is skipped
        sizes.append((sizes[-1][0], True))
    for lines, resume in sizes:
        inp = args.data_dir / f"population-{lines}.jsonl"
        if not inp.exists():
            write_jsonl(inp, accounts(lines, seed=7, prefix="q"))
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        proc = subprocess.run(
            ["/usr/bin/time", "-v", sys.executable, "-c", "from service.cli import main; main()",
             "score", str(inp), "--out", str(args.data_dir / f"out-{lines}.jsonl")]
            + (["--resume"] if resume else []),
            env={**env, "COLUMNS": "120"}, capture_output=True, text=True,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        peak_kb = _max_rss(proc.stderr) or resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        figures["runs"].append({
            "lines": lines, "resume_over_complete_output": resume, "exit": proc.returncode,
            "seconds": round(elapsed, 1),
            "lines_per_s": round(lines / elapsed, 1), "peak_rss_mb": round(peak_kb / 1024, 1),
            "earlier_children_peak_mb": round(before / 1024, 1),
            "input_mb": round(inp.stat().st_size / 2**20, 1),
        })  # fmt: skip
        out.print(figures["runs"][-1])
    return figures


def _max_rss(stderr: str) -> int:
    for line in stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1])
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    imp = sub.add_parser("import")
    imp.add_argument("--accounts", type=int, default=20_000)
    imp.add_argument("--batch-size", type=int, default=256)
    imp.add_argument("--max-seconds", type=float, default=0)
    sc = sub.add_parser("score")
    sc.add_argument("--lines", type=int, default=2000)
    sc.add_argument("--workers", type=int, default=2)
    sc.add_argument("--chunk-lines", type=int, default=128)
    mem = sub.add_parser("memory")
    mem.add_argument("--lines", type=int, default=1_000_000)
    mem.add_argument("--sizes", type=int, nargs="*")
    mem.add_argument("--bank", type=int, default=50)
    mem.add_argument("--resume-check", action="store_true")
    for p in (imp, sc, mem):
        p.add_argument("--data-dir", type=Path, required=True)
        p.add_argument("--fake", action="store_true", help="fake encoders")
        p.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    figures = {"import": cmd_import, "score": cmd_score, "memory": cmd_memory}[args.cmd](args)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
