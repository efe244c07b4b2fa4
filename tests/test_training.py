"""Training data generation, fitting and metrics, on small data with the fake encoders."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from service.config import ModelSettings, Settings
from service.decisions import record_decision
from service.domain import PairFeature
from service.scoring.model import LogisticScorer
from service.store.bank import Store
from service.training.fit import NEGATIVE_FEATURES
from service.training.generate import Generator
from service.training.images import drawn_images
from service.training.metrics import Scored, ece, summary, threshold_at_fpr, threshold_at_precision
from service.training.run import evaluate, train
from service.training.sources import Group, Member


def groups(n: int = 40) -> list[Group]:
    words = "Tehreek Lashkar Jaish Harakat Jamaat Ansar Ittehad Front Brigade Movement Army "
    words += "Liberation Khorasan Baloch Sindh Mujahideen"
    words = words.split()
    out = []
    for i in range(n):
        name = f"{words[i % 16]} {words[(i * 7 + 3) % 16]} {words[(i * 5 + 1) % 16]} {i}"
        out.append(Group(f"g:{i}", name, [f"{words[(i + 2) % 16]} {i}"], None,
                         [Member(f"Member {words[i % 16]} Khan {i}")]))  # fmt: skip
    return out


def test_generation_is_deterministic_and_split_by_group(tmp_path: Path) -> None:
    a = Generator(groups(), drawn_images(1, logos=50), {}, seed=3).build()
    b = Generator(groups(), drawn_images(1, logos=50), {}, seed=3).build()
    assert [c["display_name"] for c in a["test"].candidates] == [
        c["display_name"] for c in b["test"].candidates
    ]
    seen = {name: {row["group"] for row in split.bank} for name, split in a.items()}
    assert not seen["train"] & seen["test"] and not seen["train"] & seen["validation"]
    for split in a.values():
        ids = {row["id"] for row in split.bank}
        labels = {lab["id"]: lab for lab in split.labels}
        assert set(labels) == {c["id"] for c in split.candidates}
        assert all(lab["account_id"] in ids for lab in labels.values() if lab["account_id"])
        assert any(lab["account_id"] is None for lab in labels.values())
    a["test"].write(tmp_path / "test")
    first = json.loads((tmp_path / "test" / "candidates.jsonl").read_text().splitlines()[0])
    assert set(first) == {"id", "platform", "handle", "display_name", "bio", "links",
                          "avatar_path", "avatar_url"}  # fmt: skip


def test_train_writes_a_loadable_calibrated_artifact_and_eval_reads_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for name, split in Generator(groups(30), drawn_images(2, logos=40), {}, seed=5).build().items():
        split.write(data / name)
    settings = Settings(data_dir=tmp_path / "d", models=ModelSettings(fake=True))
    settings.data_dir.mkdir()
    store = Store(settings.db_url)
    store.create_all()
    for i, decision in enumerate(("confirmed", "rejected")):
        feature = PairFeature("name", "name.fuzzy", 0.9, "")
        record_decision(store, "key:test", profile={"id": f"p{i}", "handle": f"h{i}"},
                        account_id="acct", decision=decision, note="", score=0.5, band="review",
                        model_version="m", features=[feature])  # fmt: skip
    store.close()
    out = tmp_path / "scorer.json"
    report = train(settings, data, out, with_decisions=True)
    scorer = LogisticScorer.load(out)
    assert scorer.version == report["version"]
    assert all(w >= 0 for n, w in scorer.weights.items() if n not in NEGATIVE_FEATURES)
    assert all(w <= 0 for n, w in scorer.weights.items() if n in NEGATIVE_FEATURES)
    assert report["test"]["roc_auc"] > 0.8
    bands = report["bands"]["configured_prevalence"]
    assert 0.0 < bands["review"] <= bands["block"] < 1.0
    assert bands["prevalence"] == settings.scoring.prevalence
    calibration = json.loads(out.read_text())["calibration"]
    assert 0.0 < calibration["prevalence"] < 1.0  # the generated splits' own prior
    assert calibration["curve"]["positives"] and calibration["curve"]["negatives"]
    meta = json.loads(out.read_text())
    assert meta["trained_on"]["moderator_decisions"] == 2
    assert meta["metrics"]["test"]["candidates"] == report["test"]["candidates"]
    tuned = settings.model_copy(update={"models": ModelSettings(fake=True, scorer_path=out)})
    result = evaluate(tuned, data / "test" / "bank.jsonl", data / "test" / "candidates.jsonl",
                      data / "test" / "labels.jsonl")  # fmt: skip
    assert result["model_version"] == scorer.version
    assert result["mirrorscan"]["candidates"] == report["test"]["candidates"]
    # scored at the set's own prevalence, with the service's bands (corroboration rule)
    assert result["bands"]["prevalence"] == pytest.approx(result["mirrorscan"]["prevalence"])
    assert {"legit_in_block", "legit_in_review_share"} <= set(result["mirrorscan"])
    assert set(result["peers"]) == {"rapidfuzz_name_only", "phash_avatar_only"}


def s(score: float, positive: bool, family: str = "f") -> Scored:
    return Scored("x", family, "a" if positive else None, "g" if positive else None, score,
                  "a" if positive else None, "g" if positive else None)  # fmt: skip


def test_metric_operating_points() -> None:
    items = [s(0.9, True), s(0.8, True), s(0.7, False), s(0.6, True), s(0.1, False)]
    assert threshold_at_precision(items, 0.99) == 0.8
    assert threshold_at_fpr(items, 0.0) > 0.7
    out = summary(items, block=0.8, review=0.5)
    assert out["recall_at_precision_0.99"] == pytest.approx(2 / 3)
    assert out["roc_auc"] == pytest.approx(5 / 6)
    assert out["block"]["count"] == 2 and out["block"]["precision"] == 1.0
    assert out["legit_in_block"] == 0 and out["legit_in_review_share"] == pytest.approx(0.5)


def test_the_service_band_wins_over_thresholds() -> None:
    """A namesake above the block threshold that the corroboration rule kept in review counts
    as reviewed, not blocked."""
    held = Scored("n", "namesake", None, None, 0.99, "a", "g", "review")
    out = summary([held, s(0.95, True)], block=0.8, review=0.5)
    assert out["legit_in_block"] == 0 and out["legit_in_review_share"] == 1.0


def test_ece_of_a_calibrated_and_a_miscalibrated_set() -> None:
    calibrated = [s(0.25, i == 0) for i in range(4)] + [s(0.75, i < 3) for i in range(4)]
    assert ece(calibrated) == pytest.approx(0.0)
    overconfident = [s(0.95, i < 5) for i in range(10)]
    assert ece(overconfident) == pytest.approx(0.45)
    assert not math.isnan(ece(overconfident))
