"""Highlighting the shared parts of two names, through decoration, look-alikes and scripts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.web.highlight import MAX_CHARS, Segment, fold, highlight_pair


def marked(segments: list[Segment]) -> list[str]:
    return [s.text for s in segments if s.hit]


def test_decorated_and_look_alike_names_line_up() -> None:
    a, b = highlight_pair("𝐓𝐓𝐏 𝐌𝐞𝐝𝐢𝐚 🔴", "TTP Media")
    assert marked(a) == ["𝐓𝐓𝐏", "𝐌𝐞𝐝𝐢𝐚"] and marked(b) == ["TTP", "Media"]
    a, b = highlight_pair("ttp_rnedia2", "TTP_Media")
    assert marked(a) == ["ttp", "edia"] and marked(b) == ["TTP", "edia"]
    a, b = highlight_pair("Аl-Аzaim", "Al Azaim Foundation")  # Cyrillic А
    assert marked(a) == ["Аl", "Аzaim"] and marked(b) == ["Al", "Azaim"]


def test_unrelated_names_have_no_marks_and_short_runs_do_not_count() -> None:
    assert highlight_pair("Dawn.com", "TTP Media") == ([Segment("Dawn.com", False)],
                                                        [Segment("TTP Media", False)])  # fmt: skip
    a, _ = highlight_pair("ab", "ab xy")
    assert marked(a) == []  # a 2-letter run is noise
    long = "a" * (MAX_CHARS + 1)
    assert marked(highlight_pair(long, long)[0]) == []


def test_fold_keeps_track_of_source_characters() -> None:
    folded, owner = fold("Ｔ_é🔴ß")
    assert folded == "tess"
    assert owner == [0, 2, 4, 4]


@given(st.text(max_size=60), st.text(max_size=60))
def test_segments_always_rebuild_the_names(a: str, b: str) -> None:
    sa, sb = highlight_pair(a, b)
    assert "".join(s.text for s in sa) == a and "".join(s.text for s in sb) == b
    for segments in (sa, sb):
        assert all(s.text for s in segments)
        assert all(x.hit != y.hit for x, y in zip(segments, segments[1:], strict=False))
