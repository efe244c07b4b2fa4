"""Bank files in JSON Lines, CSV and Parquet: the same accounts from each, malformed lines with
their numbers, --strict, and export read back by import."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from service.cli import app
from service.config import Settings
from service.errors import InvalidInput
from service.ingest.files import LineError, Record, read_profiles
from service.ingest.tabular import links_cell
from service.pipeline import Pipeline
from service.store.bank import Store
from service.usecases.batch import import_file
from tests.helpers.images import png_bytes
from tests.helpers.settings import fake_env

ROWS = [
    {"id": "a", "platform": "x", "handle": "ttp_media", "display_name": "TTP Media",
     "bio": "Official, with a comma, and \"quotes\"\nand a second line", "group": "TTP",
     "links": ["t.me/ttpmedia", "https://x.com/ttp"], "avatar_url": None},
    {"id": "b", "platform": "telegram", "handle": "umar", "display_name": "عمر میڈیا",
     "bio": "", "group": None, "links": [], "avatar_url": "https://t.me/i/b.jpg"},
    {"id": "c", "platform": "", "handle": "", "display_name": "Only a name", "bio": "b | c",
     "group": "G", "links": ["t.me/c"], "avatar_url": None},
]  # fmt: skip


def profiles(path: Path) -> list[tuple[int, str, str, tuple[str, ...], str | None]]:
    out = []
    for item in read_profiles(path, max_avatar_bytes=1_000_000):
        assert isinstance(item, Record), item
        p = item.profile
        out.append((item.line, p.id, p.bio, p.links, p.group))
    return out


def write_csv(path: Path, rows: list[dict[str, object]], links_as: str = "json") -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "platform", "handle", "display_name", "bio", "links", "group",
                    "avatar_url"])  # fmt: skip
        for r in rows:
            links = json.dumps(r["links"]) if links_as == "json" else "|".join(r["links"])  # type: ignore[arg-type]
            w.writerow([r["id"], r["platform"], r["handle"], r["display_name"], r["bio"], links,
                        r["group"] or "", r["avatar_url"] or ""])  # fmt: skip


def test_the_three_formats_give_the_same_profiles(tmp_path: Path) -> None:
    jsonl = tmp_path / "bank.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS))
    write_csv(tmp_path / "bank.csv", ROWS)
    write_csv(tmp_path / "pipes.csv", ROWS, links_as="pipes")
    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "bank.parquet")
    expected = [(i, b, links, g) for _, i, b, links, g in profiles(jsonl)]
    assert expected[0][2] == ("t.me/ttpmedia", "https://x.com/ttp") and expected[1][3] is None
    for name in ("bank.csv", "pipes.csv", "bank.parquet"):
        got = profiles(tmp_path / name)
        assert [(i, b, links, g) for _, i, b, links, g in got] == expected, name
    # line numbers: CSV counts file lines (the header is 1, a quoted newline takes two)
    assert [n for n, *_ in profiles(tmp_path / "bank.csv")] == [2, 4, 5]
    assert [n for n, *_ in profiles(tmp_path / "bank.parquet")] == [1, 2, 3]


def test_malformed_csv_lines_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(
        b"id,handle,links\n"
        b"ok1,one,\n"
        b"short\n"  # 3: one field
        b'x,"unterminated,\n'  # 4: a quote never closed swallows the rest
    )
    items = list(read_profiles(path, max_avatar_bytes=1000))
    assert isinstance(items[0], Record) and items[0].line == 2
    assert isinstance(items[1], LineError) and items[1].line == 3
    assert "expected 3 fields" in items[1].message
    assert isinstance(items[2], LineError) and items[2].line == 4

    path.write_bytes(b"id,handle,links\nok1,one,[1\n\xff\xfe,two,\nok3,three,a|b\n")
    items = list(read_profiles(path, max_avatar_bytes=1000))
    assert [type(i).__name__ for i in items] == ["LineError", "LineError", "Record"]
    assert items[0].line == 2 and "JSON array" in items[0].message  # type: ignore[union-attr]
    assert items[1].line == 3 and "UTF-8" in items[1].message  # type: ignore[union-attr]
    assert items[2].line == 4 and items[2].profile.links == ("a", "b")  # type: ignore[union-attr]


def test_file_level_problems_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "cols.csv").write_text("id,nickname\n1,x\n")
    with pytest.raises(InvalidInput, match="unknown columns"):
        list(read_profiles(tmp_path / "cols.csv", max_avatar_bytes=1000))
    (tmp_path / "noid.csv").write_text("handle\nx\n")
    with pytest.raises(InvalidInput, match="no 'id' column"):
        list(read_profiles(tmp_path / "noid.csv", max_avatar_bytes=1000))
    (tmp_path / "fake.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(InvalidInput, match="not a readable Parquet"):
        list(read_profiles(tmp_path / "fake.parquet", max_avatar_bytes=1000))
    with pytest.raises(InvalidInput, match="suffix"):
        list(read_profiles(tmp_path / "bank.txt", max_avatar_bytes=1000))


def test_parquet_rows_of_the_wrong_type_are_skipped_by_row_number(tmp_path: Path) -> None:
    table = pa.table({"id": ["a", "b", "c"], "bio": ["x", "y", "z"],
                      "links": ["t.me/a", '["t.me/b"]', "[oops"]})  # fmt: skip
    pq.write_table(table, tmp_path / "t.parquet")
    items = list(read_profiles(tmp_path / "t.parquet", max_avatar_bytes=1000))
    assert [i.line for i in items] == [1, 2, 3]
    assert isinstance(items[2], LineError) and items[2].id == "c"
    pq.write_table(pa.table({"id": [1, 2]}), tmp_path / "ints.parquet")
    assert all(
        isinstance(i, LineError) and "'id'" in i.message
        for i in read_profiles(tmp_path / "ints.parquet", max_avatar_bytes=1000)
    )


def test_links_cells() -> None:
    assert links_cell("") == [] and links_cell(None) == []
    assert links_cell(" t.me/a | t.me/b ||") == ["t.me/a", "t.me/b"]
    assert links_cell('["t.me/a|b"]') == ["t.me/a|b"]
    with pytest.raises(InvalidInput):
        links_cell(5)


def test_import_strict_stops_at_the_first_bad_line(pipeline: Pipeline, tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("id,handle\na,one\nb,two,extra\nc,three\n")
    from service.usecases.batch import StrictStop

    with pytest.raises(StrictStop, match="line 3"):
        import_file(pipeline, path, strict=True)
    assert pipeline.store.count() == 1  # the line before it stays imported
    report = import_file(pipeline, path)
    assert report.outcomes == {"unchanged": 1, "created": 1, "error": 1}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_export_then_import_into_a_new_bank(tmp_path: Path, suffix: str) -> None:
    env = fake_env(tmp_path / "one")
    bank = tmp_path / "bank.jsonl"
    rows = [dict(r) for r in ROWS]
    rows[0]["avatar_b64"] = base64.b64encode(png_bytes(3)).decode()
    bank.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    runner = CliRunner()
    assert runner.invoke(app, ["bank", "import", str(bank)], env=env).exit_code == 0
    out = tmp_path / f"export{suffix}"
    r = runner.invoke(app, ["bank", "export", str(out)], env=env)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["exported"] == 3
    assert not list(tmp_path.glob(".export*"))  # the temporary file was renamed into place
    env2 = {**env, "MIRRORSCAN_DATA_DIR": str(tmp_path / "two")}
    r = runner.invoke(app, ["bank", "import", str(out)], env=env2)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["outcomes"] == {"created": 3}
    stats = json.loads(runner.invoke(app, ["bank", "stats"], env=env2).stdout)
    assert stats["accounts"] == 3 and stats["indexed"]["pdq"] == 1  # the thumbnail came along
    # the avatar's signals derived from the original, not re-derived from the thumbnail
    one, two = (Store(Settings(data_dir=tmp_path / d).db_url) for d in ("one", "two"))
    a, b = one.get(ROWS[0]["id"]), two.get(ROWS[0]["id"])  # type: ignore[arg-type]
    assert a and b and a.features.avatar and b.features.avatar
    assert b.features.avatar.pdq == a.features.avatar.pdq
    assert b.features.avatar.pdq_quality == a.features.avatar.pdq_quality
    assert b.features.avatar.thumbnail == a.features.avatar.thumbnail
    assert a.features.avatar.embedding is not None and b.features.avatar.embedding is not None
    assert b.features.avatar.embedding.tobytes() == a.features.avatar.embedding.tobytes()
    one.close()
    two.close()
    exported = sorted(profiles(out), key=lambda t: t[1])
    assert [(i, b, links, g) for _, i, b, links, g in exported] == [
        (r["id"], r["bio"], tuple(r["links"]), r["group"])
        for r in ROWS  # type: ignore[arg-type]
    ]


def test_export_without_a_bank_is_a_clear_error(tmp_path: Path) -> None:
    env = fake_env(tmp_path / "none")
    r = CliRunner().invoke(app, ["bank", "export", str(tmp_path / "x.jsonl")], env=env)
    assert r.exit_code != 0 and "there is no bank" in str(r.exception or r.stderr)
    assert not (tmp_path / "x.jsonl").exists()
