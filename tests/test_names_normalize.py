"""Each normalisation layer on the evasions seen on real platforms, and the layers' properties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.normalize.chars import MAX_CHARS, clean
from service.normalize.confusables import latin_lookalike, unleet, visual_key
from service.normalize.names import analyse_handle, analyse_name


def test_decorative_letters_fold_to_plain_letters() -> None:
    for decorated in (
        "𝐓𝐓𝐏 𝐌𝐞𝐝𝐢𝐚",
        "ＴＴＰ Ｍｅｄｉａ",
        "ⓉⓉⓅ Ⓜⓔⓓⓘⓐ",
        "ᴛᴛᴘ ᴍᴇᴅɪᴀ",
        "🆃🆃🅿 🅼🅴🅳🅸🅰",
        "𝕋𝕋ℙ 𝕄𝕖𝕕𝕚𝕒",
        "𝓣𝓣𝓟 𝓜𝓮𝓭𝓲𝓪",
    ):
        assert analyse_name(decorated).tokens == ("ttp", "media"), decorated


def test_invisible_characters_tatweel_and_marks_are_dropped() -> None:
    assert analyse_name("T\u200bT\u200dP\u2060 Me\u00addia").tokens == ("ttp", "media")
    assert analyse_name("ㅤTTP").tokens == ("ttp",)  # Hangul filler, a "blank" character
    assert analyse_name("تـحـریـک").text == analyse_name("تحریک").text
    assert analyse_name("T̷̢T̶P̸ M̵e̴d̷i̶a̸").tokens == ("ttp", "media")  # Zalgo
    assert analyse_name("Tehrīk-é-Tâlibân").tokens == ("tehrik", "e", "taliban")


def test_emoji_and_symbols_are_kept_apart_as_decorations() -> None:
    forms = analyse_name("🔴 TTP Media ✔ 🇵🇰")
    assert forms.tokens == ("ttp", "media")
    assert "🔴" in forms.decorations and "✔" in forms.decorations
    assert clean("TTP ⚡⚡⚡").decorations == ("⚡",)


def test_cyrillic_and_greek_lookalikes_read_as_the_latin_they_imitate() -> None:
    assert analyse_name("Tеhreek").tokens == ("tehreek",)  # Cyrillic е
    assert analyse_name("Tеhreek").lookalikes == ("Tеhreek",)
    assert analyse_name("ТТР").tokens == ("ttp",)  # all Cyrillic
    assert latin_lookalike("Αlqaeda") == "Alqaeda"  # Greek Alpha
    # A real Cyrillic name is transliterated, not mistaken for look-alikes.
    assert analyse_name("Владимир Путин").tokens == ("vladimir", "putin")
    assert analyse_name("Владимир Путин").lookalikes == ()


def test_i_l_1_and_rn_m_meet_in_the_visual_key() -> None:
    assert analyse_name("Mustafa aI lraqi").visual == analyse_name("Mustafa al Iraqi").visual
    assert analyse_handle("ttp_rnedia").visual == analyse_handle("ttp_media").visual
    assert visual_key("0mar") == visual_key("omar")
    assert visual_key("tt1p") == visual_key("ttlp")


def test_leetspeak_inside_words_is_folded_digits_at_the_edges_are_affixes() -> None:
    assert unleet("m3d1a") == "media"
    assert unleet("media2") == "media2"
    assert analyse_handle("ttp_m3d1a").tokens == ("ttp", "media")
    assert analyse_handle("ttp_m3d1a").lookalikes == ("m3d1a",)
    assert analyse_name("TTP M@dia").tokens == ("ttp", "madia")


def test_handle_affixes_are_stripped_and_kept() -> None:
    cases = {
        "TTP_Media2": (("ttp", "media"), ("2",)),
        "real_ttpmedia": (("ttpmedia",), ("real",)),
        "ttpbackup": (("ttp",), ("backup",)),
        "@TTP_Official": (("ttp",), ("official",)),
        "TTPMedia_backup_786": (("ttpmedia",), ("786", "backup")),
        "the_new_ttp": (("ttp",), ("the", "new")),
    }
    for handle, (tokens, affixes) in cases.items():
        forms = analyse_handle(handle)
        assert forms.tokens == tokens, handle
        assert sorted(forms.affixes) == sorted(affixes), handle


def test_affixes_never_eat_the_whole_name_or_ordinary_words() -> None:
    assert analyse_name("News").tokens == ("news",)
    assert analyse_handle("theodore_newton").tokens == ("theodore", "newton")
    assert analyse_handle("andrew").tokens == ("andrew",)


def test_camel_case_and_separators_split_handles() -> None:
    assert analyse_handle("TehreekeTaliban").tokens == ("tehreeke", "taliban")
    assert analyse_handle("tehreek.e.taliban").tokens == ("tehreek", "e", "taliban")
    assert analyse_handle("TehreekeTaliban").joined == "tehreeketaliban"


def test_urdu_and_arabic_names_get_latin_tokens_and_acronyms() -> None:
    ttp = analyse_name("تحریک طالبان پاکستان")
    assert ttp.tokens == ("tahrik", "talban", "pakstan")
    for roman in (
        "Tehrik-e-Taliban Pakistan",
        "Tehreek-i-Taliban Pakistan",
        "TahrikTaliban Pakistan",
    ):
        assert ttp.consonant_joined == analyse_name(roman).consonant_joined, roman
    assert analyse_name("Tehreek-e-Taliban Pakistan").acronym == "ttp"
    assert analyse_name("صدام حسين التكريتي").tokens[-2:] == ("al", "tkriti")
    assert analyse_name("عبد الحق").tokens == ("abd", "al", "hq")


def test_order_free_tokens_and_joined_forms() -> None:
    a, b = analyse_name("Ali Muhammad"), analyse_name("Muhammad Ali")
    assert sorted(a.tokens) == sorted(b.tokens)
    assert analyse_name("TehreekeTaliban").joined == analyse_name("Tehreeke Taliban").joined


def test_long_input_is_cut() -> None:
    forms = analyse_name("ab " * 10_000)
    assert len(forms.raw) <= MAX_CHARS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_analysis_never_raises_on_any_unicode(text: str) -> None:
    for forms in (analyse_name(text), analyse_handle(text)):
        assert all(t and t.isascii() for t in forms.tokens)
        assert len(forms.tokens) == len(forms.visual) == len(forms.consonants)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_cleaning_is_idempotent(text: str) -> None:
    once = clean(text)
    assert clean(once.text).text == once.text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_latin_layer_is_a_fixed_point(text: str) -> None:
    forms = analyse_name(text)
    again = analyse_name(forms.latin)
    assert again.tokens == forms.tokens
    assert again.visual == forms.visual and again.consonants == forms.consonants


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", max_size=40))
def test_visual_key_is_idempotent(word: str) -> None:
    assert visual_key(visual_key(word)) == visual_key(word)
