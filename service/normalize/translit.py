"""Transliteration to Latin, and the consonant skeleton where spellings of one name meet.

Arabic script (Urdu, Arabic, Persian, Pashto) writes no short vowels, so ``تحریک`` becomes
``thrik`` here while people write ``tehreek``, ``tahrik``, ``tehrik``: these meet in the consonant
skeleton (``thrk``), not in the Latin spelling. anyascii and ICU read Arabic-script text as Arabic:
they leave ٹ ڈ ڑ ں ے ہ ھ unmapped or wrong and give ذ ض ظ ث as ``dh d z th`` where Urdu says
``z z z s``. The tables below are Urdu-first; a name whose letters are Arabic-only (ي ك ة ى) and
that has none of Urdu's/Persian's own letters is read with the Arabic values instead.

Other scripts go through anyascii (Cyrillic, Greek, Hebrew, Devanagari, CJK, ...).
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

# Letters shared by Urdu and Persian (and Pashto) that Arabic lacks, and Arabic's own code points.
_URDU_PERSIAN = set("ٹڈڑںےہھکیگپچژۃۓټډړږښځڅڼګېۍ")
_ARABIC_ONLY = set("يكةى")

_COMMON: dict[str, str] = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ٹ": "t",
    "ټ": "t",
    "ج": "j",
    "چ": "ch",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ڈ": "d",
    "ډ": "d",
    "ر": "r",
    "ڑ": "d",
    "ړ": "r",
    "ز": "z",
    "ژ": "z",
    "ږ": "zh",
    "س": "s",
    "ش": "sh",
    "ښ": "sh",
    "ص": "s",
    "ط": "t",
    "غ": "gh",
    "ف": "f",
    "ڤ": "v",
    "ق": "q",
    "ک": "k",
    "ك": "k",
    "گ": "g",
    "ګ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ں": "n",
    "ڼ": "n",
    "ھ": "h",
    "ځ": "z",
    "څ": "s",
    "ۓ": "e",
    "ے": "e",
    "ې": "e",
    "ۍ": "ai",
    "ء": "",
}
_URDU: dict[str, str] = {"ث": "s", "ذ": "z", "ض": "z", "ظ": "z"}
_ARABIC: dict[str, str] = {"ث": "th", "ذ": "dh", "ض": "d", "ظ": "z"}
_ALEF = set("اآأإٱ")
_WAW = set("وۆۋ")
_YEH = set("یيىئ")
_HEH = set("ہهۃة")
_AIN = "ع"
_DIGRAPH_FIRST = set("skgctdzp")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")


def is_arabic_script(token: str) -> bool:
    return bool(_ARABIC_LETTER.search(token))


def arabic_mode(text: str) -> bool:
    """True when a name is written in Arabic proper rather than Urdu/Persian/Pashto."""
    letters = set(text)
    return bool(letters & _ARABIC_ONLY) and not letters & _URDU_PERSIAN


def _vowel_reading(prev: str | None, nxt: str | None) -> bool:
    """و and ی are vowels between consonants and consonants next to alef or at a word's start."""
    return prev is not None and prev not in _ALEF and (nxt is None or nxt not in _ALEF)


