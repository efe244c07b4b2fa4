"""Fair sharing under load (issue 18, item 2): the real server (uvicorn, real models) on
127.0.0.1, one API key flooding 100-profile batches from several connections while another key
sends single profiles one after another. The single key's p99 is measured unloaded, then under
the flood; the goal is loaded p99 <= 2x unloaded p99.

    PYTHONPATH=$PWD python benchmarks/fairness.py --out fairness.json [--accounts 1000]
        [--workers 2] [--flooders 4] [--singles 300] [--baseline]

``--baseline`` runs the same load against the server configured as it was before fair sharing
(one task per batch, any key may take every worker) for comparison. The flooding key is given
generous rate limits so that the scheduler, not the token bucket, is what is measured; its 429s
and 503s are counted. Traffic goes only to 127.0.0.1; every loop is bounded by a count and by
``--max-seconds``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks.http_bank import ensure_bank
from benchmarks.http_load import free_port, pct

FLOOD_KEY = "bench-flood-key-0123456789abcdef"
SINGLE_KEY = "bench-single-key-0123456789abcdef"
GENEROUS = {"score": {"rate": 100000, "burst": 100000, "concurrency": 64}}
BASELINE = {"MIRRORSCAN_FAIRNESS__BATCH_CHUNK": "1000"}  # + KEY_WORKERS = workers


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


@contextmanager
def server(data_dir: Path, workers: int, extra: dict[str, str]) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "MIRRORSCAN_API_KEYS": json.dumps({FLOOD_KEY: ["score"],
                                                            SINGLE_KEY: ["score"]}),
           "MIRRORSCAN_WORKERS": str(workers), "MIRRORSCAN_FAIRNESS__LIMITS": json.dumps(GENEROUS),
           "MIRRORSCAN_FAIRNESS__MAX_QUEUE": "4096", "MIRRORSCAN_FAIRNESS__DEADLINE_S": "120",
           "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false", **extra}  # fmt: skip
    cmd = [sys.executable, "-c", "from service.cli import main; main()", "serve",
           "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)]  # fmt: skip
    log = (data_dir.parent / "fairness-server.log").open("w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited; see {log.name}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            raise RuntimeError("server not ready in 10 minutes")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def profile(rng: random.Random, i: int) -> dict[str, Any]:
    """A unique profile (the server caches encoded texts: repeats would be free)."""
    words = ["Media", "News", "Official", "Voice", "Channel", "Press", "Daily", "Front"]
    name = f"{rng.choice(words)} {rng.randrange(10**6)} {rng.choice(words)}"
    return {"id": f"q{i}", "platform": "x", "handle": f"h{rng.randrange(10**9)}",
            "display_name": name, "bio": f"{name} updates {rng.randrange(10**9)}"}  # fmt: skip


def singles(base: str, n: int, seed: int, until: float) -> list[float]:
    rng = random.Random(seed)
    out: list[float] = []
    with httpx.Client(base_url=base, headers={"X-API-Key": SINGLE_KEY}, timeout=600) as c:
        for i in range(n):
            if time.monotonic() > until:
                break
            started = time.perf_counter()
            r = c.post("/v1/score", json=profile(rng, i))
            r.raise_for_status()
            out.append((time.perf_counter() - started) * 1000)
    return out


def flood(base: str, batch: int, seed: int, stop: threading.Event, tally: Counter[str]) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers={"X-API-Key": FLOOD_KEY}, timeout=600) as c:
        i = 0
        while not stop.is_set():
            body = {"profiles": [profile(rng, i + j) for j in range(batch)]}
            i += batch
            r = c.post("/v1/score/batch", json=body)
            tally[str(r.status_code)] += 1
            if r.status_code == 200:
                tally["profiles"] += batch
            else:
                time.sleep(float(r.headers.get("retry-after", "1")))


def run(base: str, args: argparse.Namespace) -> dict[str, Any]:
    until = time.monotonic() + args.max_seconds
    singles(base, 20, 99, until)  # warm-up
    quiet_load = load()
    quiet = singles(base, args.singles, 1, until)
    stop, tally = threading.Event(), Counter[str]()
    threads = [threading.Thread(target=flood, args=(base, args.batch, 100 + k, stop, tally))
               for k in range(args.flooders)]  # fmt: skip
    started = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(args.ramp_s)  # every flooder has batches queued
    busy_load = load()
    loaded = singles(base, args.singles, 2, until)
    flood_s = time.monotonic() - started
    stop.set()
    for t in threads:
        t.join(timeout=600)
    unloaded_p99, loaded_p99 = pct(quiet, 99), pct(loaded, 99)
    return {
        "single_unloaded_ms": {"n": len(quiet), "p50": pct(quiet, 50), "p99": unloaded_p99},
        "single_loaded_ms": {
            "n": len(loaded),
            "p50": pct(loaded, 50),
            "p99": loaded_p99,
            "max": round(max(loaded), 1) if loaded else None,
        },  # fmt: skip
        "p99_ratio": round(loaded_p99 / unloaded_p99, 2) if quiet and loaded else None,
        "flood": {
            "clients": args.flooders,
            "batch": args.batch,
            "answers": dict(tally),
            "profiles_per_s": round(tally["profiles"] / flood_s, 1),
        },  # fmt: skip
        "load_average": {"unloaded": quiet_load, "loaded": busy_load},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--flooders", type=int, default=4)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--singles", type=int, default=300)
    ap.add_argument("--ramp-s", type=float, default=3.0)
    ap.add_argument("--max-seconds", type=float, default=900.0)
    ap.add_argument("--baseline", action="store_true", help="also measure the unfair setup")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    data_dir = ensure_bank(args.accounts)
    report: dict[str, Any] = {"accounts": args.accounts, "workers": args.workers}
    setups = {"fair": {}}
    if args.baseline:
        setups["baseline"] = {**BASELINE, "MIRRORSCAN_FAIRNESS__KEY_WORKERS": str(args.workers)}
    for name, extra in setups.items():
        with server(data_dir, args.workers, extra) as base:
            report[name] = run(base, args)
        print(json.dumps({name: report[name]}), file=sys.stderr)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
