"""The pipeline gives a channel an inverted file once the bank outgrows the exact size (at a
snapshot and at reopening), keeps accepting upserts and removals, and goes back when it shrinks.
Tiny limits make a few hundred accounts behave like a large bank."""

from __future__ import annotations

import json
from pathlib import Path

from service.config import IndexSettings
from service.domain import Profile
from service.pipeline import Pipeline
from tests.helpers.settings import fake_settings

# the fake text encoder has 64 dimensions: 256 bytes a vector, so 0.02 MB keeps 78 exact
SMALL = IndexSettings(exact_max_mb=0.02)


def _bank(n: int) -> list[Profile]:
    return [
        Profile(id=f"acc-{i}", handle=f"user_{i}", display_name=f"Media Channel {i} Official",
                bio=f"statements and videos number {i}")
        for i in range(n)
    ]  # fmt: skip


def test_a_bank_that_outgrows_exact_search_gets_an_inverted_file(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path, index=SMALL)
    pipeline = Pipeline.open(settings)
    try:
        pipeline.upsert(_bank(400))
        assert pipeline.indexes.channels["name"].plan.family == "flat"  # online: still exact
        folder = pipeline.write_snapshot()  # the snapshot is where the channel is refitted
        plan = pipeline.indexes.channels["name"].plan
        assert plan.family == "ivf_sq8" or plan.family == "ivf_fp16"
        assert plan.recall is not None and plan.trained_on == 400
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["channels"]["name"]["plan"]["family"] == plan.family
        assert manifest["channels"]["pdq"]["plan"]["family"] == "binary_flat"
        verdict = pipeline.score(
            Profile(id="q", handle="user_77x", display_name="Media Channel 77 Official")
        )
        assert verdict.matches[0].account_id == "acc-77"
        # online changes go straight into the inverted file
        pipeline.upsert([Profile(id="new-1", display_name="Qalam Voice Updates")])
        found = pipeline.score(Profile(id="q2", display_name="Qalam Voice Updates"))
        assert found.matches[0].account_id == "new-1"
        assert pipeline.remove("new-1")
        gone = pipeline.score(Profile(id="q3", display_name="Qalam Voice Updates"))
        assert all(m.account_id != "new-1" for m in gone.matches)
    finally:
        pipeline.close()

    reopened = Pipeline.open(settings)  # the snapshot is loaded as written, plan included
    try:
        assert reopened.indexes.channels["name"].plan == plan
        assert reopened.indexes.channels["name"].ntotal == 400
    finally:
        reopened.close()


def test_a_bank_that_shrinks_goes_back_to_exact_search(tmp_path: Path) -> None:
    pipeline = Pipeline.open(fake_settings(tmp_path, index=SMALL))
    try:
        pipeline.upsert(_bank(300))
        pipeline.write_snapshot()
        assert not pipeline.indexes.channels["name"].plan.exact
        for i in range(270):
            pipeline.remove(f"acc-{i}")
        pipeline.write_snapshot()
        assert pipeline.indexes.channels["name"].plan.family == "flat"
        assert sorted(pipeline.indexes.channels["name"].ids().tolist()) == sorted(
            pipeline.store.get(f"acc-{i}").row_id
            for i in range(270, 300)  # type: ignore[union-attr]
        )
    finally:
        pipeline.close()
