"""Bio and link comparators: copied text, evasion phrases, shared and near-shared contacts."""

from __future__ import annotations

import numpy as np
import pytest

from service.scoring.bio import compare_bios, evasion_phrases
from service.scoring.links import compare_links


def by_name(features: list) -> dict[str, float]:  # type: ignore[type-arg]
    return {f.name: f.value for f in features}


def test_copied_bio_with_additions_is_contained() -> None:
    src = "Official media of Tehreek-e-Taliban Pakistan. Statements and videos."
    copy = "BACKUP. Official media of Tehreek-e-Taliban Pakistan. Statements and videos!! t.me/x2"
    f = by_name(compare_bios(copy, src, None, None))
    assert f["bio.copied"] > 0.9
    assert f["bio.evasion_phrase"] == 1.0
    other = by_name(compare_bios("Gardening tips and recipes every day", src, None, None))
    assert other.get("bio.copied", 0) < 0.2


def test_evasion_phrases_in_three_scripts() -> None:
    assert evasion_phrases("Our old account was suspended, follow the new one")
    assert evasion_phrases("purana account band ho gaya, ye naya account hai")
    assert evasion_phrases("ہمارا پرانا اکاؤنٹ بند ہو گیا، یہ نیا اکاؤنٹ ہے")
    assert not evasion_phrases("Researcher covering militancy in South Asia")


def test_embedding_cosine_only_when_both_bios_exist() -> None:
    v = np.ones(4, dtype=np.float32) / 2
    assert "bio.embedding" in by_name(compare_bios("a b c d e", "a b c d e", v, v))
    assert compare_bios("", "something", v, v) == []


def test_shared_contact_is_reported_with_its_value() -> None:
    feats = compare_links("join t.me/TTPmedia", (), "", ("https://t.me/ttpmedia",), "ttp")
    [shared] = [f for f in feats if f.name == "links.shared_contact"]
    assert shared.value == 1.0 and "t.me/ttpmedia" in shared.detail


def test_near_contact_and_none_shared() -> None:
    near = by_name(compare_links("t.me/ttpmedia2", (), "t.me/ttpmedia", (), "x"))
    assert near["links.near_contact"] > 0.8
    none = by_name(compare_links("t.me/gardening", (), "t.me/ttpmedia", (), "x"))
    assert none == {"links.no_shared_contact": 1.0}


def test_mention_of_the_banned_handle() -> None:
    f = by_name(compare_links("backup of @TTP_Media", (), "", (), "@ttp_media"))
    assert f["links.mentions_account"] == 1.0


def test_no_contacts_no_features() -> None:
    assert compare_links("hello", (), "world", (), "h") == []


def test_affixed_contact_is_near_and_a_link_to_the_handle_counts() -> None:
    near = by_name(compare_links("t.me/ttpmedia_backup", (), "t.me/ttpmedia", (), "x"))
    assert near["links.near_contact"] == 1.0
    points = [f for f in compare_links("join t.me/TTP_Media", (), "", (), "ttp_media")
              if f.name == "links.mentions_account"]  # fmt: skip
    assert points and "t.me/ttp_media" in points[0].detail


def test_rare_copied_text_outweighs_boilerplate() -> None:
    from service.scoring.bio import ShingleFrequency

    freq = ShingleFrequency()
    boiler = "Official media office. Statements, videos and news."
    for i in range(50):
        freq.add(f"{boiler} Group number {i}.")
    distinctive = "Voice of the Fulaani mountain brigade since 2009."
    freq.add(distinctive)
    copied_boiler = freq.rare_containment(f"{boiler} Something else entirely.", f"{boiler} X.")
    copied_rare = freq.rare_containment(f"Backup. {distinctive}", distinctive)
    assert copied_rare > 0.9 > copied_boiler + 0.3


def test_a_long_distinctive_copy_weighs_more_than_a_short_one_or_a_tagline() -> None:
    """bio.copied_length: how much distinctive text was copied, not what share of a bio; a
    whole copied paragraph is stronger evidence than a copied phrase, and a tagline many banked
    bios share counts for little however much of the shorter bio it is."""
    from service.scoring.bio import ShingleFrequency, compare_bios

    freq = ShingleFrequency()
    tagline = "Statements, videos and news. Share before they delete."
    for i in range(50):
        freq.add(f"Media office number {i}. {tagline}")
    paragraph = (
        "Voice of the Fulaani mountain brigade since 2009: daily reports from the "
        "valleys, biographies of our fallen and the statements of the spokesman."
    )
    phrase = "Fulaani brigade, 2009."
    freq.add(paragraph)
    freq.add(f"{phrase} Other words here.")

    def length(query: str, banked: str) -> float:
        by = {f.name: f for f in compare_bios(query, banked, None, None, freq)}
        return by["bio.copied_length"].value if "bio.copied_length" in by else 0.0

    whole = length(paragraph, paragraph)
    short = length(f"New account. {phrase}", f"{phrase} Other words here.")
    shared = length(f"Backup. {tagline}", f"Media office number 3. {tagline}")
    assert whole > 0.8
    assert whole > short + 0.3 and whole > shared + 0.5


def test_how_much_was_copied_does_not_depend_on_the_bank_size() -> None:
    """The same copied sentence and the same shared boilerplate weigh the same in a bank of 30
    bios as in one of 3,000 (a weight relative to the bank's size shrank them as it grew)."""
    from service.scoring.bio import ShingleFrequency

    copied = "Voice of the Fulaani mountain brigade since 2009, reports from the valleys."
    tagline = "Statements, videos and news. Share before they delete."

    def amounts(bank_size: int) -> tuple[float, float]:
        freq = ShingleFrequency()
        for i in range(bank_size):  # bios that share no text with the two copied ones
            word = "".join(chr(107 + int(d)) for d in str(i))
            freq.add(f"zzq {word} zzq {word}")
        for i in range(10):
            freq.add(f"Office {i}. {tagline}")
        freq.add(copied)
        return (freq.rare_shared(f"Backup. {copied}", copied)[1],
                freq.rare_shared(f"New. {tagline}", f"Office 3. {tagline}")[1])  # fmt: skip

    small, large = amounts(20), amounts(3000)
    assert small == pytest.approx(large)
    assert small[0] > 5 * small[1]  # a sentence of one bio, against boilerplate of ten


def test_a_bio_that_repeats_the_name_is_not_copied_text() -> None:
    """Two organisations whose bios are templates around their own (similar) names share the
    name's words, which the name features weigh already; a copied sentence still counts."""
    from service.scoring.bio import ShingleFrequency

    freq = ShingleFrequency()
    for i in range(20):
        freq.add(f"Updates from group {i}.")
    names = ["Fuerzas Armadas Amn De Colombia", "Fuerzas Armadas Revolucionarias De Colombia"]
    ours = f"The official page of {names[0]}."
    theirs = f"The news channel of {names[1]}."
    assert freq.rare_containment(ours, theirs) > 0.3  # the names' words, counted without names
    assert freq.rare_containment(ours, theirs, names) < 0.1
    copied = "Voice of the Fulaani mountain brigade since 2009."
    assert freq.rare_containment(f"{names[0]}. {copied}", f"{copied} {names[1]}", names) > 0.8
