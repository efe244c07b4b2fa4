"""The text encoder on torch, ONNX Runtime fp32 and ONNX Runtime int8: speed (one thread) and
whether the cheaper ones lose anything, measured on the benchmark bank's names and bios.

- speed: names/s and bios/s in batches, and one profile (name + bio) at a time;
- agreement with torch: cosine of each vector to the torch vector (mean, min);
- search: top-10 neighbour overlap with torch when a mirror's name is searched among the bank's
  names, and how often the mirror's source comes first (the harness of this benchmark).

    PYTHONPATH=$PWD python benchmarks/encoder_quality.py --names 3000 --out enc.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.profiles import banned_accounts, mirror_of
from service.features.text import TextEncoder, text_encoder

RUNTIMES = ("torch", "onnx", "onnx-int8")


def timed(enc: TextEncoder, texts: list[str]) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    out = enc.encode(texts)
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--names", type=int, default=3000)
    parser.add_argument("--bios", type=int, default=300)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--model-dir", type=Path, default=Path.home() / ".cache/mirrorscan-bench/models"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    bank = list(banned_accounts(args.names, seed=0, avatar_every=0))
    rng = random.Random(5)
    sources = rng.sample(range(len(bank)), args.queries)
    mirrors = [mirror_of(bank[i], rng) for i in sources]
    names = [a["display_name"] for a in bank]
    queries = [m["display_name"] for m in mirrors]
    bios = [a["bio"] for a in bank[: args.bios]]

    vectors: dict[str, dict[str, np.ndarray]] = {}
    report: dict[str, Any] = {"names": len(names), "bios": len(bios), "queries": len(queries),
                              "load_avg_at_start": os.getloadavg(), "runtimes": {}}  # fmt: skip
    for runtime in RUNTIMES:
        enc = text_encoder("e5-small", args.model_dir, None, False, runtime)  # type: ignore[arg-type]
        t0 = time.perf_counter()
        enc.load()
        load_s = time.perf_counter() - t0
        enc.encode(["warm up"])
        name_vecs, name_s = timed(enc, names)
        bio_vecs, bio_s = timed(enc, bios)
        query_vecs, _ = timed(enc, queries)
        single = []
        for a in bank[:50]:
            t0 = time.perf_counter()
            enc.encode([a["display_name"], a["bio"]])
            single.append((time.perf_counter() - t0) * 1000)
        vectors[runtime] = {"names": name_vecs, "bios": bio_vecs, "queries": query_vecs}
        sims = query_vecs @ name_vecs.T
        top10 = np.argsort(-sims, axis=1)[:, :10]
        report["runtimes"][runtime] = {
            "model_version": enc.name,
            "load_s": round(load_s, 1),
            "names_per_s": round(len(names) / name_s, 1),
            "bios_per_s": round(len(bios) / bio_s, 1),
            "profile_p50_ms": round(float(np.percentile(single, 50)), 2),
            "profile_p99_ms": round(float(np.percentile(single, 99)), 2),
            "mirror_source_first": round(float(np.mean(top10[:, 0] == sources)), 4),
            "mirror_source_in_top10": round(
                float(np.mean([s in row for s, row in zip(sources, top10, strict=True)])), 4
            ),
            "_top10": top10,
        }
    ref = report["runtimes"]["torch"]
    for runtime in RUNTIMES:
        r = report["runtimes"][runtime]
        for kind in ("names", "bios"):
            cos = (vectors[runtime][kind] * vectors["torch"][kind]).sum(axis=1)
            r[f"{kind}_cosine_to_torch_mean"] = round(float(cos.mean()), 5)
            r[f"{kind}_cosine_to_torch_min"] = round(float(cos.min()), 5)
        overlap = [
            len(set(a) & set(b)) / 10 for a, b in zip(r["_top10"], ref["_top10"], strict=True)
        ]
        r["name_search_top10_overlap_with_torch"] = round(float(np.mean(overlap)), 4)
    for r in report["runtimes"].values():
        del r["_top10"]
    report["load_avg_at_end"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
