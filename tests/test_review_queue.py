"""The review queue's use cases with the real pipeline (fast encoders) on the demo bank: what
is queued (``review`` only, only when the queue is on), from the API's and a batch job's
scoring, and a queued item claimed, decided into the audit log, or skipped."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import QueueSettings
from service.domain import Band, Profile, Verdict
from service.errors import Conflict, InvalidInput, MirrorscanError
from service.ingest.records import AccountIn
from service.pipeline import Pipeline
from service.store.bank import Store
from service.usecases import review_queue
from service.usecases.batch import score_file
from service.usecases.decisions import list_decisions
from tests.helpers.http import wait_ready
from tests.helpers.settings import SCORE_KEY, WRITE_KEY, fake_env, fake_settings
from tests.helpers.web_site import DEMO, demo_bank

REVIEW = Profile(id="r", display_name="Voice of Khurasan",
                 avatar=(DEMO / "avatars" / "iskp.png").read_bytes())  # fmt: skip
ALLOW = Profile(id="a", display_name="Baloch News Pakistan", bio="News from Balochistan")
BLOCK = Profile(
    id="b", platform="x", handle="ttp_rnedia2", display_name="TTP Media",
    bio="Backup account, old one suspended. Official media of TTP.",
    links=("t.me/ttpmedia_official",), avatar=(DEMO / "avatars" / "ttp-reupload.jpg").read_bytes(),
)  # fmt: skip


def score_many(pipeline: Pipeline, profiles: list[Profile]) -> list[Verdict | MirrorscanError]:
    """Score as the API does, then hand the verdicts to the queue."""
    results = pipeline.score_many(profiles)
    scored = [(p, r) for p, r in zip(profiles, results, strict=True) if isinstance(r, Verdict)]
    review_queue.enqueue(pipeline.store, pipeline.settings, scored, "api")
    return results


def score_one(pipeline: Pipeline, profile: Profile) -> None:
    score_many(pipeline, [profile])


def open_pipeline(tmp_path: Path, enabled: bool) -> Iterator[Pipeline]:
    settings = fake_settings(tmp_path, queue=QueueSettings(enabled=enabled))
    pipeline = Pipeline.open(settings)
    pipeline.upsert([AccountIn(**a).profile() for a in demo_bank()])  # type: ignore[arg-type]
    yield pipeline
    pipeline.close()


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    yield from open_pipeline(tmp_path, enabled=True)


@pytest.fixture
def pipeline_off(tmp_path: Path) -> Iterator[Pipeline]:
    yield from open_pipeline(tmp_path, enabled=False)


def test_only_review_is_queued_with_the_verdict_as_shown(pipeline: Pipeline) -> None:
    results = score_many(pipeline, [REVIEW, ALLOW, BLOCK])
    assert [r.band for r in results if isinstance(r, Verdict)] == [
        Band.REVIEW, Band.ALLOW, Band.BLOCK]  # fmt: skip
    queue = review_queue.queue_of(pipeline.store)
    [item] = queue.waiting()
    assert (item.source, item.band, item.profile["id"]) == ("api", "review", "r")
    assert item.profile["has_avatar"] is True and "avatar" not in item.profile
    entry = review_queue.entry_of(item)
    shown = results[0]
    assert isinstance(shown, Verdict)
    assert entry.verdict == replace(shown, timings_ms={}), "the verdict comes back whole"
    assert entry.profile == replace(REVIEW, avatar=None)


def test_score_one_queues_review_and_nothing_else(pipeline: Pipeline) -> None:
    for profile in (ALLOW, BLOCK, REVIEW):
        score_one(pipeline, profile)
    assert [i.profile["id"] for i in review_queue.queue_of(pipeline.store).waiting()] == ["r"]


def test_a_batch_job_queues_its_review_profiles(pipeline: Pipeline, tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    lines = [{"id": "r", "display_name": REVIEW.display_name,
              "avatar_path": str(DEMO / "avatars" / "iskp.png")},
             {"id": "a", "display_name": ALLOW.display_name, "bio": ALLOW.bio}]  # fmt: skip
    inp.write_text("".join(json.dumps(x) + "\n" for x in lines))
    report = score_file(pipeline, inp, io.StringIO())
    assert report.outcomes == {"review": 1, "allow": 1}
    [item] = review_queue.queue_of(pipeline.store).waiting()
    assert (item.source, item.profile["id"]) == ("batch", "r")


def test_with_the_queue_off_nothing_is_stored(pipeline_off: Pipeline, tmp_path: Path) -> None:
    score_many(pipeline_off, [REVIEW, ALLOW, BLOCK])
    score_one(pipeline_off, REVIEW)
    inp = tmp_path / "in.jsonl"
    line = {"id": "r", "display_name": REVIEW.display_name,
            "avatar_path": str(DEMO / "avatars" / "iskp.png")}  # fmt: skip
    inp.write_text(json.dumps(line) + "\n")
    score_file(pipeline_off, inp, io.StringIO())
    assert review_queue.queue_of(pipeline_off.store).counts() == {}


def test_claim_decide_feeds_the_audit_log_and_only_the_holder_decides(
    pipeline: Pipeline,
) -> None:
    score_many(pipeline, [REVIEW, replace(REVIEW, id="r2")])
    store, settings = pipeline.store, pipeline.settings
    first = review_queue.claim_next(store, settings, "key:alice", "oldest")
    assert first is not None
    second = review_queue.claim_next(store, settings, "key:bob", "oldest")
    assert second is not None and second.item.id != first.item.id
    assert review_queue.claim_next(store, settings, "key:carol", "highest") is None
    with pytest.raises(Conflict):
        review_queue.claim(store, settings, "key:bob", first.item.id)
    best = first.verdict.matches[0]
    with pytest.raises(Conflict):
        review_queue.decide(store, settings, "key:bob", first.item.id, best.account_id,
                            "confirmed")  # fmt: skip
    with pytest.raises(InvalidInput):
        review_queue.decide(store, settings, "key:alice", first.item.id, "nobody", "confirmed")
    d = review_queue.decide(store, settings, "key:alice", first.item.id, best.account_id,
                            "confirmed", "same emblem")  # fmt: skip
    [logged] = list_decisions(store)
    assert logged == d
    assert (d.actor, d.account_id, d.decision, d.note) == ("key:alice", best.account_id,
                                                          "confirmed", "same emblem")  # fmt: skip
    assert d.score == best.score and d.band == best.band.value
    assert d.model_version == first.verdict.model_version
    assert d.features == {f.name: f.value for f in best.features} and d.features
    assert d.profile["has_avatar"] is True and d.profile["display_name"] == REVIEW.display_name
    queue = review_queue.queue_of(store)
    done = queue.get(first.item.id)
    assert done is not None and done.state == "decided" and done.decision_seq == d.seq
    with pytest.raises(Conflict):  # decided once
        review_queue.decide(store, settings, "key:alice", first.item.id, best.account_id,
                            "rejected")  # fmt: skip
    # bob skips his: it waits again, for someone else first
    review_queue.skip(store, "key:bob", second.item.id)
    assert [i.id for i in queue.waiting()] == [second.item.id]
    again = review_queue.claim_next(store, settings, "key:carol", "oldest")
    assert again is not None and again.item.id == second.item.id


def test_purge_uses_the_same_rule_as_retention(pipeline: Pipeline) -> None:
    score_many(pipeline, [REVIEW])
    assert review_queue.purge(pipeline.store, 1) == 0
    assert review_queue.purge(pipeline.store, 0) == 1
    with pytest.raises(InvalidInput):
        review_queue.purge(pipeline.store, -1)


def api_body(p: Profile) -> dict[str, object]:
    body: dict[str, object] = {"id": p.id, "display_name": p.display_name, "bio": p.bio,
                               "handle": p.handle, "platform": p.platform,
                               "links": list(p.links)}  # fmt: skip
    if p.avatar:
        body["avatar_b64"] = base64.b64encode(p.avatar).decode()
    return body


def test_the_api_queues_what_it_puts_in_review(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path, queue=QueueSettings(enabled=True))
    with TestClient(create_app(settings)) as c:
        wait_ready(c)
        r = c.post("/v1/accounts/bulk", json={"accounts": demo_bank()},
                   headers={"X-API-Key": WRITE_KEY})  # fmt: skip
        assert r.status_code == 200, r.text
        key = {"X-API-Key": SCORE_KEY}
        r = c.post("/v1/score", json=api_body(replace(REVIEW, id="one")), headers=key)
        assert r.json()["band"] == "review"
        assert c.post("/v1/score", json=api_body(BLOCK), headers=key).json()["band"] == "block"
        profiles = [api_body(replace(REVIEW, id="in-batch")), api_body(ALLOW)]
        r = c.post("/v1/score/batch", json={"profiles": profiles}, headers=key)
        assert [x["result"]["band"] for x in r.json()["results"]] == ["review", "allow"]
    store = Store(settings.db_url)
    try:
        waiting = review_queue.queue_of(store).waiting()
        assert [(i.profile["id"], i.source) for i in waiting] == [("one", "api"),
                                                                 ("in-batch", "api")]  # fmt: skip
    finally:
        store.close()


def test_mirrorscan_score_queues_and_queue_purge_applies_the_retention(tmp_path: Path) -> None:
    from sqlalchemy import update
    from typer.testing import CliRunner

    from service.cli.main import app
    from service.store.schema import QueueRow, utcnow

    env = fake_env(tmp_path / "data") | {"MIRRORSCAN_QUEUE__ENABLED": "true",
                                         "MIRRORSCAN_QUEUE__RETENTION_DAYS": "20"}  # fmt: skip
    runner = CliRunner()
    r = runner.invoke(app, ["queue", "purge"], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout) == {"purged": 0, "older_than_days": 20.0}
    assert runner.invoke(app, ["bank", "import", str(DEMO / "bank.jsonl")], env=env).exit_code == 0
    inp = tmp_path / "in.jsonl"
    lines = [{"id": "r", "display_name": REVIEW.display_name,
              "avatar_path": str(DEMO / "avatars" / "iskp.png")},
             {"id": "a", "display_name": ALLOW.display_name, "bio": ALLOW.bio}]  # fmt: skip
    inp.write_text("".join(json.dumps(x) + "\n" for x in lines))
    r = runner.invoke(app, ["score", str(inp), "--out", str(tmp_path / "out.jsonl")], env=env)
    assert r.exit_code == 0, r.output
    store = Store(f"sqlite:///{tmp_path / 'data' / 'bank.sqlite3'}")
    try:
        queue = review_queue.queue_of(store)
        [item] = queue.waiting()
        assert (item.source, item.profile["id"]) == ("batch", "r")
        with store.sessions.begin() as s:
            s.execute(update(QueueRow).values(created_at=utcnow() - timedelta(days=10)))
        r = runner.invoke(app, ["queue", "purge"], env=env)
        assert json.loads(r.stdout)["purged"] == 0, "within the 20 days kept"
        r = runner.invoke(app, ["queue", "purge", "--older-than", "5"], env=env)
        assert json.loads(r.stdout) == {"purged": 1, "older_than_days": 5.0}
        assert queue.counts() == {}
    finally:
        store.close()
