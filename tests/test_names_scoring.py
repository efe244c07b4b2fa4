"""The name channel's comparator and the token-rarity table."""

from __future__ import annotations

import pytest

from service.domain import PairFeature
from service.errors import InvalidInput
from service.normalize.names import analyse_name
from service.scoring.name_words import match_words
from service.scoring.names import compare_names
from service.scoring.rarity import TokenRarity, build_reference, reference_rarity


@pytest.fixture(scope="module")
def rarity() -> TokenRarity:
    table = reference_rarity()
    table.add_names(["TTP Media", "Umar Media", "Al Naba News", "Tehreek-e-Taliban Pakistan"])
    return table


def _values(features: list[PairFeature]) -> dict[str, float]:
    return {f.name: f.value for f in features}


def test_reference_population_makes_common_words_weak(rarity: TokenRarity) -> None:
    def bits(word: str) -> float:
        f = analyse_name(word)
        return rarity.bits(f.tokens[0])

    for common in ("muhammad", "mohammed", "media", "news", "pakistan", "ali"):
        assert bits(common) < 9, common
    assert bits("fulaani") > 11
    assert bits("mehsud") > bits("khan") > bits("al")


def test_rarity_round_trips_through_json_and_updates() -> None:
    table = TokenRarity()
    table.add_names(["Fulaani Khan", "Khan Media"])
    restored = TokenRarity.from_json(table.to_json())
    assert restored.names == 2
    assert restored.bits("khan") == table.bits("khan") < table.bits("fulaani")
    restored.remove(analyse_name("Khan Media"))
    assert restored.names == 1 and restored.bits("media") > table.bits("media")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"format": "other"}',
        '{"format": "mirrorscan.token-rarity/1", "names": -1, "counts": {}}',
    ],
)
def test_broken_rarity_tables_are_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput):
        TokenRarity.from_json(text)


def test_a_decorated_lookalike_mirror_scores_high_on_every_layer(rarity: TokenRarity) -> None:
    features = compare_names("𝐓𝐓𝐏 𝐌𝐞𝐝𝐢𝐚 🔴", "ttp_rnedia2", "TTP Media", "ttp_media", rarity)
    v = _values(features)
    assert v["name.visual_equal"] == 1.0 and v["name.jaro_winkler"] == 1.0
    assert v["handle.visual_equal"] == 1.0 and v["handle.exact"] == 0.0
    assert v["handle.evasion_affix"] > 0.9  # the "2" is itself evidence
    assert {f.signal for f in features} == {"name", "handle"}
    detail = next(f.detail for f in features if f.name == "handle.evasion_affix")
    assert "'2'" in detail and "ttp_media" in detail


def test_urdu_script_mirror_of_a_roman_name(rarity: TokenRarity) -> None:
    v = _values(
        compare_names(
            "تحریک طالبان پاکستان", "", "Tehreek-e-Taliban Pakistan", "", rarity, name_cosine=0.88
        )
    )
    assert v["name.skeleton_equal"] == 1.0
    assert v["name.rare_overlap"] > 0.8
    assert v["name.embedding"] == pytest.approx(0.88)


def test_sharing_a_rare_word_is_stronger_than_sharing_a_common_one(rarity: TokenRarity) -> None:
    rare = _values(compare_names("Fulaani Ahmed", "", "Fulaani Khan", "", rarity))
    common = _values(compare_names("Muhammad Ahmed", "", "Muhammad Khan", "", rarity))
    assert rare["name.shared_bits"] > common["name.shared_bits"] + 3
    assert rare["name.rare_overlap"] > common["name.rare_overlap"]


def test_word_order_and_joined_words(rarity: TokenRarity) -> None:
    v = _values(compare_names("Fulaani Muhammad", "", "Muhammad Fulaani", "", rarity))
    assert v["name.token_set"] == 1.0 and v["name.rare_overlap"] == 1.0
    matches = match_words(
        analyse_name("TehreekeTaliban"), analyse_name("Tehreek-e-Taliban"), rarity
    )
    assert {m.candidate for m in matches} >= {"taliban"}
    joined = match_words(analyse_name("ttpmedia"), analyse_name("TTP Media"), rarity)
    assert [m.candidate for m in joined] == ["ttp media"]


def test_acronyms(rarity: TokenRarity) -> None:
    v = _values(compare_names("TTP", "", "Tehrik-i-Taliban Pakistan", "", rarity))
    assert v["name.acronym"] == 1.0 and v["name.rare_overlap"] > 0.3
    v = _values(compare_names("TTP Media", "", "Tehreek-e-Taliban Pakistan Media", "", rarity))
    assert v["name.acronym"] == 1.0
    # Initials of a person's name written in Arabic letters are not an acronym.
    v = _values(
        compare_names("فضل ربيع", "", "Forces Democratiques de Liberation du Rwanda", "", rarity)
    )
    assert "name.acronym" not in v
    handle = compare_names("", "ttp_official", "Tehreek-e-Taliban Pakistan", "TTP_Media", rarity)
    assert _values(handle)["handle.acronym"] == 1.0


def test_unrelated_names_score_low(rarity: TokenRarity) -> None:
    v = _values(
        compare_names("Pakistan Today News", "pakistantoday", "Umar Media", "umar_media", rarity)
    )
    assert v["name.rare_overlap"] == 0.0 and v["name.visual_equal"] == 0.0
    assert v["handle.jaro_winkler"] < 0.7
    assert "handle.evasion_affix" not in v


def test_missing_fields_contribute_nothing(rarity: TokenRarity) -> None:
    assert compare_names("", "", "TTP Media", "ttp_media", rarity) == []
    only_handles = compare_names("", "ttp_media2", "", "ttp_media", rarity)
    assert {f.signal for f in only_handles} == {"handle"}
    cross = compare_names("", "ttp_media2", "TTP Media", "", rarity)
    assert [f.name for f in cross] == ["handle.name_cross"] and cross[0].value == 1.0


def test_lookalike_evasion_is_named_in_the_detail(rarity: TokenRarity) -> None:
    features = compare_names("Tеhreek-e-Taliban", "", "Tehreek-e-Taliban", "", rarity)
    lookalike = next(f for f in features if f.name == "name.lookalike")
    assert "Tеhreek" in lookalike.detail


def test_any_unicode_pair_compares_without_error(rarity: TokenRarity) -> None:
    odd = ["\x00\x01", "🔴🔴", "\u202e\u202dabc", "Z̸̡̛a̴l̷g̶o̵", "𒀀𒀁", "a" * 10_000, "١٢٣"]
    for a in odd:
        for b in odd:
            for f in compare_names(a, a, b, b, rarity):
                assert isinstance(f.value, float) and f.detail


@pytest.mark.slow
def test_bundled_reference_table_is_what_the_builder_makes() -> None:
    """The bundled file must follow the code that analyses names (regenerate it with
    ``python -m service.scoring.rarity`` when analysis or the reference population change)."""
    assert build_reference().to_json() == reference_rarity().to_json()
