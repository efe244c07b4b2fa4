"""The distributed scorer on a local Ray (2 CPUs, one session for the module): the same bytes as
the single-process scorer, for JSON Lines and Parquet, with --resume, through the CLI; no Ray
process is left behind."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from service.cli import app
from service.config import Settings
from service.errors import InvalidInput
from service.pipeline import Pipeline
from service.usecases.batch import score_file
from service.usecases.resume import Done
from tests.helpers.population import write_population
from tests.helpers.settings import fake_env, fake_settings

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install -e .[ray])")
pytestmark = [
    pytest.mark.slow,
    # raised by Ray Data itself when it sets up its DataContext (ray 2.60), not by this code
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context"),
]


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    from service.usecases.distributed import init_ray

    before = descendants(os.getpid())
    assert init_ray(None, 2)
    started = descendants(os.getpid()) - before
    yield
    ray.shutdown()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(alive(p) for p in started):
        time.sleep(0.2)
    assert not [p for p in started if alive(p)], "Ray processes outlived ray.shutdown()"


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("raybank")
    settings = fake_settings(tmp)
    write_population(tmp / "bank.jsonl", 120)
    from service.usecases.batch import import_file

    p = Pipeline.open(settings)
    import_file(p, tmp / "bank.jsonl")
    p.write_snapshot()
    p.close()
    return settings


def single(settings: Settings, inp: Path, out: Path) -> bytes:
    p = Pipeline.open(settings, readonly=True)
    try:
        with out.open("w") as fh:
            score_file(p, inp, fh)
    finally:
        p.close()
    return out.read_bytes()


def on_ray(settings: Settings, inp: Path, out: Path, mode: str = "w", **kw: object) -> bytes:
    from service.usecases.distributed import score_file_ray

    with out.open(mode) as fh:
        report = score_file_ray(settings, inp, fh, workers=2, **kw)  # type: ignore[arg-type]
    assert report.lines > 0
    return out.read_bytes()


def test_ray_writes_what_one_process_writes(
    local_ray: None, bank: Settings, tmp_path: Path
) -> None:
    inp = tmp_path / "in.jsonl"
    write_population(inp, 45)
    with inp.open("a") as fh:
        fh.write("\n\n" + json.dumps({"id": "last", "handle": "x"}) + "\n")  # blank lines count
    expected = single(bank, inp, tmp_path / "one.jsonl")
    assert on_ray(bank, inp, tmp_path / "ray.jsonl", chunk_lines=7, batch_size=4) == expected
    lines = [json.loads(x) for x in expected.splitlines()]
    assert lines[-1]["id"] == "last" and lines[5]["line"] == 6

    # Parquet, a chunk per row group
    rows = [
        json.loads(x) for x in inp.read_text().splitlines() if x.strip().startswith('{"id": "p')
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet", row_group_size=10)
    expected_pq = single(bank, tmp_path / "in.parquet", tmp_path / "one.pq.jsonl")
    assert on_ray(bank, tmp_path / "in.parquet", tmp_path / "ray.pq.jsonl") == expected_pq

    # resume: a cut output is completed to the same bytes
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(expected[: expected.index(b"\n", len(expected) // 2) + 40])
    done = Done.load(cut)
    assert on_ray(bank, inp, cut, mode="a", done=done, chunk_lines=5, batch_size=5) == expected

    with pytest.raises(InvalidInput, match="JSON Lines or Parquet"):
        (tmp_path / "in.csv").write_text("id\na\n")
        on_ray(bank, tmp_path / "in.csv", tmp_path / "x.jsonl")


def test_cli_engine_ray(local_ray: None, bank: Settings, tmp_path: Path) -> None:
    env = fake_env(bank.data_dir)
    inp = tmp_path / "in.jsonl"
    write_population(inp, 20)
    runner = CliRunner()
    one = runner.invoke(app, ["score", str(inp), "--out", str(tmp_path / "a.jsonl")], env=env)
    assert one.exit_code == 0, one.output
    two = runner.invoke(app, ["score", str(inp), "--out", str(tmp_path / "b.jsonl"),
                              "--engine", "ray", "--workers", "2"], env=env)  # fmt: skip
    assert two.exit_code == 0, two.output
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert json.loads(two.stderr.splitlines()[-1])["errors"] == 3
