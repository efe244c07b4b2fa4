"""Is the scale benchmark's synthetic bank as hard as real embeddings? Compares N real e5
vectors (the names and bios of the request benchmark's bank, encoded by the real model) with N
synthetic vectors of ``service/bench/synthetic.py``: similarity statistics, principal spectrum,
and what the approximate index cares about - IVF recall@10 at a few nprobe - and the plan
``fit`` chooses on each, with its recall on held-out real queries.

    PYTHONPATH=$PWD python benchmarks/synthetic_vs_real.py [--accounts 20000] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from benchmarks.http_bank import bank_dir
from service.bench.synthetic import ClusteredVectors
from service.index.fit import build_ivf, chunks_of
from service.index.plan import IndexPolicy
from service.index.tune import ExactTopK, recall_at_k, tied_truth


def real_vectors(accounts: int, column: str) -> np.ndarray:
    db = bank_dir(accounts) / "data" / "bank.sqlite3"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(f"SELECT {column} FROM accounts WHERE {column} IS NOT NULL")  # noqa: S608
    x = np.stack([np.frombuffer(b, dtype=np.float16).astype(np.float32) for (b,) in rows])
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def describe(x: np.ndarray, label: str) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    held = rng.choice(len(x), 300, replace=False)
    keep = np.setdiff1d(np.arange(len(x)), held)
    q, base = x[held], x[keep]
    sims = q @ base.T
    top = np.sort(sims, axis=1)[:, ::-1]
    centred = base[:3000] - base.mean(axis=0)
    spectrum = np.linalg.svd(centred, compute_uv=False) ** 2
    spectrum /= spectrum.sum()
    exact = ExactTopK(q, 20)  # tie-aware: real names repeat, and equal vectors tie
    exact.update(keep.astype(np.int64), base)
    truth = tied_truth(exact, 10)
    ivf = faiss.IndexIVFFlat(
        faiss.IndexFlatIP(x.shape[1]), x.shape[1], 64, faiss.METRIC_INNER_PRODUCT
    )
    ivf.train(base)
    ivf.add(base)
    curve = {}
    for nprobe in (1, 2, 4, 8, 16):
        ivf.nprobe = nprobe
        curve[str(nprobe)] = round(recall_at_k(keep[ivf.search(q, 10)[1]], truth), 3)
    # force an inverted file at this size, with the probes the default policy allows at scale
    policy = IndexPolicy(exact_max_mb=1.0, scan_factor=32.0)
    index = build_ivf(chunks_of(base, keep.astype(np.int64)), len(base), x.shape[1], policy)
    fitted = recall_at_k(index.search(q, 10).ids, truth)
    return {
        "vectors": len(x),
        "cosine_mean": round(float(sims.mean()), 3),
        "cosine_sd": round(float(sims.std()), 3),
        "nn1_cosine": round(float(top[:, 0].mean()), 3),
        "nn10_cosine": round(float(top[:, 9].mean()), 3),
        "exact_duplicates_share": round(float((top[:, 0] > 0.9999).mean()), 3),
        "pca_top10_share": round(float(spectrum[:10].sum()), 3),
        "pca_top50_share": round(float(spectrum[:50].sum()), 3),
        "ivf64_flat_recall_at_10_by_nprobe": curve,
        "fit_plan": index.plan.as_json(),
        "fit_recall_on_held_out": round(fitted, 4),
        "label": label,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    report: dict[str, Any] = {}
    for column in ("name_vec", "bio_vec"):
        real = real_vectors(args.accounts, column)
        synthetic = np.concatenate(
            [v for _, v in ClusteredVectors(real.shape[1], 5).rows(len(real))]
        )
        report[column] = {
            "real": describe(real, "real e5"),
            "synthetic": describe(synthetic, "synthetic"),
        }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
