"""``mirrorscan model train`` and ``mirrorscan eval``: score generated splits (or a labelled set)
with the real pipeline, fit and calibrate the scorer, report the metrics beside naive peers."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from service.config import Settings
from service.domain import PairFeature, Profile, Verdict
from service.encoders import configured_encoders
from service.errors import InvalidInput, MirrorscanError
from service.features.image import ImageEncoder
from service.features.text import TextEncoder
from service.pipeline import Pipeline
from service.scoring.likeness import ANCHOR_QUANTILE
from service.scoring.model import LogisticScorer, probability
from service.scoring.policy import BandPolicy
from service.store.bank import Store
from service.training import fit, peers
from service.training.encode_cache import CachedImageEncoder, CachedTextEncoder, runtime
from service.training.metrics import Scored, summary
from service.usecases.decisions import Decision, list_decisions

Progress = Callable[[str, int | None], Callable[[int], None]]
L2_GRID = (1e-4, 1e-3, 1e-2)
SEVERITY = {"block": 0, "review": 1, "allow": 2}


class Encoders:
    """Loaded once, shared by the temporary pipelines of every split. With ``cache``, their
    outputs are kept on disk there (``encode_cache``), so a retrain after a change to comparison
    or scoring code does not re-run the encoders. The same encoders, on the same runtime (ONNX
    where the server uses it), as the server: the features a model is fit on are the ones it
    scores."""

    def __init__(self, settings: Settings, cache: Path | None = None) -> None:
        m = settings.models
        text, image = configured_encoders(settings)
        self.text: TextEncoder = text
        self.image: ImageEncoder = image
        if cache is not None and not m.fake:
            self.text = CachedTextEncoder(self.text, cache)
            self.image = CachedImageEncoder(self.image, cache)
        self.text.load()
        self.image.load()


def temp_pipeline(
    settings: Settings, enc: Encoders, folder: Path, *, learn: bool = False
) -> Pipeline:
    """A pipeline on a temporary SQLite store in ``folder``. Unless ``learn``, it learns
    nothing from the profiles it scores (traffic commonness, avatar likeness): training data
    keeps the scale it was generated on, and an evaluation set teaches nothing."""
    off = {"traffic_min_sightings": 0, "likeness_min_profiles": 0}
    scoring = settings.scoring if learn else settings.scoring.model_copy(update=off)
    s = settings.model_copy(update={"data_dir": folder, "database_url": None, "scoring": scoring})
    folder.mkdir(parents=True, exist_ok=True)
    store = Store(s.db_url)
    store.create_all()
    pipeline = Pipeline(s, store, enc.text, enc.image, LogisticScorer.load(s.models.scorer_path))
    pipeline.load_indexes()
    pipeline.ready = True
    return pipeline


def _load_bank(pipeline: Pipeline, bank: Path, progress: Progress | None) -> None:
    profiles = fit.load_profiles(bank, pipeline.settings.limits.max_image_bytes)
    advance = progress("bank", len(profiles)) if progress else None
    for start in range(0, len(profiles), 128):
        results = pipeline.upsert(profiles[start : start + 128])
        bad = [r for r in results if isinstance(r, MirrorscanError)]
        if bad:
            raise InvalidInput(f"{bank}: {bad[0].detail}")
        if advance:
            advance(len(results))


def feature_fingerprint(enc: Encoders) -> str:
    """Changes whenever the pair features could: the encoders, or the code that derives and
    compares (features, normalisation, scoring, the pipeline and its search and featurize
    stages), not what applies after the model (the band policy, the shipped scorer)."""
    root = Path(__file__).resolve().parents[1]
    after_model = {root / "scoring" / "policy.py", root / "data" / "scorer.json"}
    names = f"{enc.text.name}|{enc.image.name}|{runtime(enc.text)}|{runtime(enc.image)}"
    digest = hashlib.sha256(names.encode())
    for folder in ("features", "normalize", "scoring", "data"):
        for path in sorted((root / folder).rglob("*")):
            derives = path.suffix in (".py", ".json", ".npz") and path not in after_model
            if path.is_file() and derives:
                digest.update(path.read_bytes())
    for stage in ("pipeline.py", "featurize.py", "search.py", "channels.py", "encoders.py"):
        digest.update((root / stage).read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class SplitPairs:
    pairs: list[fit.Pair]
    labels: dict[str, fit.Labelled]
    bank: list[Profile]
    candidates: list[Profile]
    best_cosines: dict[str, float]  # candidate id -> best avatar cosine over its accounts

    def likeness(self) -> dict[str, float | int] | None:
        """The scorer's avatar likeness anchor (``scoring.likeness``): the anchor quantile of
        the unrelated candidates' best avatar cosine."""
        unrelated = [c for k, c in self.best_cosines.items()
                     if k in self.labels and self.labels[k].account is None]  # fmt: skip
        if not unrelated:
            return None
        value = float(np.quantile(unrelated, ANCHOR_QUANTILE))
        return {"quantile": ANCHOR_QUANTILE, "cosine": round(value, 4), "profiles": len(unrelated)}


