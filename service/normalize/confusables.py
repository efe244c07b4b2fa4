"""Look-alike folding: where ``Tеhreek`` (Cyrillic е), ``ttp_rnedia``, ``Mustafa aI lraqi`` and
``m3d1a`` meet their originals.

Two tools. The Unicode TR39 confusable skeleton (ICU's ``SpoofChecker``) maps letters of other
scripts that look like Latin ones to Latin, so a token written with Cyrillic or Greek look-alikes
reads as the Latin word it imitates. :func:`visual_key` then merges the look-alike classes inside
ASCII that TR39 keeps apart in lowercase (i/l/1/|, o/0, rn/m, vv/w, cl/d), for an equality key.
Leetspeak (digits for letters inside a word) is folded by :func:`unleet`.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import icu

from service.normalize.chars import DECORATIVE_LETTERS

_local = threading.local()
_EXTRA = str.maketrans({"ĸ": "k", "ı": "i", "ȷ": "j", "ꞓ": "e", "Ꞓ": "e"})


def _checker() -> icu.SpoofChecker:
    checker: icu.SpoofChecker | None = getattr(_local, "checker", None)
    if checker is None:
        checker = icu.SpoofChecker()
        _local.checker = checker
    return checker


@lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """TR39 skeleton of ``text`` (case-sensitive: capital I reads as l), with TR39's prototype
    letters that are themselves small capitals folded back to plain letters."""
    out: str = _checker().getSkeleton(0, text)
    return out.translate(DECORATIVE_LETTERS).translate(_EXTRA)


def latin_lookalike(token: str) -> str | None:
    """The Latin word a token imitates, when every letter of it looks like a Latin letter
    (``Теhreek`` → ``Tehreek``, ``ТТР`` → ``TTP``); None for real words of another script."""
    if token.isascii():
        return None
    folded = skeleton(token)
    if folded.isascii() and any(ch.isalpha() for ch in folded):
        return folded.replace("rn", "m")  # TR39 maps m to rn; undo it for readability
    return None


_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "9": "g",
        "@": "a",
        "$": "s",
        "€": "e",
        "|": "l",
        "!": "i",
    }
)
_INNER_DIGITS = re.compile(r"^[a-z]+[0-9@$€|!][a-z0-9@$€|!]*[a-z]+$", re.IGNORECASE)


def unleet(token: str) -> str:
    """``m3d1a`` → ``media``: digits and symbols standing between letters are leetspeak. A token
    that ends or starts with digits (``media2``, ``786``) is left alone: those are affixes."""
    if _INNER_DIGITS.match(token):
        return token.translate(_LEET)
    return token


_VISUAL_CHARS = str.maketrans({"1": "l", "i": "l", "|": "l", "0": "o", "5": "s"})
_VISUAL_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def visual_key(latin: str) -> str:
    """Lowercase ASCII with look-alike classes merged and doubled letters collapsed: a key for
    "looks the same" (``lraqi`` and ``iraqi`` → ``lraql``; ``rnedia`` and ``media`` → ``medla``)."""
    s = latin.translate(_VISUAL_CHARS)
    while True:  # until a fixed point: collapsing "rrnn" can make a new "rn"
        before = s
        for a, b in _VISUAL_PAIRS:
            s = s.replace(a, b)
        s = _REPEATS.sub(r"\1", s)
        if s == before:
            return s
