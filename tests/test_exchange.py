"""Exchange round trips: a bank exported as STIX 2.1, a PDQ list or mirrorscan's JSON Lines and
imported into an empty data dir holds the same accounts and gives the same scores; a partner's
bundle with unknown properties imports; a malformed one is refused whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.domain import Profile
from service.ingest.exchange import ImportRefused, guess_format
from service.pipeline import Pipeline
from service.store.bank import Store
from service.usecases.bank import create_bank
from service.usecases.exchange import export_bank, import_exchange
from tests.helpers.bank import BANK
from tests.helpers.images import png_bytes
from tests.helpers.settings import fake_settings

PROBES = [
    Profile(id="p1", platform="x", handle="ttp_rnedia2", display_name="TTP Media 2",
            links=("t.me/ttpmedia",), avatar=png_bytes(1)),
    Profile(id="p2", display_name="Major Gwahram Baloch", bio="Balochistan Liberation Front"),
    Profile(id="p3", handle="azaim", avatar=png_bytes(2)),
    Profile(id="p4", display_name="BBC Urdu", handle="bbcurdu", platform="x"),
]  # fmt: skip
BUNDLE_ID = "bundle--6d5d0ef6-2bd8-4e3c-9a53-1c5a1e2f0b11"
OFFICIAL = Profile(id="bbc-urdu", platform="x", handle="BBCUrdu", display_name="BBC Urdu",
                   bio="News in Urdu", group="BBC", avatar=png_bytes(3))  # fmt: skip


def open_at(path: Path) -> Pipeline:
    return Pipeline.open(fake_settings(path))


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Pipeline]:
    p = open_at(tmp_path / "a")
    create_bank(p.store, "t", "pk-proscribed", "banned")
    create_bank(p.store, "t", "official", "allow")
    p.upsert(BANK[:2], bank="pk-proscribed")
    p.upsert(BANK[2:])  # the default bank
    p.upsert([OFFICIAL], bank="official")
    yield p
    p.close()


def accounts(store: Store) -> dict[str, tuple[object, ...]]:
    out = {}
    for batch in store.iter_accounts():
        for a in batch:
            av = a.features.avatar
            out[a.profile.id] = (
                a.bank, a.profile.platform, a.profile.handle, a.profile.display_name,
                a.profile.bio, a.profile.links, a.profile.group,
                av.pdq if av else None, av.pdq_quality if av else None,
                None if av is None or av.embedding is None else av.embedding.tobytes(),
            )  # fmt: skip
    return out


def scores(p: Pipeline) -> list[tuple[object, ...]]:
    out = []
    for v in p.score_many(PROBES):
        assert not isinstance(v, Exception)
        out.append((v.band, round(v.score, 9), v.band_reason,
                    [(m.account_id, m.bank, round(m.score, 9)) for m in v.matches],
                    [(m.account_id, round(m.score, 9)) for m in v.allowed]))  # fmt: skip
    return out


@pytest.mark.parametrize("fmt", ["stix", "jsonl"])
def test_round_trip_gives_the_same_accounts_and_scores(
    source: Pipeline, tmp_path: Path, fmt: str
) -> None:
    file = tmp_path / f"bank.{fmt}"
    done = export_bank(source, source.store, file, fmt)
    assert done.count == 4
    assert guess_format(file) == fmt
    target = open_at(tmp_path / "b")
    try:
        result = import_exchange(target, "t", file)
        assert result.outcomes == {"created": 4}
        assert sorted(result.banks_created) == ["official", "pk-proscribed"]
        assert target.store.banks.require("official").kind == "allow"
        assert accounts(target.store) == accounts(source.store)
        assert scores(target) == scores(source)
        again = import_exchange(target, "t", file)  # idempotent
        assert again.outcomes == {"unchanged": 4}
        prov = target.store.banks.provenance("ttp-x")
        assert prov is not None and prov.source == f"file:{file.name}"
    finally:
        target.close()


def test_pdq_list_round_trip(source: Pipeline, tmp_path: Path) -> None:
    """A PDQ list carries avatar hashes only: a bank of hashes (as an HMA bank holds) goes out
    and comes back the same, and scores by avatar the same."""
    first = tmp_path / "all.csv"
    assert export_bank(source, source.store, first, "pdq").count == 3  # accounts with avatars
    rows = first.read_text().splitlines()
    assert rows[0].startswith("collab,signal_type,signal_str,category,tags")
    assert any(r.startswith("official,pdq,") and "NEGATIVE_CLASS" in r for r in rows)
    hashes = open_at(tmp_path / "h")
    back = open_at(tmp_path / "back")
    try:
        import_exchange(hashes, "t", first)
        again = tmp_path / "again.csv"
        export_bank(hashes, hashes.store, again, "pdq")
        import_exchange(back, "t", again)
        assert accounts(back.store) == accounts(hashes.store)
        assert set(accounts(back.store)) == {"ttp-x", "iskp-tg", "bbc-urdu"}
        assert scores(back) == scores(hashes)
        # the hash is the one the source bank holds for the image as given
        src = source.store.get("ttp-x")
        got = back.store.get("ttp-x")
        assert src and got and src.features.avatar and got.features.avatar
        assert got.features.avatar.pdq == (src.features.avatar.pdq[0],)
        probe = back.score(PROBES[0])
        assert any(e.feature == "avatar.pdq" and e.contribution > 0
                   for m in probe.matches for e in m.evidence)  # fmt: skip
    finally:
        hashes.close()
        back.close()


def test_hma_plain_signal_file_imports(pipeline: Pipeline, tmp_path: Path) -> None:
    h = png_hash(pipeline)
    file = tmp_path / "signals.txt"
    file.write_text(
        f"# from an HMA bank\npdq {h}\n{h[::-1]}\nvideo_md5 d41d8cd98f00b204e9800998ecf8427e\n"
    )
    assert guess_format(file) == "pdq"
    result = import_exchange(pipeline, "t", file, bank="default")
    assert result.outcomes == {"created": 2}
    assert pipeline.store.get(f"pdq-{h}") is not None


def png_hash(pipeline: Pipeline) -> str:
    [f] = pipeline.derive([Profile(id="x", avatar=png_bytes(4))], bank=True)
    assert not isinstance(f, Exception) and f.avatar
    return f.avatar.pdq[0].hex()


def test_partner_bundle_with_unknown_properties_imports(pipeline: Pipeline, tmp_path: Path) -> None:
    bundle = {
        "type": "bundle", "id": "bundle--6d5d0ef6-2bd8-4e3c-9a53-1c5a1e2f0b11",
        "x_partner_batch": 7,
        "objects": [
            {"type": "user-account", "spec_version": "2.1",
             "id": "user-account--0f3c2b1a-9d8e-5f7a-8b6c-4d3e2f1a0b9c",
             "account_type": "twitter", "user_id": "TTP_Backup", "display_name": "TTP Backup",
             "x_partner_confidence": 85, "x_partner_notes": {"seen": ["2026-11-01"]}},
            {"type": "intrusion-set", "spec_version": "2.1",
             "id": "intrusion-set--1a2b3c4d-5e6f-4a0b-8c9d-0e1f2a3b4c5d",
             "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
             "name": "Tehreek-e-Taliban Pakistan", "aliases": ["TTP"], "x_partner_tier": 1},
            {"type": "relationship", "spec_version": "2.1",
             "id": "relationship--2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
             "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
             "relationship_type": "attributed-to",
             "source_ref": "user-account--0f3c2b1a-9d8e-5f7a-8b6c-4d3e2f1a0b9c",
             "target_ref": "intrusion-set--1a2b3c4d-5e6f-4a0b-8c9d-0e1f2a3b4c5d"},
            {"type": "x-partner-note", "id": "x-partner-note--3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
             "spec_version": "2.1", "text": "an object type we do not know"},
        ],
    }  # fmt: skip
    file = tmp_path / "partner.json"
    file.write_text(json.dumps(bundle, indent=2))
    result = import_exchange(pipeline, "t", file, bank="default")
    assert result.outcomes == {"created": 1}
    stored = pipeline.store.get("user-account--0f3c2b1a-9d8e-5f7a-8b6c-4d3e2f1a0b9c")
    assert stored is not None
    p = stored.profile
    assert (p.platform, p.handle, p.display_name, p.group) == (
        "x", "TTP_Backup", "TTP Backup", "Tehreek-e-Taliban Pakistan")  # fmt: skip


def test_malformed_bundle_is_refused_whole(pipeline: Pipeline, tmp_path: Path) -> None:
    good = {"type": "user-account", "spec_version": "2.1",
            "id": "user-account--0f3c2b1a-9d8e-5f7a-8b6c-4d3e2f1a0b9c",
            "user_id": "fine", "account_type": "twitter"}  # fmt: skip
    bad_type = dict(good, id="user-account--1f3c2b1a-9d8e-5f7a-8b6c-4d3e2f1a0b9c", user_id=5)
    bad_hash = dict(good, id="user-account--2f3c2b1a-9d8e-5f7a-8b6c-4d3e2f1a0b9c",
                    x_mirrorscan_pdq="not-a-hash")  # fmt: skip
    file = tmp_path / "bad.json"
    file.write_text(json.dumps({"type": "bundle", "id": BUNDLE_ID,
                                "objects": [good, bad_type, bad_hash]}))  # fmt: skip
    with pytest.raises(ImportRefused) as info:
        import_exchange(pipeline, "t", file, fmt="stix")
    errors = info.value.errors
    assert any(e.startswith("object 2 (user-account--1f3c") and "user_id" in e for e in errors)
    assert len(errors) == 1  # object 3's bad hash is found once the schema errors are fixed
    assert pipeline.store.count() == 0  # nothing half-written
    file.write_text(json.dumps({"type": "bundle", "id": BUNDLE_ID,
                                "objects": [good, bad_hash]}))  # fmt: skip
    with pytest.raises(ImportRefused) as info:
        import_exchange(pipeline, "t", file, fmt="stix")
    assert info.value.errors == [
        "object 2 (user-account--2f3c2b1a-9d8e-5f7a-8b6c-4d3e2f1a0b9c): x_mirrorscan_pdq must "
        "be 64 hexadecimal digits"
    ]
    assert pipeline.store.count() == 0
    file.write_text('{"type": "bundle",\n  "objects": [\n    {"type": "user-account",}\n]}')
    with pytest.raises(ImportRefused, match=r"line 3, column 29: not valid JSON"):
        import_exchange(pipeline, "t", file, fmt="stix")


def test_a_bad_line_refuses_an_exchange_import(pipeline: Pipeline, tmp_path: Path) -> None:
    file = tmp_path / "bank.jsonl"
    signals = {"v": 1, "image_model": "fake:64", "pdq": ["zz"], "quality": 100}
    bad = {"id": "b", "avatar_features": json.dumps(signals)}
    file.write_text('{"id": "a", "handle": "x"}\n' + json.dumps(bad) + "\n")
    with pytest.raises(ImportRefused) as info:
        import_exchange(pipeline, "t", file)
    assert info.value.errors == [
        "line 2: avatar_features.pdq must be 1 to 8 hashes of 64 hex digits"
    ]
    assert pipeline.store.count() == 0


def test_incremental_export_carries_withdrawals(source: Pipeline, tmp_path: Path) -> None:
    cursor = int(export_bank(source, source.store, tmp_path / "full.json", "stix").cursor)
    source.remove("blf-x")
    file = tmp_path / "since.json"
    done = export_bank(source, source.store, file, "stix", bank="pk-proscribed", since=cursor)
    assert done.count == 1 and int(done.cursor) > cursor
    target = open_at(tmp_path / "b")
    try:
        import_exchange(target, "t", tmp_path / "full.json")
        assert target.store.get("blf-x") is not None
        result = import_exchange(target, "t", file)
        assert result.outcomes == {"removed": 1}
        stored = target.store.get("blf-x")
        assert stored is not None and stored.removed
    finally:
        target.close()


def test_embedding_of_another_encoder_is_not_used(source: Pipeline, tmp_path: Path) -> None:
    file = tmp_path / "bank.jsonl"
    export_bank(source, source.store, file, "jsonl")
    lines = [json.loads(x) for x in file.read_text().splitlines()]
    for line in lines:
        if line.get("avatar_features"):
            signals = json.loads(line["avatar_features"])
            signals["image_model"] = "another-model:64"
            line["avatar_features"] = json.dumps(signals)
            line["avatar_b64"] = None
    file.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    target = open_at(tmp_path / "b")
    try:
        import_exchange(target, "t", file)
        got = target.store.get("ttp-x")
        assert got and got.features.avatar and got.features.avatar.embedding is None
        src = source.store.get("ttp-x")
        assert src and src.features.avatar
        assert got.features.avatar.pdq == src.features.avatar.pdq
    finally:
        target.close()
