"""An import killed with SIGKILL at random moments, then run again, ends with every account stored
and indexed exactly once; a snapshot left half-written by a crash is never trusted.

The killed runs write snapshots every quarter second, so a kill can land while one is written,
and each rerun starts from a snapshot older than the store and must catch up on the rest."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faker import Faker

from service.index.snapshot import current_version
from service.pipeline import Pipeline
from service.store.bank import Store
from service.usecases.doctor import check
from tests.helpers.images import png_bytes
from tests.helpers.settings import fake_env, fake_settings

ROOT = Path(__file__).resolve().parents[1]
N = 3000
BAD_LINES = {7: "{not json\n", 1500: '{"id": 5}\n', 2999: '{"id": "x", "bio": ["list"]}\n'}


def write_bank(path: Path) -> set[str]:
    """N lines: text accounts, every 100th with an avatar, and three malformed lines."""
    fake = Faker(["en_PK", "ar_SA"])
    fake.seed_instance(8)
    (path.parent / "img").mkdir()
    ids = set()
    with path.open("w") as fh:
        for line in range(1, N + 1):
            if line in BAD_LINES:
                fh.write(BAD_LINES[line])
                continue
            row: dict[str, object] = {"id": f"acct-{line}", "platform": "x",
                   "handle": f"{fake.user_name()}{line}", "display_name": fake.name(),
                   "bio": fake.sentence(), "links": [f"t.me/chan{line}"], "group": "G"}  # fmt: skip
            if line % 100 == 0:
                (path.parent / "img" / f"{line}.png").write_bytes(png_bytes(line))
                row["avatar_path"] = f"img/{line}.png"
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            ids.add(f"acct-{line}")
    return ids


def start_import(bank: Path, data: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **fake_env(data),
           "OMP_NUM_THREADS": "1", "COLUMNS": "400"}  # fmt: skip
    cmd = [sys.executable, "-c", "from service.cli import main; main()", "bank", "import",
           str(bank), "--batch-size", "40", "--snapshot-every", "0.25"]  # fmt: skip
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stored(data: Path) -> int:
    db = data / "bank.sqlite3"
    if not db.exists():
        return 0
    store = Store(f"sqlite:///{db}", readonly=True)
    try:
        return store.count()
    except Exception:  # the first run may not have created the tables yet
        return 0
    finally:
        store.close()


def kill_when(proc: subprocess.Popen[bytes], data: Path, at_least: int) -> int:
    """SIGKILL the import once the store holds ``at_least`` accounts; returns how many."""
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        count = stored(data)
        if count >= at_least:
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=10)
            return count
        time.sleep(0.02)
    proc.kill()
    raise AssertionError(f"import ended or stalled before {at_least}: {proc.communicate()}")


@pytest.mark.slow
def test_kill_9_at_random_points_then_rerun_stores_and_indexes_each_once(tmp_path: Path) -> None:
    bank, data = tmp_path / "bank.jsonl", tmp_path / "data"
    ids = write_bank(bank)
    rng = random.Random(int(os.environ.get("KILL_SEED", "20261128")))
    seen = []
    for low, high in ((200, 900), (1000, 1900), (2000, 2900)):
        seen.append(kill_when(start_import(bank, data), data, rng.randrange(low, high)))
    # a kill at a random instant too (perhaps while loading, writing or snapshotting)
    proc = start_import(bank, data)
    time.sleep(rng.uniform(0.5, 4.0))
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    assert seen == sorted(seen) and seen[-1] < len(ids)  # each run got further, none finished

    final = start_import(bank, data)
    out, errors = final.communicate(timeout=300)
    assert final.returncode == 1, errors.decode()  # the three malformed lines
    report = json.loads(out)
    assert report["lines"] == N and report["errors"] == len(BAD_LINES)
    outcomes = report["outcomes"]
    assert set(outcomes) <= {"created", "unchanged", "error"}, outcomes  # nothing re-written
    assert outcomes.get("created", 0) + outcomes["unchanged"] == len(ids)
    assert outcomes["unchanged"] >= seen[-1]
    for line in BAD_LINES:
        assert f"line {line}:" in errors.decode()

    pipeline = Pipeline.open(fake_settings(tmp_path), indexes=False)
    try:
        assert pipeline.store.count(include_removed=True) == len(ids)
        rows = [a for b in pipeline.store.iter_accounts() for a in b]
        assert {a.profile.id for a in rows} == ids
        report_ = check(
            pipeline.keeper
        )  # the snapshot the last run wrote, caught up, against the store
        assert report_.ok, report_.as_dict()
        assert report_.channels["name"].indexed == len(ids)
        assert report_.channels["pdq"].indexed == len([i for i in ids if int(i[5:]) % 100 == 0])
        assert all(c.duplicates == 0 for c in report_.channels.values())
    finally:
        pipeline.close()
    leftovers = [p.name for p in (data / "indexes").iterdir() if p.name.startswith(".snap-")]
    assert len(leftovers) <= 4  # abandoned temporary folders of killed runs, never CURRENT
    assert not (current_version(data / "indexes") or "").startswith(".")


def test_half_written_snapshot_is_rebuilt_from_the_store(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    first = Pipeline.open(settings)
    from tests.helpers.bank import BANK

    first.upsert(BANK)
    folder = first.write_snapshot()
    first.close()
    # what a crash without fsync can leave: CURRENT names a folder whose file is cut short,
    # and a temporary folder of a snapshot that never finished
    index_file = folder / "name.faiss"
    index_file.write_bytes(index_file.read_bytes()[:100])
    (settings.index_dir / ".snap-crashed").mkdir()
    (settings.index_dir / ".snap-crashed" / "name.faiss").write_bytes(b"partial")

    doctor = Pipeline.open(settings, indexes=False)
    try:
        before = check(doctor.keeper)
        assert not before.ok and "checksum" in (before.snapshot_error or "")
    finally:
        doctor.close()
    second = Pipeline.open(settings)  # loads: the snapshot is refused, the store rebuilds it
    try:
        assert second.indexes.counts() == {
            "name": 3,
            "name_grams": 3,
            "bio": 3,
            "avatar": 2,
            "pdq": 2,
        }
        assert second.score(BANK[1]).matches[0].account_id == "blf-x"
        second.write_snapshot()
        assert check(second.keeper).ok
    finally:
        second.close()
