"""Rebuilds beside the live indexes with an atomic swap, re-encoding after an encoder change, and
the doctor's check and repair."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
from sqlalchemy import update
from typer.testing import CliRunner

from service.cli import app
from service.domain import Profile
from service.features.image import FakeImageEncoder
from service.features.text import FakeTextEncoder
from service.index.snapshot import snapshot_folders
from service.pipeline import Pipeline
from service.scoring.model import LogisticScorer
from service.store.bank import Store
from service.store.schema import AccountRow
from service.usecases.doctor import check, compare_with_store
from tests.helpers.bank import BANK, many
from tests.helpers.settings import fake_env, fake_settings


def test_writes_during_a_rebuild_are_in_the_new_indexes(pipeline: Pipeline) -> None:
    # the build reads 2,000 rows a batch: BANK is in the first, changed after it is read
    pipeline.upsert(BANK + many(2100))
    old = pipeline.indexes
    calls = 0

    def meanwhile(_n: int) -> None:
        # called between batches of the build: the bank changes under the rebuild's feet
        nonlocal calls
        calls += 1
        if calls == 1:
            pipeline.upsert([Profile(id="late", handle="late_comer", display_name="Late Comer")])
            assert pipeline.remove("blf-x")
            pipeline.upsert([Profile(id="ttp-x", handle="TTP_Media", display_name="Renamed")])

    fresh = pipeline.rebuild_indexes(meanwhile)
    assert calls >= 2 and pipeline.indexes is fresh and fresh is not old
    live = compare_with_store(pipeline.keeper, pipeline.indexes)  # the swapped-in set itself
    assert all(c.ok for c in live.values()), live
    report = check(pipeline.keeper)  # and its snapshot, as the next start loads it
    assert report.ok, report.as_dict()
    assert fresh.counts()["name"] == 2100 + 3  # + late + ttp-x + iskp-tg, without blf-x
    top = pipeline.score(Profile(id="q", display_name="Late Comer")).matches[0]
    assert top.account_id == "late"
    assert fresh.version and (pipeline.settings.index_dir / fresh.version).is_dir()


def test_searches_during_a_rebuild_always_see_a_whole_index(pipeline: Pipeline) -> None:
    bank = many(2500)
    pipeline.upsert(bank)
    probes = [bank[i] for i in (0, 1234, 2499)]
    failures: list[str] = []
    stop = threading.Event()

    def search_loop() -> None:
        while not stop.is_set():
            for p in probes:
                top = pipeline.score(p).matches
                if not top or top[0].account_id != p.id:
                    failures.append(p.id)

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        for _ in range(3):
            pipeline.rebuild_indexes()
    finally:
        stop.set()
        thread.join()
    assert failures == []
    assert len(snapshot_folders(pipeline.settings.index_dir)) == 2  # older ones cleaned up


def test_an_encoder_change_reencodes_text_and_avatars_from_stored_data(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    first = Pipeline.open(settings)
    first.upsert(BANK)
    first.write_snapshot()
    first.close()

    class NewImageModel(FakeImageEncoder):
        def __init__(self) -> None:
            super().__init__()
            self.name = "fake-grid-hist-v2"

    store = Store(settings.db_url)
    image = NewImageModel()
    image.load()
    changed = Pipeline(settings, store, FakeTextEncoder(dim=32), image,
                       LogisticScorer.load(None))  # fmt: skip
    try:
        assert store.count_stale(changed.encoder_version) == 3
        changed.load_indexes()  # re-encodes, then the old snapshot (other models) is rebuilt
        assert store.count_stale(changed.encoder_version) == 0
        ttp = store.get("ttp-x")
        assert ttp is not None and ttp.features.name_vec is not None
        assert ttp.features.name_vec.shape == (32,)
        versions = store.fingerprints(["ttp-x", "blf-x"])
        assert versions["ttp-x"].encoder_version.endswith("|thumb")  # avatar from thumbnail
        assert versions["blf-x"].encoder_version == changed.encoder_version
        assert changed.indexes.counts() == {
            "name": 3,
            "name_grams": 3,
            "bio": 3,
            "avatar": 2,
            "pdq": 2,
        }
        assert changed.score(BANK[1]).matches[0].account_id == "blf-x"
        # a re-import with the original avatar re-derives it (the thumbnail was a stand-in)
        [result] = changed.upsert([BANK[0]])
        assert getattr(result, "outcome", None) == "updated"
        assert store.fingerprints(["ttp-x"])["ttp-x"].encoder_version == changed.encoder_version
    finally:
        store.close()


def test_doctor_finds_and_repairs_an_index_that_disagrees(tmp_path: Path) -> None:
    env = fake_env(tmp_path / "data")
    settings = fake_settings(tmp_path)
    p = Pipeline.open(settings)
    p.upsert(BANK + many(20))
    p.write_snapshot()
    p.close()
    runner = CliRunner()
    healthy = runner.invoke(app, ["doctor"], env=env)
    assert healthy.exit_code == 0, healthy.output
    assert json.loads(healthy.stdout)["before"]["ok"] is True
    # change the store behind the indexes' back (no change number): a vector disappears and
    # an account vanishes, which no catch-up can notice
    store = Store(settings.db_url)
    with store.sessions.begin() as s:
        s.execute(update(AccountRow).where(AccountRow.id == "acct-3").values(bio_vec=None))
        s.execute(AccountRow.__table__.delete().where(AccountRow.id == "acct-4"))
    store.close()
    sick = runner.invoke(app, ["doctor"], env=env)
    assert sick.exit_code == 1
    before = json.loads(sick.stdout)["before"]
    assert before["ok"] is False
    assert before["channels"]["bio"]["extra"] == 2 and before["channels"]["name"]["extra"] == 1
    assert "acct-3" in before["channels"]["bio"]["examples"]
    fixed = runner.invoke(app, ["doctor", "--repair"], env=env)
    assert fixed.exit_code == 0, fixed.output
    after = json.loads(fixed.stdout)["after"]
    assert after["ok"] is True and after["channels"]["bio"]["indexed"] == 21
    assert runner.invoke(app, ["doctor"], env=env).exit_code == 0


def test_reindex_command_writes_a_new_snapshot(tmp_path: Path) -> None:
    env = fake_env(tmp_path / "data")
    p = Pipeline.open(fake_settings(tmp_path))
    p.upsert(BANK)
    before = p.write_snapshot().name
    p.close()
    r = CliRunner().invoke(app, ["reindex"], env=env)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["snapshot"] != before and out["indexed"]["pdq"] == 2
    reopened = Pipeline.open(fake_settings(tmp_path))
    try:
        assert reopened.indexes.version == out["snapshot"]
        assert np.unique(reopened.indexes.channels["name"].ids()).size == 3
    finally:
        reopened.close()
