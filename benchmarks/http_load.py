"""Request-level benchmark over HTTP: the real server (uvicorn, real models) on 127.0.0.1 with a
bank of N synthetic banned accounts, scored by a sequential client and by C concurrent clients,
text-only and with an avatar; latency p50/p99, throughput, the per-stage breakdown from the
answers' ``timings_ms`` and the server's ``/metrics``, and top-1 accuracy on the mirrors. Beside
it, in the same run, a naive peer: a rapidfuzz scan of all N names for each query.

    PYTHONPATH=$PWD python benchmarks/http_load.py --accounts 20000 --out http.json \\
        [--runtime torch|onnx|onnx-int8] [--workers 1] [--concurrency 4]

The bank is imported once through the real pipeline and cached (``benchmarks/http_bank.py``).
Traffic goes only to 127.0.0.1. Every loop is bounded by a request count and a time limit.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image
from rapidfuzz import fuzz, process

from benchmarks.http_bank import bank_dir, ensure_bank
from benchmarks.profiles import avatar_png, query_profiles

KEY = "bench-admin-key-0123456789abcdef"
STAGES = ("decode", "hash", "embed", "search", "compare", "score")


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 2) if values else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(data_dir: Path, runtime: str, workers: int) -> Iterator[str]:
    """The real service in a child process, ready to answer; stopped on exit."""
    port = free_port()
    env = {
        **os.environ,
        "MIRRORSCAN_API_KEYS": json.dumps({KEY: ["admin"]}),
        "MIRRORSCAN_WORKERS": str(workers),
        "MIRRORSCAN_MODELS__TEXT_RUNTIME": runtime,
        "OMP_NUM_THREADS": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    cmd = [sys.executable, "-c", "from service.cli import main; main()", "serve",
           "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)]  # fmt: skip
    log = (data_dir.parent / "server.log").open("w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
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
            raise RuntimeError("server not ready in 15 minutes")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def with_avatars(queries: list[dict[str, Any]], bank: dict[str, dict[str, Any]]) -> list[dict]:
    """The same queries with an avatar each: a mirror re-uploads its source's avatar (JPEG,
    resized) when the source had one, anyone else has an avatar of their own."""
    out = []
    for i, q in enumerate(queries):
        source = bank.get(q["id"].removeprefix("mirror-of-"))
        seed = source["avatar_seed"] if source and source.get("avatar_seed") is not None else None
        img = Image.open(io.BytesIO(avatar_png(seed if seed is not None else 500_000 + i)))
        buf = io.BytesIO()
        img.convert("RGB").resize((200, 200)).save(buf, format="JPEG", quality=85)
        out.append({**q, "avatar_b64": base64.b64encode(buf.getvalue()).decode()})
    return out


def run_clients(
    base: str, queries: list[dict[str, Any]], clients: int, max_requests: int, seconds: float
) -> dict[str, Any]:
    """``clients`` threads, each with its own connection, POST /v1/score until the queries,
    ``max_requests`` or ``seconds`` run out."""
    lock = threading.Lock()
    it = iter(queries[:max_requests])
    latencies: list[float] = []
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    top: list[tuple[str, str | None]] = []
    errors: list[int] = []
    stop = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(base_url=base, headers={"X-API-Key": KEY}, timeout=60) as http:
            while time.monotonic() < stop:
                with lock:
                    q = next(it, None)
                if q is None:
                    return
                t0 = time.perf_counter()
                r = http.post("/v1/score", json=q)
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    if r.status_code != 200:
                        errors.append(r.status_code)
                        continue
                    body = r.json()
                    latencies.append(ms)
                    for s in STAGES:
                        stages[s].append(float(body["timings_ms"].get(s, 0.0)))
                    best = body["matches"][0]["account_id"] if body["matches"] else None
                    top.append((q["id"], best))

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    mirrors = [(qid, best) for qid, best in top if qid.startswith("mirror-of-")]
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(latencies) / wall, 2),
        "p50_ms": pct(latencies, 50),
        "p99_ms": pct(latencies, 99),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None,
        "stages_p50_ms": {s: pct(v, 50) for s, v in stages.items()},
        "stages_p99_ms": {s: pct(v, 99) for s, v in stages.items()},
        "mirror_top1": round(
            sum(best == qid.removeprefix("mirror-of-") for qid, best in mirrors)
            / max(len(mirrors), 1),
            3,
        ),
    }


def naive_peer(bank: list[dict[str, Any]], queries: list[dict[str, Any]]) -> dict[str, Any]:
    """rapidfuzz WRatio of each query name against every bank name (one thread)."""
    names = [a["display_name"] for a in bank]
    out: dict[str, Any] = {}
    for label, scorer in (("wratio", fuzz.WRatio), ("ratio", fuzz.ratio)):
        lat: list[float] = []
        hits = mirrors = 0
        for q in queries:
            t0 = time.perf_counter()
            best = process.extractOne(q["display_name"], names, scorer=scorer)
            lat.append((time.perf_counter() - t0) * 1000)
            if q["id"].startswith("mirror-of-"):
                mirrors += 1
                hits += best is not None and bank[best[2]]["id"] == q["id"][len("mirror-of-") :]
        out[label] = {"p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99),
                      "mirror_top1": round(hits / max(mirrors, 1), 3)}  # fmt: skip
    return out


def scrape_stages(base: str) -> dict[str, Any]:
    """Mean per stage from the server's own histograms (``/metrics``, admin key)."""
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{base}/metrics", headers={"X-API-Key": KEY}).text
    sums: dict[str, float] = {}
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "mirrorscan_stage_seconds_sum":
                sums[s.labels["stage"]] = s.value
            elif s.name == "mirrorscan_stage_seconds_count":
                counts[s.labels["stage"]] = s.value
    return {k: round(sums[k] / counts[k] * 1000, 3) for k in sums if counts.get(k)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--runtime", default="torch", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    data_dir = ensure_bank(args.accounts)
    bank_list = [json.loads(line) for line in
                 (bank_dir(args.accounts) / "source" / "bank.jsonl").open()]  # fmt: skip
    from benchmarks.profiles import banned_accounts

    seeds = {a["id"]: a for a in banned_accounts(args.accounts)}  # with avatar seeds
    # every phase gets queries of its own: the server caches encoded texts, and a repeated
    # query would measure the cache, not the model
    n, half = args.requests, args.requests // 2
    queries = query_profiles(bank_list, 20 + 2 * n + 2 * half, seed=7)
    random.Random(3).shuffle(queries)
    warm, queries = queries[:20], queries[20:]
    phases = {
        "text_sequential": (queries[:n], 1),
        "text_concurrent": (queries[n : 2 * n], args.concurrency),
        "avatar_sequential": (with_avatars(queries[2 * n : 2 * n + half], seeds), 1),
        "avatar_concurrent": (with_avatars(queries[2 * n + half :], seeds), args.concurrency),
    }
    report: dict[str, Any] = {
        "accounts": args.accounts,
        "runtime": args.runtime,
        "workers": args.workers,
        "load_avg_at_start": os.getloadavg(),
    }
    with server(data_dir, args.runtime, args.workers) as base:
        run_clients(base, with_avatars(warm, seeds), 1, 20, 60)  # cold code paths
        for phase, (items, clients) in phases.items():
            report[phase] = run_clients(base, items, clients, len(items), args.seconds)
            print(phase, {k: report[phase][k] for k in ("p50_ms", "p99_ms", "throughput_rps")},
                  file=sys.stderr)  # fmt: skip
        report["server_stage_mean_ms"] = scrape_stages(base)
    report["naive_peer_rapidfuzz"] = naive_peer(bank_list, queries[: min(200, n)])
    report["load_avg_at_end"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
