"""Name-channel measurements (issue 3): prints tables and writes JSON. Not a timed test.

    PYTHONPATH=$PWD nice python benchmarks/names.py --json names.json

1. Dakshina: an Urdu word against its attested Roman spellings versus spellings of other words
   (pairwise ROC-AUC), beside anyascii and ICU transliteration with Jaro-Winkler.
2. Candidate recall: generated evasions of a 100,000-name synthetic bank; is the source among the
   top-50 of the n-gram FAISS channel?
3. Real aliases (UN and OFAC lists): query each alias and each UN original-script name against a
   bank of the primary names; recall@1/@10 of the system (n-gram FAISS + e5 candidates, re-ranked
   by the name features with a logistic combination) beside rapidfuzz WRatio. The combination's
   weights are fitted by 2-fold cross-fitting over entries (each query is ranked by weights fitted
   on the other half's queries), and, as a second figure, on generated evasions only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import faiss  # noqa: E402
import numpy as np  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402
from rapidfuzz.distance import JaroWinkler  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import (  # noqa: E402
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table  # noqa: E402
from rich.text import Text  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from benchmarks.name_data import (  # noqa: E402
    Entry,
    evade,
    load_dakshina,
    load_ofac,
    load_un,
    synthetic_bank,
)
from service.features.ngrams import DIM, forms_vector  # noqa: E402
from service.normalize.names import analyse_handle, analyse_name  # noqa: E402
from service.scoring.name_words import name_similarity  # noqa: E402
from service.scoring.names import compare_names  # noqa: E402
from service.scoring.rarity import TokenRarity, reference_rarity  # noqa: E402

faiss.omp_set_num_threads(1)
faiss.cvar.distance_compute_blas_threshold = 1000
console = Console(width=150)
T = TypeVar("T")


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:>8,.0f}/s")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _Rate(),
                    TimeRemainingColumn(), console=console, transient=True)


def _track(items: Sequence[T], label: str) -> Iterator[T]:
    with _progress() as bar:
        task = bar.add_task(label, total=len(items))
        for item in items:
            yield item
            bar.advance(task)


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
            pool = [r for r in by_initial[roman[:1]]
                    if r not in own and abs(len(r) - len(roman)) <= 1]
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

def candidates(bank_size: int, queries: int, dims: Sequence[int], k: int = 50,
               seed: int = 11) -> dict[str, object]:
    bank = synthetic_bank(bank_size)
    rng = random.Random(seed)
    sources = rng.sample(range(len(bank)), queries)
    evaded = [evade(bank[i], rng) for i in sources]
    bank_forms = [analyse_name(b) for b in _track(bank, "analyse bank")]
    query_forms = [analyse_handle(q) if "handle" in kinds else analyse_name(q)
                   for q, kinds in evaded]
    out: dict[str, object] = {"bank": len(bank), "queries": queries, "k": k}
    for dim in dims:
        t0 = time.perf_counter()
        matrix = np.stack([forms_vector([f], dim) for f in _track(bank_forms, f"vectors d={dim}")])
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
            "misses": [(bank[sources[j]], evaded[j][0], list(evaded[j][1]))
                       for j in np.where(~hit)[0][:20]],
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
        lambda p: compare_names(p[0], "", p[1], "", rarity, 0.8), pairs)
    out["compare_pair_warm_us"] = per_call(
        lambda p: compare_names(p[0], "", p[1], "", rarity, 0.8), pairs)
    clear()
    out["name_vector_cold_us"] = per_call(lambda q: name_vector(q, q), queries)
    return out


# ---------------------------------------------------------------- 3. sanctions lists

@dataclass
class Query:
    text: str
    target: int  # bank row
    group: str


def _naive_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def naive_ranks(queries: Sequence[Query], bank: Sequence[str], k: int = 10) -> list[list[int]]:
    """rapidfuzz WRatio over the whole bank: the naive peer."""
    keys = [_naive_key(b) for b in bank]
    out: list[list[int]] = []
    chunk = 500
    for start in _track(range(0, len(queries), chunk), "rapidfuzz WRatio"):
        qs = [_naive_key(q.text) for q in queries[start : start + chunk]]
        scores = process.cdist(qs, keys, scorer=fuzz.WRatio, workers=1, dtype=np.uint8)
        order = np.argsort(-scores.astype(np.int16), axis=1, kind="stable")[:, :k]
        out.extend(order.tolist())
    return out


def _feature_names() -> list[str]:
    return ["name.jaro_winkler", "name.token_set", "name.ngram_cosine", "name.visual_equal",
            "name.consonant_similarity", "name.skeleton_equal", "name.rare_overlap",
            "name.contained", "name.shared_bits", "name.acronym", "name.lookalike",
            "name.embedding"]


def pair_vector(query: str, cand: str, rarity: TokenRarity, cosine: float) -> list[float]:
    """The pair's features, and the same again for pairs across scripts (so that the linear
    combination can weigh transliteration-robust features differently there)."""
    feats = {f.name: f.value for f in compare_names(query, "", cand, "", rarity, cosine)}
    row = [feats.get(n, 0.0) for n in _feature_names()]
    row[_feature_names().index("name.shared_bits")] /= 20.0
    q, c = analyse_name(query).scripts, analyse_name(cand).scripts
    cross = float(bool(q and c and not q & c))
    return row + [v * cross for v in row] + [cross]


def _share_in(targets: Sequence[int] | np.ndarray, rows: Sequence[Sequence[int]] | np.ndarray
              ) -> float:
    return float(np.mean([t in list(r) for t, r in zip(targets, rows, strict=True)]))


@dataclass
class Ranked:
    candidates: list[list[int]]
    features: list[np.ndarray]


def system_candidates(queries: Sequence[Query], bank: Sequence[str], rarity: TokenRarity,
                      e5_bank: np.ndarray | None, e5_queries: np.ndarray | None,
                      k: int = 50) -> tuple[Ranked, dict[str, float]]:
    bank_forms = [analyse_name(b) for b in bank]
    index = faiss.IndexFlatIP(DIM)
    index.add(np.stack([forms_vector([f], DIM) for f in bank_forms]))
    qv = np.stack([forms_vector([analyse_name(q.text)], DIM) for q in queries])
    _, ngram_ids = index.search(qv, k)
    e5_ids = None
    if e5_bank is not None and e5_queries is not None:
        e5_index = faiss.IndexFlatIP(e5_bank.shape[1])
        e5_index.add(e5_bank)
        _, e5_ids = e5_index.search(e5_queries, k)
    targets = np.array([q.target for q in queries])
    stats = {
        "ngram.recall@1": float(np.mean(ngram_ids[:, 0] == targets)),
        f"ngram.recall@{k}": _share_in(targets, ngram_ids),
    }
    if e5_ids is not None:
        stats["e5.recall@1"] = float(np.mean(e5_ids[:, 0] == targets))
        stats[f"e5.recall@{k}"] = _share_in(targets, e5_ids)
    cands: list[list[int]] = []
    feats: list[np.ndarray] = []
    for j, q in enumerate(_track(queries, "compare candidates")):
        ids = list(dict.fromkeys([int(i) for i in ngram_ids[j] if i >= 0]
                                 + ([int(i) for i in e5_ids[j]] if e5_ids is not None else [])))
        cos = (e5_bank[ids] @ e5_queries[j]) if e5_ids is not None else np.zeros(len(ids))
        rows = [pair_vector(q.text, bank[i], rarity, float(c))
                for i, c in zip(ids, cos, strict=True)]
        cands.append(ids)
        feats.append(np.array(rows, dtype=np.float32))
    stats["union.recall"] = _share_in(targets, cands)
    return Ranked(cands, feats), stats


def _fit(queries: Sequence[Query], ranked: Ranked, rows: Sequence[int]) -> LogisticRegression:
    xs, ys = [], []
    for j in rows:
        xs.append(ranked.features[j])
        ys.extend(int(i == queries[j].target) for i in ranked.candidates[j])
    model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
    model.fit(np.concatenate(xs), np.array(ys))
    return model


def _rank(model: LogisticRegression, ranked: Ranked, j: int) -> list[int]:
    scores = model.decision_function(ranked.features[j])
    order = np.argsort(-scores, kind="stable")
    return [ranked.candidates[j][i] for i in order]


def cross_fitted_ranks(queries: Sequence[Query], ranked: Ranked, entry_ids: Sequence[str]
                       ) -> list[list[int]]:
    """Each query is ranked by weights fitted on the queries of the other half of the entries."""
    fold = [zlib.crc32(entry_ids[q.target].encode()) % 2 for q in queries]
    out: list[list[int]] = [[] for _ in queries]
    for f in (0, 1):
        model = _fit(queries, ranked, [j for j in range(len(queries)) if fold[j] != f])
        for j in range(len(queries)):
            if fold[j] == f:
                out[j] = _rank(model, ranked, j)
    return out


def generated_model(rarity: TokenRarity, bank_size: int = 5000, n: int = 3000,
                    seed: int = 5) -> LogisticRegression:
    """Weights fitted on generated evasions of a synthetic bank only (no sanctions data)."""
    bank = synthetic_bank(bank_size, seed=seed)
    rng = random.Random(seed)
    sources = rng.sample(range(len(bank)), n)
    queries = [Query(evade(bank[i], rng, k=rng.randint(1, 3))[0], i, "generated") for i in sources]
    ranked, _ = system_candidates(queries, bank, rarity, None, None, k=20)
    return _fit(queries, ranked, range(len(queries)))


def _recall(ranks: Sequence[Sequence[int]], queries: Sequence[Query], group: str,
            k: int) -> tuple[float, int]:
    hits = [q.target in r[:k] for q, r in zip(queries, ranks, strict=True) if q.group == group]
    return (float(np.mean(hits)) if hits else float("nan")), len(hits)


def _queries(entries: Sequence[Entry], list_name: str) -> list[Query]:
    out: list[Query] = []
    for row, e in enumerate(entries):
        for alias in e.aliases:
            if e.kind in ("individual", "entity"):
                out.append(Query(alias, row, f"{list_name} {e.kind} aliases"))
        for original in e.original:
            plural = "individuals" if e.kind == "individual" else "entities"
            out.append(Query(original, row, f"{list_name} original-script {plural}"))
    return out


def sanctions(use_e5: bool, lists: Sequence[str] = ("UN", "OFAC"),
              generated: bool = True) -> dict[str, object]:
    from benchmarks.e5_cache import embed

    results: dict[str, object] = {}
    loaders = {"UN": load_un, "OFAC": load_ofac}
    for list_name in lists:
        entries = loaders[list_name]()
        bank = [e.name for e in entries]
        queries = _queries(entries, list_name)
        rarity = reference_rarity()
        rarity.add_names(bank)
        e5_bank = e5_q = None
        if use_e5:
            e5_bank = embed(bank)
            e5_q = embed([q.text for q in queries])
        console.print(f"{list_name}: bank {len(bank)}, queries {len(queries)}")
        naive = naive_ranks(queries, bank)
        ranked, stats = system_candidates(queries, bank, rarity, e5_bank, e5_q)
        crossfit = cross_fitted_ranks(queries, ranked, [e.id for e in entries])
        gen_ranks = crossfit
        if generated:
            gen_model = generated_model(rarity)
            gen_ranks = [_rank(gen_model, ranked, j) for j in range(len(queries))]
        groups = sorted({q.group for q in queries})
        for group in groups:
            row: dict[str, float] = {}
            for label, ranks in (("naive", naive), ("system", crossfit),
                                 ("system_generated_weights", gen_ranks)):
                for k in (1, 10):
                    row[f"{label}.recall@{k}"], row["queries"] = _recall(ranks, queries, group, k)
            misses = [(q.text, bank[q.target], bank[r[0]] if r else None, q.target in c)
                      for q, r, c in zip(queries, crossfit, ranked.candidates, strict=True)
                      if q.group == group and (not r or r[0] != q.target)]
            row["misses_sample"] = random.Random(0).sample(misses, min(40, len(misses)))
            results[group] = row
        results[f"{list_name} retrieval"] = stats
    return results


# ---------------------------------------------------------------- output

def _print(results: dict[str, object]) -> None:
    if "sanctions" in results:
        table = Table(title="Real aliases: recall of the true entry (bank = primary names)")
        for col in ("query group", "n", "naive @1", "naive @10", "system @1", "system @10",
                    "gen-weights @1", "gen-weights @10"):
            table.add_column(col)
        for group, row in results["sanctions"].items():  # type: ignore[union-attr]
            if "retrieval" in group:
                continue
            table.add_row(group, str(row["queries"]), *(f"{row[k]:.3f}" for k in (
                "naive.recall@1", "naive.recall@10", "system.recall@1", "system.recall@10",
                "system_generated_weights.recall@1", "system_generated_weights.recall@10")))
        console.print(table)
        for group, row in results["sanctions"].items():  # type: ignore[union-attr]
            if "retrieval" in group:
                console.print(group, {k: round(v, 4) for k, v in row.items()})
        
    if "timings" in results:
        timed: dict[str, float] = results["timings"]  # type: ignore[assignment]
        console.print("Hot path, µs per call:", {k: round(v, 1) for k, v in timed.items()})
    if "dakshina" in results:
        console.print("Dakshina (test split):", {k: round(v, 4) if isinstance(v, float) else v
                                                 for k, v in results["dakshina"].items()})
    if "candidates" in results:
        cand = results["candidates"]
        for key, val in cand.items():  # type: ignore[union-attr]
            if isinstance(val, dict):
                console.print(f"candidates {key}:", {k: (round(v, 4) if isinstance(v, float) else v)
                                                     for k, v in val.items() if k != "misses"})
            else:
                console.print(f"candidates {key}: {val}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--only", choices=("timings", "dakshina", "candidates", "sanctions"),
                        action="append")
    parser.add_argument("--bank", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=5000)
    parser.add_argument("--dims", default=str(DIM), help="comma-separated n-gram dimensions")
    parser.add_argument("--split", default="test", help="Dakshina split to report")
    parser.add_argument("--no-e5", action="store_true", help="n-gram candidates and features only")
    parser.add_argument("--lists", default="UN,OFAC", help="sanctions lists to measure")
    parser.add_argument("--no-generated", action="store_true",
                        help="skip the weights fitted on generated evasions")
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
        results["sanctions"] = sanctions(not args.no_e5, args.lists.split(","),
                                         not args.no_generated)
    results["seconds"] = time.perf_counter() - t0
    _print(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
