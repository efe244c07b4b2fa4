"""Real aliases from the UN and OFAC sanctions lists: query each alias (and each UN original-script
name) against a bank of the primary names; the system (n-gram FAISS + e5 candidates, re-ranked by
the name features with a logistic combination) beside rapidfuzz WRatio over the whole bank.

The combination's weights are never fitted on the queries they rank: 2-fold cross-fitting over
entries (each query is ranked by weights fitted on the other half's queries), and, as a second
figure, weights fitted on generated evasions of a synthetic bank only.
"""

from __future__ import annotations

import random
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import faiss
import numpy as np
from rapidfuzz import fuzz, process
from sklearn.linear_model import LogisticRegression

from benchmarks.name_data import Entry, evade, load_ofac, load_un, synthetic_bank
from benchmarks.progress import console, track
from service.features.ngrams import DIM, forms_vector
from service.normalize.names import analyse_name
from service.scoring.names import compare_names
from service.scoring.rarity import TokenRarity, reference_rarity


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
    for start in track(range(0, len(queries), chunk), "rapidfuzz WRatio"):
        qs = [_naive_key(q.text) for q in queries[start : start + chunk]]
        scores = process.cdist(qs, keys, scorer=fuzz.WRatio, workers=1, dtype=np.uint8)
        order = np.argsort(-scores.astype(np.int16), axis=1, kind="stable")[:, :k]
        out.extend(order.tolist())
    return out


def _feature_names() -> list[str]:
    return [
        "name.jaro_winkler",
        "name.token_set",
        "name.ngram_cosine",
        "name.visual_equal",
        "name.consonant_similarity",
        "name.skeleton_equal",
        "name.rare_overlap",
        "name.contained",
        "name.shared_bits",
        "name.acronym",
        "name.lookalike",
        "name.embedding",
    ]


def pair_vector(query: str, cand: str, rarity: TokenRarity, cosine: float) -> list[float]:
    """The pair's features, and the same again for pairs across scripts (so that the linear
    combination can weigh transliteration-robust features differently there)."""
    feats = {f.name: f.value for f in compare_names(query, "", cand, "", rarity, cosine)}
    row = [feats.get(n, 0.0) for n in _feature_names()]
    row[_feature_names().index("name.shared_bits")] /= 20.0
    q, c = analyse_name(query).scripts, analyse_name(cand).scripts
    cross = float(bool(q and c and not q & c))
    return row + [v * cross for v in row] + [cross]


def _share_in(
    targets: Sequence[int] | np.ndarray, rows: Sequence[Sequence[int]] | np.ndarray
) -> float:
    return float(np.mean([t in list(r) for t, r in zip(targets, rows, strict=True)]))


@dataclass
class Ranked:
    candidates: list[list[int]]
    features: list[np.ndarray]


def system_candidates(
    queries: Sequence[Query],
    bank: Sequence[str],
    rarity: TokenRarity,
    e5_bank: np.ndarray | None,
    e5_queries: np.ndarray | None,
    k: int = 50,
) -> tuple[Ranked, dict[str, float]]:
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
    for j, q in enumerate(track(queries, "compare candidates")):
        ids = list(
            dict.fromkeys(
                [int(i) for i in ngram_ids[j] if i >= 0]
                + ([int(i) for i in e5_ids[j]] if e5_ids is not None else [])
            )
        )
        cos = (e5_bank[ids] @ e5_queries[j]) if e5_ids is not None else np.zeros(len(ids))
        rows = [
            pair_vector(q.text, bank[i], rarity, float(c)) for i, c in zip(ids, cos, strict=True)
        ]
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


def cross_fitted_ranks(
    queries: Sequence[Query], ranked: Ranked, entry_ids: Sequence[str]
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


def generated_model(
    rarity: TokenRarity, bank_size: int = 5000, n: int = 3000, seed: int = 5
) -> LogisticRegression:
    """Weights fitted on generated evasions of a synthetic bank only (no sanctions data)."""
    bank = synthetic_bank(bank_size, seed=seed)
    rng = random.Random(seed)
    sources = rng.sample(range(len(bank)), n)
    queries = [Query(evade(bank[i], rng, k=rng.randint(1, 3))[0], i, "generated") for i in sources]
    ranked, _ = system_candidates(queries, bank, rarity, None, None, k=20)
    return _fit(queries, ranked, range(len(queries)))


def _recall(
    ranks: Sequence[Sequence[int]], queries: Sequence[Query], group: str, k: int
) -> tuple[float, int]:
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


def sanctions(
    use_e5: bool, lists: Sequence[str] = ("UN", "OFAC"), generated: bool = True
) -> dict[str, object]:
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
            for label, ranks in (
                ("naive", naive),
                ("system", crossfit),
                ("system_generated_weights", gen_ranks),
            ):
                for k in (1, 10):
                    row[f"{label}.recall@{k}"], row["queries"] = _recall(ranks, queries, group, k)
            misses = [
                (q.text, bank[q.target], bank[r[0]] if r else None, q.target in c)
                for q, r, c in zip(queries, crossfit, ranked.candidates, strict=True)
                if q.group == group and (not r or r[0] != q.target)
            ]
            row["misses_sample"] = random.Random(0).sample(misses, min(40, len(misses)))
            results[group] = row
        results[f"{list_name} retrieval"] = stats
    return results
