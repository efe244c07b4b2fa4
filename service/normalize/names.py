"""A name or handle in every layer the comparators need (:func:`analyse_name`,
:func:`analyse_handle`).

Layers, each built on the one before:

1. ``text``: decorations folded, invisible characters and diacritics dropped, emoji and symbols
   split off (``decorations``), casefolded; the script is kept (for same-script comparison).
2. ``tokens``: the words in lowercase ASCII Latin: look-alike letters of other scripts read as the
   Latin they imitate, leetspeak folded, Arabic script transliterated with the Urdu tables, other
   scripts through anyascii; handles split at separators, camelCase and digit runs. Affixes
   (``official``, ``backup``, ``real``, ``new``, ``tv``, digits...) at either end are moved to
   ``affixes``: stripped for matching, kept because "backup" is itself evidence.
3. ``visual``: per token, look-alike classes merged (i/l/1, o/0, rn/m): equal keys look the same.
4. ``consonants``: per token, the consonant skeleton where ``tehreek``/``tahrik``/``تحریک`` meet.

Pure and total: any Unicode string in (cut at ``chars.MAX_CHARS``), never raises. Results are
cached, since the same bank names are analysed for every request that retrieves them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from service.normalize.chars import MAX_CHARS, clean, scripts
from service.normalize.confusables import latin_lookalike, unleet, visual_key
from service.normalize.translit import (
    arabic_mode,
    consonant_skeleton,
    is_arabic_script,
    split_article,
    to_latin,
)

# Words that evaders add around a banned name; "2", "_official", "backup" are the classic forms.
AFFIXES = frozenset(
    {
        "official",
        "offical",
        "officiel",
        "officials",
        "ofc",
        "ofcl",
        "backup",
        "bkp",
        "bckp",
        "back",
        "real",
        "the",
        "news",
        "tv",
        "new",
        "alt",
        "main",
        "original",
        "orig",
        "page",
        "acc",
        "account",
        "channel",
        "again",
        "returns",
        "reloaded",
        "live",
    }
)
# Affixes that evaders glue on to a handle without a separator (``realttp``, ``ttpbackup``); only
# those that rarely begin or end an ordinary word (not "the", "new": Theodore, Newton, Andrew).
_GLUED_PREFIXES = ("official", "offical", "backup", "real")
_GLUED_SUFFIXES = ("official", "offical", "backup", "news", "tv")
# Short function words of names: skipped in acronyms (Tehreek-e-Taliban Pakistan → TTP).
CONNECTORS = frozenset(
    {
        "e",
        "i",
        "o",
        "a",
        "y",
        "ul",
        "al",
        "el",
        "ar",
        "as",
        "ad",
        "at",
        "az",
        "an",
        "ur",
        "ud",
        "us",
        "ut",
        "of",
        "the",
        "and",
        "de",
        "la",
        "le",
        "du",
        "des",
        "wa",
        "va",
        "bin",
        "ibn",
        "bint",
        "di",
        "da",
        "von",
        "van",
        "fi",
    }
)
_LEET_SYMBOL = re.compile(r"(?<=[^\W_])[@$€|!](?=[^\W_])")
_LEET_SYMBOLS = str.maketrans({"@": "a", "$": "s", "€": "e", "|": "l", "!": "i"})
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_DIGIT_EDGES = re.compile(r"^([0-9]*)(.*?)([0-9]*)$", re.DOTALL)
MAX_ACRONYM_TOKENS = 8


@dataclass(frozen=True, slots=True)
class NameForms:
    """Every layer of one display name or handle; ``tokens``, ``visual`` and ``consonants`` are
    aligned (one entry per core word)."""

    kind: str  # "name" or "handle"
    raw: str
    text: str
    tokens: tuple[str, ...]
    visual: tuple[str, ...]
    consonants: tuple[str, ...]
    affixes: tuple[str, ...]
    decorations: tuple[str, ...]
    scripts: frozenset[str]
    lookalikes: tuple[str, ...]  # tokens written with look-alike letters or leetspeak, as given
    acronym: str  # initials of the core words, connectors skipped ("" for fewer than two)
    # Arabic-script names are read with Urdu values (ض → z) or Arabic ones (ض → d) by their
    # letters; names written in Arabic letters but said the Urdu/Pashto way (or the reverse) are
    # common, so the other reading is kept too when it differs.
    alternate: NameForms | None = None

    @property
    def latin(self) -> str:
        return " ".join(self.tokens)

    @property
    def joined(self) -> str:
        return "".join(self.tokens)

    @property
    def visual_joined(self) -> str:
        return "".join(self.visual)

    @property
    def consonant_joined(self) -> str:
        return "".join(self.consonants)

    @property
    def empty(self) -> bool:
        return not self.tokens


def _split_token(token: str, arabic: bool, lookalikes: list[str]) -> list[str]:
    """One whitespace-free piece (case kept) → Latin words: look-alikes read as Latin, camelCase
    split, transliterated, leetspeak folded, digit runs at the edges split off."""
    imitated = latin_lookalike(token)
    if imitated is not None:
        lookalikes.append(token)
        token = imitated
    out: list[str] = []
    for part in _CAMEL.sub(" ", token).split():
        for piece in split_article(part) if is_arabic_script(part) else (part,):
            match = _DIGIT_EDGES.match(to_latin(piece.casefold(), arabic))
            assert match is not None  # the pattern matches every string
            head, middle, tail = match.groups()
            folded = unleet(middle)
            if folded != middle:
                lookalikes.append(part)
            out.extend(p for p in (head, folded, tail) if p)
    return out


def _strip_glued(token: str) -> tuple[str, list[str]]:
    stripped: list[str] = []
    changed = True
    while changed:
        changed = False
        for affix in _GLUED_PREFIXES:
            if token.startswith(affix) and len(token) - len(affix) >= 3:
                token, changed = token[len(affix) :], True
                stripped.append(affix)
        for affix in _GLUED_SUFFIXES:
            if token.endswith(affix) and len(token) - len(affix) >= 3:
                token, changed = token[: -len(affix)], True
                stripped.append(affix)
    return token, stripped


def _is_affix(token: str) -> bool:
    return token in AFFIXES or token.isdigit()


def _strip_affixes(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Affixes at either end move out, keeping at least one core word."""
    affixes: list[str] = []
    core = list(tokens)
    while len(core) > 1 and _is_affix(core[0]):
        affixes.append(core.pop(0))
    while len(core) > 1 and _is_affix(core[-1]):
        affixes.append(core.pop())
    if core:
        core[0], glued = _strip_glued(core[0])
        affixes.extend(glued)
        if len(core) > 1 or not glued:
            core[-1], glued = _strip_glued(core[-1])
            affixes.extend(glued)
    return core, affixes