def split_pairs(
    settings: Settings, enc: Encoders, folder: Path, work: Path, progress: Progress | None
) -> SplitPairs:
    """The split's candidate pairs with their features, collected once per feature fingerprint
    (cached beside the split: refitting the model needs no re-encoding)."""
    limit = settings.limits.max_image_bytes
    labels = fit.read_labels(folder / "labels.jsonl")
    bank = fit.load_profiles(folder / "bank.jsonl", limit)
    cands = fit.load_profiles(folder / "candidates.jsonl", limit)
    cache = folder / f"pairs-{feature_fingerprint(enc)}.json.gz"
    if cache.exists():
        with gzip.open(cache, "rt", encoding="utf-8") as fh:
            raw = json.load(fh)
        if isinstance(raw, dict) and "best_cosines" in raw:  # else an older format: collect
            pairs = [fit.Pair(*r) for r in raw["pairs"]]
            return SplitPairs(pairs, labels, bank, cands, raw["best_cosines"])
    pipeline = temp_pipeline(settings, enc, work / folder.name)
    best: dict[str, float] = {}
    try:
        _load_bank(pipeline, folder / "bank.jsonl", progress)
        advance = progress(f"pairs:{folder.name}", len(cands)) if progress else None
        pairs = fit.collect_pairs(pipeline, cands, advance, best)
    finally:
        pipeline.close()
    tmp = cache.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        rows = [[p.candidate, p.account, p.group, p.values] for p in pairs]
        json.dump({"pairs": rows, "best_cosines": best}, fh)
    tmp.rename(cache)
    return SplitPairs(pairs, labels, bank, cands, best)


def decision_pairs(settings: Settings) -> tuple[list[fit.Pair], np.ndarray]:
    """Moderator decisions in the data dir's audit log as labelled pairs (confirmed = 1), with
    the comparison features recorded at decision time; the latest decision on a pair wins."""
    store = Store(settings.db_url)
    store.create_all()
    latest: dict[tuple[str, str], Decision] = {}
    try:
        before: int | None = None
        while page := list_decisions(store, before, 1000):
            for d in page:
                if d.features:
                    key = (json.dumps(d.profile, sort_keys=True), d.account_id)
                    latest.setdefault(key, d)
            before = page[-1].seq
    finally:
        store.close()
    pairs = [fit.Pair(f"decision:{d.seq}", d.account_id, "", d.features) for d in latest.values()]
    labels = np.array([1.0 if d.decision == "confirmed" else 0.0 for d in latest.values()])
    return pairs, labels


