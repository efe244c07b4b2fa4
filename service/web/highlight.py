"""Which parts of two names match, for display: ``𝐓𝐓𝐏 𝐌𝐞𝐝𝐢𝐚 🔴`` against ``TTP Media`` marks
``𝐓𝐓𝐏`` and ``𝐌𝐞𝐝𝐢𝐚``; ``ttp_rnedia2`` against ``TTP_Media`` marks ``ttp`` and ``edia``.

Each character is folded on its own (NFKC, casefold, transliterated to Latin, letters and digits
only), so decorated, look-alike and other-script spellings still line up, and every folded
character remembers the original character it came from. Runs shared by both folded strings
(difflib's matching blocks, at least ``min_run`` long) are then marked on the originals. This is
an aid to the eye, not the scorer's evidence: the evidence table says what was weighed."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from anyascii import anyascii

MAX_CHARS = 300  # names longer than this are shown without marks (matching is quadratic)


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    hit: bool


def fold(text: str) -> tuple[str, list[int]]:
    """The folded string and, for each of its characters, the index of its source character."""
    out: list[str] = []
    owner: list[int] = []
    for i, ch in enumerate(text):
        if unicodedata.category(ch)[0] in "SZC":  # symbols, emoji, spaces, controls: no letters
            continue
        folded = unicodedata.normalize("NFKC", ch).casefold()
        if not folded.isascii():
            folded = anyascii(folded).lower()
        for f in folded:
            if f.isascii() and f.isalnum():
                out.append(f)
                owner.append(i)
    return "".join(out), owner


def highlight_pair(a: str, b: str, min_run: int = 3) -> tuple[list[Segment], list[Segment]]:
    """``a`` and ``b`` cut into segments, the shared parts marked ``hit``."""
    if len(a) > MAX_CHARS or len(b) > MAX_CHARS:
        return _segments(a, set()), _segments(b, set())
    fa, oa = fold(a)
    fb, ob = fold(b)
    hits_a: set[int] = set()
    hits_b: set[int] = set()
    for block in SequenceMatcher(None, fa, fb, autojunk=False).get_matching_blocks():
        if block.size >= min_run:
            hits_a.update(oa[block.a : block.a + block.size])
            hits_b.update(ob[block.b : block.b + block.size])
    return _segments(a, hits_a), _segments(b, hits_b)


def _segments(text: str, hits: set[int]) -> list[Segment]:
    segments: list[Segment] = []
    for i, ch in enumerate(text):
        hit = i in hits
        if segments and segments[-1].hit == hit:
            segments[-1] = Segment(segments[-1].text + ch, hit)
        else:
            segments.append(Segment(ch, hit))
    return segments
