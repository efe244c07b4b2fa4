"""Name-channel measurements (issue 3): prints tables and writes JSON. Not a timed test.

    PYTHONPATH=$PWD nice python benchmarks/names.py --json names.json

1. Dakshina: an Urdu word against its attested Roman spellings versus spellings of other words
   (pairwise ROC-AUC), beside anyascii and ICU transliteration with Jaro-Winkler.
2. Candidate recall: generated evasions of a 100,000-name synthetic bank; is the source among the
   top-50 of the n-gram FAISS channel?
3. Real aliases (UN and OFAC lists): recall@1/@10 of the true entry for each alias and each UN
   original-script name, beside rapidfuzz WRatio (see ``benchmarks/name_sanctions.py``).
4. Hot-path timings: analysis, pair comparison, n-gram vector, in microseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import faiss  # noqa: E402
import numpy as np  # noqa: E402
from rapidfuzz.distance import JaroWinkler  # noqa: E402
from rich.table import Table  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from benchmarks.name_data import evade, load_dakshina, synthetic_bank  # noqa: E402
from benchmarks.name_sanctions import sanctions  # noqa: E402
from benchmarks.progress import console, track  # noqa: E402
from service.features.ngrams import DIM, forms_vector  # noqa: E402
from service.normalize.names import analyse_handle, analyse_name  # noqa: E402
from service.scoring.name_words import name_similarity  # noqa: E402
from service.scoring.names import compare_names  # noqa: E402
from service.scoring.rarity import reference_rarity  # noqa: E402

faiss.omp_set_num_threads(1)
faiss.cvar.distance_compute_blas_threshold = 1000


# ---------------------------------------------------------------- 1. Dakshina


def dakshina(split: str, seed: int = 0) -> dict[str, float]:
    import icu
    from anyascii import anyascii

    words = load_dakshina(split)
    keys = sorted(words)
    rng = random.Random(seed)
    by_initial: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        for roman, _ in words[k]:
            by_initial[roman[:1]].append(roman)
    pos, rand_neg, hard_neg = [], [], []
    for k in keys:
        own = {r for r, _ in words[k]}
        for roman, _ in words[k]:
            pos.append((k, roman))
            other = rng.choice(keys)
            while other == k:
                other = rng.choice(keys)
            rand_neg.append((k, rng.choice(words[other])[0]))
            pool = [
                r for r in by_initial[roman[:1]] if r not in own and abs(len(r) - len(roman)) <= 1
            ]
            hard_neg.append((k, rng.choice(pool) if pool else rng.choice(words[other])[0]))
    icu_tr = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")

    def ours(u: str, r: str) -> float:
        return name_similarity(analyse_name(u), analyse_name(r))

    def peer_anyascii(u: str, r: str) -> float:
        return JaroWinkler.normalized_similarity(anyascii(u).lower(), r)

    def peer_icu(u: str, r: str) -> float:
        return JaroWinkler.normalized_similarity(icu_tr.transliterate(u), r)

    out: dict[str, float] = {"words": len(keys), "positives": len(pos)}
    for label, fn in (("system", ours), ("anyascii+jw", peer_anyascii), ("icu+jw", peer_icu)):
        sp = [fn(u, r) for u, r in pos]
        for neg_label, negs in (("random", rand_neg), ("hard", hard_neg)):
            sn = [fn(u, r) for u, r in negs]
            y = [1] * len(sp) + [0] * len(sn)
            out[f"{label}.auc_{neg_label}"] = float(roc_auc_score(y, sp + sn))
    return out


# ---------------------------------------------------------------- 2. candidate recall


def candidates(
    bank_size: int, queries: int, dims: Sequence[int], k: int = 50, seed: int = 11
) -> dict[str, object]:
    bank = synthetic_bank(bank_size)
    rng = random.Random(seed)
    sources = rng.sample(range(len(bank)), queries)
    evaded = [evade(bank[i], rng) for i in sources]
    bank_forms = [analyse_name(b) for b in track(bank, "analyse bank")]
    query_forms = [
        analyse_handle(q) if "handle" in kinds else analyse_name(q) for q, kinds in evaded
    ]
    out: dict[str, object] = {"bank": len(bank), "queries": queries, "k": k}
    for dim in dims:
        t0 = time.perf_counter()
        matrix = np.stack([forms_vector([f], dim) for f in track(bank_forms, f"vectors d={dim}")])
        build_s = time.perf_counter() - t0
        index = faiss.IndexFlatIP(dim)
        index.add(matrix)
        qv = np.stack([forms_vector([f], dim) for f in query_forms])
        t0 = time.perf_counter()
        _, ids = index.search(qv, k)
        search_ms = (time.perf_counter() - t0) * 1000 / queries
        hit = np.array([sources[j] in ids[j] for j in range(queries)])
        by_kind: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for j, (_, kinds) in enumerate(evaded):
            for kind in kinds:
                total[kind] += 1
                by_kind[kind] += int(hit[j])
        out[f"d{dim}"] = {
            f"recall@{k}": float(hit.mean()),
            "recall@10": float(np.mean([sources[j] in ids[j][:10] for j in range(queries)])),
            "recall@1": float(np.mean([ids[j][0] == sources[j] for j in range(queries)])),
            "by_evasion": {kind: by_kind[kind] / total[kind] for kind in sorted(total)},
            "vectorise_us_per_name": build_s / len(bank) * 1e6,
            "flat_search_ms_per_query": search_ms,
            "misses": [
                (bank[sources[j]], evaded[j][0], list(evaded[j][1])) for j in np.where(~hit)[0][:20]
            ],
        }
    return out


# ---------------------------------------------------------------- hot-path timings


def timings(n: int = 2000, seed: int = 3) -> dict[str, float]:
    """Microseconds per call on the hot path: analysis of a new name (cache cleared), a pair
    comparison with both names analysed before (the bank side is always warm), a pair
    comparison from cold, and one profile's n-gram vector."""
    from service.features.ngrams import name_vector
    from service.normalize import names as names_module
    from service.scoring import names as scoring_module

    bank = synthetic_bank(n, seed=seed)
    rng = random.Random(seed)
    queries = [evade(b, rng)[0] for b in bank]
    rarity = reference_rarity()

    def clear() -> None:
        names_module._cached.cache_clear()
        scoring_module._vector.cache_clear()

    def per_call(fn: object, items: Sequence[object]) -> float:
        t0 = time.perf_counter()
        for item in items:
            fn(item)  # type: ignore[operator]
        return (time.perf_counter() - t0) / len(items) * 1e6

    clear()
    out = {"analyse_name_cold_us": per_call(analyse_name, bank)}
    pairs = list(zip(queries, bank, strict=True))
    clear()
    out["compare_pair_cold_us"] = per_call(
        lambda p: compare_names(p[0], "", p[1], "", rarity, 0.8), pairs
    )
    out["compare_pair_warm_us"] = per_call(
        lambda p: compare_names(p[0], "", p[1], "", rarity, 0.8), pairs
    )
    clear()
    out["name_vector_cold_us"] = per_call(lambda q: name_vector(q, q), queries)
    return out