def train(
    settings: Settings,
    data: Path,
    out: Path,
    *,
    with_decisions: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    for name in ("train", "validation", "test"):
        if not (data / name / "labels.jsonl").exists():
            raise InvalidInput(
                f"{data / name} is not a generated split (run `mirrorscan model generate`)"
            )
    enc = Encoders(settings, data / ".encode-cache")
    with tempfile.TemporaryDirectory(prefix="mirrorscan-train-") as tmp:
        splits = {n: split_pairs(settings, enc, data / n, Path(tmp), progress)
                  for n in ("train", "validation", "test")}  # fmt: skip
        extra_pairs, extra_y = decision_pairs(settings) if with_decisions else ([], np.zeros(0))
    trained = splits["train"]
    tr_pairs, tr_labels = trained.pairs, trained.labels
    keep = [(p, fit.pair_label(p, tr_labels)) for p in tr_pairs]
    pairs = [p for p, y in keep if y is not None] + extra_pairs
    y = np.array([y for _, y in keep if y is not None] + list(extra_y), dtype=float)
    weights = np.concatenate(
        [np.ones(len(pairs) - len(extra_pairs)), np.full(len(extra_pairs), 3.0)]
    )
    va_pairs, va_labels = splits["validation"].pairs, splits["validation"].labels
    extra = (extra_pairs, extra_y) if extra_pairs else None
    best: tuple[float, fit.Fitted] | None = None
    for l2 in L2_GRID:
        model = fit.fit_logistic(pairs, y, l2, weights)
        fit.calibrate(model, va_pairs, va_labels, extra)
        loss = _log_loss(_candidates(model, va_pairs, va_labels))
        if best is None or loss < best[0]:
            best = (loss, model)
    assert best is not None
    model = best[1]
    likeness = trained.likeness()
    anchor = {"avatar_likeness": likeness} if likeness else {}
    scorer = LogisticScorer.from_dict(fit.artifact(model, "candidate", anchor))
    tested = splits["test"]
    te_pairs, te_labels, te_bank, te_cands = (tested.pairs, tested.labels, tested.bank,
                                              tested.candidates)  # fmt: skip
    val, val_policy = candidate_results(settings, scorer, va_pairs, va_labels)
    test, test_policy = candidate_results(settings, scorer, te_pairs, te_labels)
    default = policy_for(settings, scorer, settings.scoring.prevalence)
    report = {
        "validation": summary(val, block=val_policy.block, review=val_policy.review),
        "test": summary(test, block=test_policy.block, review=test_policy.review),
        "peers_test": peers.run_all(te_bank, te_cands, te_labels),
        "bands": {
            "configured_prevalence": default.describe(),
            "test_prevalence": test_policy.describe(),
        },
    }
    digest = hashlib.sha256(
        json.dumps(fit.artifact(model, "", {}), sort_keys=True).encode()
    ).hexdigest()
    version = f"lr-{dt.date.today():%Y%m%d}-{digest[:8]}"
    meta = {
        "description": "Logistic model over pairwise comparison features, sign-constrained, "
        "Platt-calibrated on held-out groups (candidate level).",
        "trained_on": {
            "data": str(data),
            "generator": json.loads((data / "generator.json").read_text())
            if (data / "generator.json").exists()
            else None,
            "pairs": int(len(y)),
            "positive_pairs": int(y.sum()),
            "moderator_decisions": len(extra_pairs),
            "encoders": {"text": enc.text.name, "image": enc.image.name},
        },
        "bands": fit.finite(report["bands"]),
        "metrics": fit.finite({k: v for k, v in report.items() if k != "bands"}),
        **anchor,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(fit.artifact(model, version, meta), indent=2, ensure_ascii=False) + "\n"
    )
    return {"version": version, **report}


def _candidates(
    model: fit.Fitted, pairs: list[fit.Pair], labels: dict[str, fit.Labelled]
) -> list[Scored]:
    best = fit.best_per_candidate(pairs, model.probs(pairs))
    floor = float(1.0 / (1.0 + np.exp(-(model.platt_a * (model.intercept - 5.0) + model.platt_b))))
    return fit.scored(labels, best, floor)


def _detail_line(
    profile: Profile, label: fit.Labelled, verdict: Verdict | MirrorscanError
) -> dict[str, Any]:
    line: dict[str, Any] = {"id": profile.id, "family": label.family, "label": label.account,
                            "name": profile.display_name, "handle": profile.handle}  # fmt: skip
    if isinstance(verdict, MirrorscanError):
        return line | {"error": verdict.detail}
    line |= {"score": round(verdict.score, 4), "band": verdict.band.value,
             "reason": verdict.band_reason, "llr": verdict.log_likelihood_ratio}  # fmt: skip
    if verdict.matches:
        m = verdict.matches[0]
        line["top"] = {
            "account": m.account_id,
            "name": m.account.display_name if m.account else "",
            "handle": m.account.handle if m.account else "",
            "evidence": [[e.feature, e.contribution, e.detail] for e in m.evidence
                         if abs(e.contribution) >= 0.05],
        }  # fmt: skip
    return line


def policy_for(settings: Settings, scorer: LogisticScorer, prevalence: float) -> BandPolicy:
    sc = settings.scoring
    return BandPolicy.resolve(
        scorer,
        prevalence=prevalence,
        block_precision=sc.block_precision,
        review_precision=sc.review_precision,
        family_min_llr=sc.family_min_llr,
    )


def set_prevalence(labels: dict[str, fit.Labelled]) -> float:
    share = sum(1 for lab in labels.values() if lab.account) / max(len(labels), 1)
    return min(max(share, 1e-4), 1 - 1e-4)


def candidate_results(
    settings: Settings,
    scorer: LogisticScorer,
    pairs: list[fit.Pair],
    labels: dict[str, fit.Labelled],
) -> tuple[list[Scored], BandPolicy]:
    """Candidate-level results as the service would give them at the set's own prevalence:
    each pair's probability and band (with the corroboration rule), the best probability, the
    most severe band. A candidate with no retrieved pair scores 0 and is allowed."""
    prevalence = set_prevalence(labels)
    policy = policy_for(settings, scorer, prevalence)
    per: dict[str, list[tuple[float, str, str, str]]] = {}
    for pair in pairs:
        feats = [PairFeature(n.split(".")[0], n, v, "") for n, v in pair.values.items()]
        llr, evidence = scorer.explain(feats)
        prob = probability(llr, prevalence)
        band = policy.decide(prob, evidence).band.value
        per.setdefault(pair.candidate, []).append((prob, band, pair.account, pair.group))
    out = []
    for lab in labels.values():
        rows = per.get(lab.id)
        if not rows:
            out.append(Scored(lab.id, lab.family, lab.account, lab.group, 0.0, None, None, "allow"))
            continue
        top = max(rows, key=lambda r: r[0])
        band = min((r[1] for r in rows), key=SEVERITY.__getitem__)
        out.append(Scored(lab.id, lab.family, lab.account, lab.group, top[0], top[2], top[3], band))
    return out, policy


def _log_loss(items: list[Scored]) -> float:
    p = np.clip(np.array([s.score for s in items]), 1e-6, 1 - 1e-6)
    y = np.array([1.0 if s.positive else 0.0 for s in items])
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def evaluate(
    settings: Settings,
    bank: Path,
    candidates: Path,
    labels_path: Path,
    progress: Progress | None = None,
    prevalence: float | None = None,
    cache: Path | None = None,
    learn_traffic: bool = False,
    details: Path | None = None,
) -> dict[str, Any]:
    """Score a labelled candidate set against a bank with the configured model, beside the
    naive peers. Probabilities and bands are computed at the set's own prevalence (its share of
    mirrors) unless ``prevalence`` is given, so calibration is measured for the question the
    set asks; the bands are the service's own (with the corroboration rule). ``cache``: keep
    the encoders' outputs there (re-running an evaluation then costs only the comparisons).
    ``learn_traffic``: let the service learn common avatars from the set's own candidates as it
    scores them (``service.scoring.traffic``), as a deployment does; off, the set teaches
    nothing. ``details``: write one JSON line per candidate (its label, score, band and reason,
    and the evidence of its top match), to read the errors behind the figures."""
    labels = fit.read_labels(labels_path)
    share = set_prevalence(labels)
    scoring = settings.scoring.model_copy(update={"prevalence": prevalence or share})
    settings = settings.model_copy(update={"scoring": scoring})
    enc = Encoders(settings, cache)
    limit = settings.limits.max_image_bytes
    cands = fit.load_profiles(candidates, limit)
    missing = [c.id for c in cands if c.id not in labels]
    if missing:
        raise InvalidInput(f"{labels_path} has no label for candidate {missing[0]!r}")
    with tempfile.TemporaryDirectory(prefix="mirrorscan-eval-") as tmp:
        pipeline = temp_pipeline(settings, enc, Path(tmp) / "bank", learn=learn_traffic)
        try:
            _load_bank(pipeline, bank, progress)
            advance = progress("scoring", len(cands)) if progress else None
            items: list[Scored] = []
            out = details.open("w", encoding="utf-8") if details else None
            for start in range(0, len(cands), 32):
                chunk = cands[start : start + 32]
                for c, v in zip(chunk, pipeline.score_many(chunk), strict=True):
                    lab = labels[c.id]
                    top: tuple[float, str | None, str | None] = (0.0, None, None)
                    band = "allow"
                    if not isinstance(v, MirrorscanError):
                        m = v.matches[0] if v.matches else None
                        top = (v.score, m.account_id if m else None, m.group if m else None)
                        band = v.band.value
                    items.append(Scored(c.id, lab.family, lab.account, lab.group, *top, band))
                    if out is not None:
                        out.write(json.dumps(_detail_line(c, lab, v), ensure_ascii=False) + "\n")
                if advance:
                    advance(len(chunk))
            if out is not None:
                out.close()
            version = pipeline.scorer.version
            bands = pipeline.bands
            policy = bands.describe()
        finally:
            pipeline.close()
    return {
        "model_version": version,
        "bands": policy,
        "mirrorscan": summary(items, block=bands.block, review=bands.review),
        "peers": peers.run_all(fit.load_profiles(bank, limit), cands, labels),
    }