def _acronym(tokens: tuple[str, ...]) -> str:
    words = [t for t in tokens if t not in CONNECTORS and t[:1].isalpha()]
    return "".join(w[0] for w in words) if 2 <= len(words) <= MAX_ACRONYM_TOKENS else ""


def _analyse(raw: str, kind: str, arabic: bool | None = None) -> NameForms:
    cleaned = clean(_LEET_SYMBOL.sub(lambda m: m.group(0).translate(_LEET_SYMBOLS), raw))
    guessed = arabic is None
    if arabic is None:
        arabic = arabic_mode(cleaned.text)
    lookalikes: list[str] = []
    pieces: list[str] = []
    for word in cleaned.text.split():
        pieces.extend(_split_token(word, arabic, lookalikes))
    core, affixes = _strip_affixes(pieces)
    tokens = tuple(t for t in core if t)
    forms = NameForms(
        kind=kind,
        raw=raw,
        text=cleaned.text.casefold(),
        tokens=tokens,
        visual=tuple(visual_key(t) for t in tokens),
        consonants=tuple(consonant_skeleton(t) for t in tokens),
        affixes=tuple(affixes),
        decorations=cleaned.decorations,
        scripts=scripts(cleaned.text),
        lookalikes=tuple(lookalikes),
        acronym=_acronym(tokens),
    )
    if guessed and "arabic" in forms.scripts:
        other = _analyse(raw, kind, not arabic)
        if other.tokens != forms.tokens:
            forms = replace(forms, alternate=other)
    return forms


@lru_cache(maxsize=32768)
def _cached(raw: str, kind: str) -> NameForms:
    return _analyse(raw, kind)


def analyse_name(text: str) -> NameForms:
    """All layers of a display name (``"𝐓𝐓𝐏 𝐌𝐞𝐝𝐢𝐚 🔴"``, ``"تحریک طالبان پاکستان"``)."""
    return _cached(text[:MAX_CHARS], "name")


def analyse_handle(handle: str) -> NameForms:
    """All layers of a handle (``"@TTP_Media2"``, ``"real_ttpmedia"``): like a name, plus affixes
    glued on without a separator (``ttpbackup``)."""
    return _cached(handle[:MAX_CHARS].strip().lstrip("@"), "handle")