def arabic_to_latin(word: str, arabic: bool) -> str:
    """One Arabic-script word (marks already dropped) in plain Latin letters."""
    table = _ARABIC if arabic else _URDU
    out: list[str] = []
    n = len(word)
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else None
        nxt = word[i + 1] if i + 1 < n else None
        if ch in _ALEF:
            if i == 0 and nxt in _WAW:
                continue  # او at the start is one vowel, written by the waw
            out.append("i" if ch == "إ" else "a")
        elif ch == _AIN:
            out.append("a" if i == 0 or (prev not in _ALEF and nxt is not None) else "")
        elif ch in _WAW:
            if _vowel_reading(prev, nxt) or (i == 1 and prev in _ALEF):
                out.append("u" if arabic else "o")
            else:
                out.append("w")
        elif ch in _YEH:
            if ch == "ى" and nxt is None:
                out.append("a")  # alef maksura: Musa, Mustafa
            elif _vowel_reading(prev, nxt) or (i == 1 and prev in _ALEF):
                out.append("i")
            else:
                out.append("y")
        elif ch in _HEH:
            # Word-final choti he after a consonant is a vowel (Urdu -a, Arabic ta marbuta).
            final_vowel = nxt is None and prev is not None and prev not in _ALEF | _WAW | _YEH
            out.append("a" if final_vowel or ch in "ۃة" else "h")
        elif ch in table:
            out.append(table[ch])
        elif ch in _COMMON:
            out.append(_COMMON[ch])
        elif ch.isdigit():
            out.append(str(int(ch)) if ch.isdecimal() else "")
        else:
            out.append(anyascii(ch).lower())
        if (
            len(out) >= 2
            and out[-1].startswith("h")
            and out[-2][-1:] in _DIGRAPH_FIRST
            and ch != "ھ"
        ):
            out.insert(-1, "a")  # تحریک: t+h is not the digraph th, read it tahrik
    return "".join(out)


def split_article(word: str) -> tuple[str, ...]:
    """``التكريتي`` → (``ال``, ``تكريتي``): the Arabic article is written joined; Latin writes it
    apart (``al-Tikriti``, ``Abdul-Haq``). Allah (الله) is left whole."""
    if word.startswith("ال") and len(word) >= 4 and not word.startswith("الل"):
        return (word[:2], word[2:])
    return (word,)


def to_latin(token: str, arabic: bool = False) -> str:
    """Any one token as lowercase ASCII letters and digits."""
    if token.isascii():
        return token.lower()
    if is_arabic_script(token):
        return arabic_to_latin(token, arabic)
    return "".join(ch for ch in anyascii(token).lower() if ch.isalnum())


_DIGRAPHS = (
    ("sch", "sh"),
    ("ph", "f"),
    ("ck", "k"),
    ("dh", "d"),
    ("zh", "z"),
    ("gh", "g"),
    ("th", "t"),
    ("kh", "k"),
    ("q", "k"),
    ("x", "ks"),
    ("w", "v"),
)
_SOFT_C = re.compile(r"c(?=[eiy])")
_C_NOT_CH = re.compile(r"c(?!h)")
_VOWELS = set("aeiou")
_REPEATS = re.compile(r"(.)\1+")


def _sound_classes(latin: str) -> str:
    s = latin
    for a, b in _DIGRAPHS:
        if a in s:
            s = s.replace(a, b)
    s = _C_NOT_CH.sub("k", _SOFT_C.sub("s", s))
    if len(s) > 1 and s.endswith("h") and s[-2] in _VOWELS:
        s = s[:-1]
    return s


@lru_cache(maxsize=65536)
def consonant_skeleton(latin: str) -> str:
    """The consonants of a Latin token in sound classes, vowels dropped: ``tehreek``, ``tahrik``,
    ``tehrik`` → ``thrk``; ``lashkar``, ``lashker`` → ``lshkr``; ``qasim``, ``kasim`` → ``ksm``.
    Medial y/w (and v) are dropped too, since Arabic script uses ی and و for long vowels; a
    word-final h after a vowel (``-ah``, ``-eh``) is dropped as Urdu's silent he."""
    s = _sound_classes(latin)
    out = [ch for i, ch in enumerate(s) if ch not in _VOWELS and (i == 0 or ch not in "yv")]
    return _REPEATS.sub(r"\1", "".join(out))


_VOWEL_RUN = re.compile(r"[aeiou]+")


@lru_cache(maxsize=65536)
def spelling_key(latin: str) -> str:
    """The consonant skeleton with a mark where vowels were: spellings of one Latin-written name
    share it (``muhammad``, ``mohammed``, ``mohamad`` → ``mahamad``) while names that only share
    consonants mostly do not (``mehmood`` → ``mahmad``). Keys word frequencies, not matching."""
    s = _sound_classes(latin)
    s = "".join(ch if i == 0 or ch not in "yv" else "a" for i, ch in enumerate(s))
    return _REPEATS.sub(r"\1", _VOWEL_RUN.sub("a", s))
