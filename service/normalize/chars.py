"""Character-level cleaning of untrusted names: the first layer every other name layer builds on.

Evaders decorate names so that exact and naive fuzzy matching fail while a reader still sees the
same name: mathematical alphanumerics (𝐓𝐓𝐏), fullwidth (ＴＴＰ), circled and squared letters
(Ⓣ 🅣 🆃), small capitals (ᴛᴛᴘ), zero-width and bidi controls, combining marks (Zalgo), Arabic tatweel
(تـحـریـک), emoji and symbols (🔴 ✔). :func:`clean` folds all of these to plain letters and returns
the decorations it removed separately, because they are themselves a feature.

Pure functions, total on any Unicode string; no ICU here (see ``confusables`` and ``translit``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 256  # display names are <= 64 chars on every platform; anything longer is cut

_TATWEEL = "\u0640"
# Characters that render as nothing (or as blank space) but are letters/symbols to Unicode.
_INVISIBLE = {
    0x115F,
    0x1160,
    0x3164,
    0xFFA0,  # Hangul fillers, a favourite "blank name"
    0x2800,  # braille pattern blank
    0x034F,  # combining grapheme joiner
    0x0640,  # tatweel (kashida): stretches Arabic words, no sound
}
# Combining-mark ranges that are diacritics on Latin/Greek/Cyrillic/Arabic (dropped). Marks of
# Indic and other scripts are vowel signs that carry sound, so they are kept.
_DROPPED_MARKS = (
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0591, 0x05C7),
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06ED),
    (0x08D3, 0x08FF),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE00, 0xFE0F),
    (0xFE20, 0xFE2F),
    (0xE0100, 0xE01EF),
)
_TURNED = {  # upside-down text generators use these for a, c, e, f, g, h, i, j, k, m, r, t, v, w, y
    "ɐ": "a",
    "ɔ": "c",
    "ǝ": "e",
    "ɟ": "f",
    "ƃ": "g",
    "ɥ": "h",
    "ᴉ": "i",
    "ɾ": "j",
    "ʞ": "k",
    "ɯ": "m",
    "ɹ": "r",
    "ʇ": "t",
    "ʌ": "v",
    "ʍ": "w",
    "ʎ": "y",
    "ı": "i",
    "ȷ": "j",
}
_DECORATIVE_NAME = re.compile(
    r"^(?:LATIN LETTER SMALL CAPITAL|NEGATIVE CIRCLED LATIN CAPITAL LETTER|"
    r"NEGATIVE SQUARED LATIN CAPITAL LETTER|LATIN SUBSCRIPT SMALL LETTER|"
    r"MODIFIER LETTER SMALL|MODIFIER LETTER CAPITAL) ([A-Z])$"
)
_DECORATIVE_BLOCKS = (
    (0x0250, 0x02FF),
    (0x1D00, 0x1DBF),
    (0x2090, 0x209C),
    (0xA730, 0xA7FF),
    (0x1F100, 0x1F1E5),
)


def _decoration_table() -> dict[int, str]:
    """Letters that NFKC leaves alone but readers see as plain Latin letters."""
    table: dict[int, str] = {ord(k): v for k, v in _TURNED.items()}
    for lo, hi in _DECORATIVE_BLOCKS:
        for cp in range(lo, hi + 1):
            match = _DECORATIVE_NAME.match(unicodedata.name(chr(cp), ""))
            if match:
                table[cp] = match.group(1).lower()
    return table


DECORATIVE_LETTERS = _decoration_table()


def _is_dropped_mark(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _DROPPED_MARKS)


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A name after character cleaning. ``text`` keeps letter case (the confusable skeleton needs
    it: a capital I is read as l) and script; ``decorations`` are the emoji and symbols removed."""

    text: str
    decorations: tuple[str, ...]


def _category(ch: str) -> str:
    return unicodedata.category(ch)


def clean(raw: str) -> Cleaned:
    """Fold decorative letters, drop invisible characters and diacritics, split off emoji and
    symbols. Punctuation becomes a space except apostrophes (and the ʿ ʾ of transcribed Arabic),
    which are dropped so that ``'Abd`` and ``Abd`` meet. Idempotent; never raises."""
    text = raw[:MAX_CHARS].translate(DECORATIVE_LETTERS)
    text = unicodedata.normalize("NFKC", text).translate(DECORATIVE_LETTERS)
    text = unicodedata.normalize("NFD", text)
    out: list[str] = []
    decorations: list[str] = []
    for ch in text:
        cp = ord(ch)
        cat = _category(ch)
        if cp in _INVISIBLE or cat in ("Cf", "Cc", "Cs", "Co", "Cn") and not ch.isspace():
            continue
        if cat in ("Mn", "Me"):
            if _is_dropped_mark(cp):
                continue
            out.append(ch)
        elif cat[0] in ("L", "N") or cat == "Mc":
            out.append(ch)
        elif ch in "'`´ʹʻʼʽʾʿˈ‘’‛′":
            continue
        elif cat[0] == "S":
            if not decorations or decorations[-1] != ch:
                decorations.append(ch)
            out.append(" ")
        else:  # punctuation, separators, controls that are spaces
            out.append(" ")
    folded = unicodedata.normalize("NFC", "".join(out))
    return Cleaned(" ".join(folded.split()), tuple(decorations))


_SCRIPT_RANGES = (
    (0x0041, 0x024F, "latin"),
    (0x1E00, 0x1EFF, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x1F00, 0x1FFF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x0900, 0x0DFF, "indic"),
    (0x0E00, 0x0EFF, "thai"),
    (0x1100, 0x11FF, "hangul"),
    (0xAC00, 0xD7AF, "hangul"),
    (0x3040, 0x30FF, "kana"),
    (0x3400, 0x9FFF, "han"),
    (0x20000, 0x2FFFF, "han"),
)


def script_of(ch: str) -> str:
    """A coarse script name for a letter ("latin", "arabic", "cyrillic", ...), "other" if none."""
    cp = ord(ch)
    for lo, hi, name in _SCRIPT_RANGES:
        if lo <= cp <= hi:
            return name
    return "other"


def scripts(text: str) -> frozenset[str]:
    """The scripts of the letters in ``text``."""
    return frozenset(script_of(ch) for ch in text if ch.isalpha())
