"""Evidence in plain sentences: grouped by family, the sign of a contribution decides what is
said, and no model jargon reaches the sentences."""

from __future__ import annotations

from service.domain import Evidence
from service.web.explain import families


def ev(feature: str, contribution: float, detail: str) -> Evidence:
    return Evidence(feature.split(".")[0], contribution, detail, feature)


def test_families_in_plain_words_strongest_first() -> None:
    out = families(
        [
            ev("links.shared_contact", 5.3, "same contact: t.me/ttpmedia_official"),
            ev("name.visual_equal", 2.5, "display names 'A' vs 'B' look identical once ..."),
            ev("handle.evasion_affix", 0.3, "handle @ttp2 is @ttp's core 'ttp' plus '2'"),
            ev("avatar.embedding", 1.2, "avatar: embedding cosine 0.81 (edited copy?)"),
            ev("bio.embedding", -0.4, "bios mean similar things: cosine 0.72"),
        ]
    )
    assert [f.key for f in out] == ["links", "names", "avatar", "bio"]
    links, names, avatar, bio = out
    assert links.sentences == ("Same Telegram link: t.me/ttpmedia_official",)
    assert links.summary == "strong evidence of a mirror"
    assert names.title == "Name and handle" and names.direction == "for"
    assert "The handle is the banned handle with “2” added" in names.sentences
    assert avatar.sentences == ("Same avatar, edited: re-cropped, framed or masked",)
    # a similarity the model counts against a mirror is never called evidence for one
    assert bio.direction == "against" and "less alike" in bio.sentences[0]
    said = " ".join(s for f in out for s in f.sentences)
    for jargon in ("cosine", "bits", "log-odds", "skeleton", "Jaro"):
        assert jargon not in said


def test_a_shared_avatar_and_a_lookalike_name() -> None:
    out = families(
        [
            ev("avatar.pdq", 0.2, "avatar: same image, PDQ 4 bits"),
            ev("avatar.shared", -0.1, "avatar shared by ~1,200 unrelated accounts (flag): weighs"),
            ev("name.lookalike", 1.0, "the query writes 'ТТР' with look-alike letters or leet"),
        ]
    )
    by = {f.key: f for f in out}
    assert by["avatar"].sentences[0] == "Same avatar, re-uploaded"
    assert "many unrelated accounts use (flag)" in by["avatar"].sentences[1]
    assert by["names"].sentences[0] == "Name written with look-alike letters (“ТТР”)"
    assert by["avatar"].direction == "none" and by["avatar"].summary == "says little either way"