# ---------------------------------------------------------------- output


def _print(results: dict[str, object]) -> None:
    if "sanctions" in results:
        table = Table(title="Real aliases: recall of the true entry (bank = primary names)")
        for col in (
            "query group",
            "n",
            "naive @1",
            "naive @10",
            "system @1",
            "system @10",
            "gen-weights @1",
            "gen-weights @10",
        ):
            table.add_column(col)
        for group, row in results["sanctions"].items():  # type: ignore[union-attr]
            if "retrieval" in group:
                continue
            table.add_row(
                group,
                str(row["queries"]),
                *(
                    f"{row[k]:.3f}"
                    for k in (
                        "naive.recall@1",
                        "naive.recall@10",
                        "system.recall@1",
                        "system.recall@10",
                        "system_generated_weights.recall@1",
                        "system_generated_weights.recall@10",
                    )
                ),
            )
        console.print(table)
        for group, row in results["sanctions"].items():  # type: ignore[union-attr]
            if "retrieval" in group:
                console.print(group, {k: round(v, 4) for k, v in row.items()})

    if "timings" in results:
        timed: dict[str, float] = results["timings"]  # type: ignore[assignment]
        console.print("Hot path, µs per call:", {k: round(v, 1) for k, v in timed.items()})
    if "dakshina" in results:
        console.print(
            "Dakshina (test split):",
            {k: round(v, 4) if isinstance(v, float) else v for k, v in results["dakshina"].items()},
        )
    if "candidates" in results:
        cand = results["candidates"]
        for key, val in cand.items():  # type: ignore[union-attr]
            if isinstance(val, dict):
                console.print(
                    f"candidates {key}:",
                    {
                        k: (round(v, 4) if isinstance(v, float) else v)
                        for k, v in val.items()
                        if k != "misses"
                    },
                )
            else:
                console.print(f"candidates {key}: {val}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--only", choices=("timings", "dakshina", "candidates", "sanctions"), action="append"
    )
    parser.add_argument("--bank", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=5000)
    parser.add_argument("--dims", default=str(DIM), help="comma-separated n-gram dimensions")
    parser.add_argument("--split", default="test", help="Dakshina split to report")
    parser.add_argument("--no-e5", action="store_true", help="n-gram candidates and features only")
    parser.add_argument("--lists", default="UN,OFAC", help="sanctions lists to measure")
    parser.add_argument(
        "--no-generated", action="store_true", help="skip the weights fitted on generated evasions"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    only = set(args.only or ("timings", "dakshina", "candidates", "sanctions"))
    results: dict[str, object] = {}
    t0 = time.perf_counter()
    if "timings" in only:
        results["timings"] = timings()
    if "dakshina" in only:
        results["dakshina"] = dakshina(args.split)
    if "candidates" in only:
        dims = [int(d) for d in args.dims.split(",")]
        results["candidates"] = candidates(args.bank, args.queries, dims)
    if "sanctions" in only:
        results["sanctions"] = sanctions(
            not args.no_e5, args.lists.split(","), not args.no_generated
        )
    results["seconds"] = time.perf_counter() - t0
    _print(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
