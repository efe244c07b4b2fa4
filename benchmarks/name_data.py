"""Data for the name benchmarks: the real sanctions lists and Dakshina lexicon from
``../shared/data``, a synthetic bank of ordinary and organisation names, and an evasion generator.

The generator is a benchmark's tool, not the training-pair generator of the scorer: it applies the
evasions named in DESIGN.md (homoglyphs, decorations, leetspeak, affixes, separators, reordering,
typos, Roman-Urdu spelling variants) to a bank name and says which it applied.
"""

from __future__ import annotations

import csv
import random
import unicodedata
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from service.config import Settings

SHARED = Settings().shared_data


@dataclass
class Entry:
    id: str
    kind: str  # "individual", "entity", "vessel", "aircraft"
    name: str
    aliases: list[str] = field(default_factory=list)
    original: list[str] = field(default_factory=list)  # names in the original script (UN)


def _text(node: ET.Element, tag: str) -> str:
    return (node.findtext(tag) or "").strip()


def load_un(path: Path = SHARED / "sanctions" / "un_consolidated.xml") -> list[Entry]:
    root = ET.parse(path).getroot()
    out: list[Entry] = []
    for group, kind in (("INDIVIDUALS", "individual"), ("ENTITIES", "entity")):
        section = root.find(group)
        assert section is not None
        for node in section:
            parts = [
                _text(node, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
            ]
            entry = Entry(_text(node, "REFERENCE_NUMBER"), kind, " ".join(p for p in parts if p))
            for alias in node.iter(f"{node.tag}_ALIAS"):
                name = _text(alias, "ALIAS_NAME")
                if name:
                    entry.aliases.append(name)
            original = _text(node, "NAME_ORIGINAL_SCRIPT")
            if original:
                entry.original.append(original)
            out.append(entry)
    return out


def _field(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def load_ofac(folder: Path = SHARED / "sanctions") -> list[Entry]:
    kinds = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft", "": "entity"}
    entries: dict[str, Entry] = {}
    with open(folder / "ofac_sdn.csv", encoding="utf-8", errors="replace", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) > 3:
                entries[row[0]] = Entry(row[0], kinds.get(_field(row[2]), "entity"), row[1])
    with open(folder / "ofac_alt.csv", encoding="utf-8", errors="replace", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) > 3 and row[0] in entries and _field(row[3]):
                entries[row[0]].aliases.append(_field(row[3]))
    return list(entries.values())


def load_dakshina(split: str) -> dict[str, list[tuple[str, int]]]:
    """Urdu word → its attested Roman spellings with counts."""
    words: dict[str, list[tuple[str, int]]] = defaultdict(list)
    path = SHARED / "translit-ur" / f"ur.translit.sampled.{split}.tsv"
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and parts[0] and parts[1]:
                words[parts[0]].append((parts[1], int(parts[2])))
    return dict(words)


# ---------------------------------------------------------------- synthetic bank

_PERSON_LOCALES = {
    "en_PK": 16,
    "ar_AA": 6,
    "ar_SA": 4,
    "fa_IR": 8,
    "en_IN": 8,
    "en_US": 8,
    "tr_TR": 5,
    "id_ID": 4,
    "bn_BD": 2,
    "hi_IN": 2,
    "az_AZ": 2,
    "en_GB": 3,
    "ru_RU": 2,
}
_ORG_HEADS = (
    "Tehreek-e-{x}",
    "Lashkar-e-{x}",
    "Jaish-e-{x}",
    "Ansar al-{x}",
    "Jamaat ul {x}",
    "Sada-e-{x}",
    "{x} Ki Awaz",
    "Harkat ul {x}",
    "Anjuman-e-{x}",
    "Tanzeem-e-{x}",
)
_ORG_TAILS = (
    "Media",
    "News",
    "TV",
    "Network",
    "Front",
    "Army",
    "Movement",
    "Foundation",
    "Center",
    "Channel",
    "Voice",
    "Press",
    "Agency",
    "Brigade",
    "Studio",
    "Radio",
    "Times",
    "Tribune",
    "Force",
    "Council",
    "Party",
    "Youth",
    "Welfare",
    "Trust",
)


def synthetic_bank(n: int, seed: int = 7) -> list[str]:
    """``n`` distinct names: persons from Faker locales (Latin, Arabic, Persian, Devanagari,
    Bengali, Cyrillic scripts), companies, and organisation/account names built like the banned
    groups' (``Tehreek-e-X``, ``X Media``), so that the bank is full of near neighbours."""
    from faker import Faker

    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in _PERSON_LOCALES}
    for i, f in enumerate(fakers.values()):
        f.seed_instance(seed + i)
    locales = list(_PERSON_LOCALES)
    weights = list(_PERSON_LOCALES.values())
    out: set[str] = set()
    pk = fakers["en_PK"]
    while len(out) < n:
        roll = rng.random()
        fk = fakers[rng.choices(locales, weights)[0]]
        if roll < 0.6:
            out.add(fk.name())
        elif roll < 0.7:
            out.add(fk.company())
        elif roll < 0.85:
            x = rng.choice([pk.last_name(), pk.first_name(), pk.city(), fk.last_name()])
            out.add(rng.choice(_ORG_HEADS).format(x=x))
        else:
            x = rng.choice([pk.last_name(), fk.city(), fk.last_name(), pk.first_name()])
            out.add(f"{x} {rng.choice(_ORG_TAILS)}")
    return sorted(out)


# ---------------------------------------------------------------- evasions

_HOMOGLYPHS = {
    "a": "аα",
    "c": "сϲ",
    "e": "еε",
    "o": "оο",
    "p": "рρ",
    "x": "хχ",
    "y": "уγ",
    "i": "іι",
    "j": "ј",
    "s": "ѕ",
    "h": "һ",
    "k": "κ",
    "n": "ո",
    "T": "ТΤ",
    "H": "НΗ",
    "B": "ВΒ",
    "K": "КΚ",
    "M": "МΜ",
    "A": "АΑ",
    "E": "ЕΕ",
    "O": "ОΟ",
    "P": "РΡ",
    "C": "С",
    "X": "Х",
    "I": "ІΙ",
}
_LEET = {
    "a": "4@",
    "e": "3",
    "i": "1!",
    "o": "0",
    "s": "5$",
    "t": "7",
    "b": "8",
    "g": "9",
    "l": "1|",
}
_AFFIXES = (
    "official",
    "backup",
    "real",
    "tv",
    "news",
    "new",
    "2",
    "3",
    "786",
    "01",
    "2024",
    "offical",
    "the",
    "main",
    "hq",
)
_EMOJI = ("🔴", "✔", "🇵🇰", "⚡", "🦅", "☪", "✨", "🔥", "💯", "⭐")
_VOWEL_SWAPS = (
    ("ee", "i"),
    ("i", "ee"),
    ("oo", "u"),
    ("u", "oo"),
    ("e", "a"),
    ("a", "e"),
    ("k", "q"),
    ("q", "k"),
    ("w", "v"),
    ("v", "w"),
    ("-e-", "e"),
    ("ph", "f"),
    ("z", "s"),
    ("y", "i"),
    ("ai", "e"),
    ("o", "u"),
)


def _math_bold(ch: str) -> str:
    if "A" <= ch <= "Z":
        return chr(0x1D400 + ord(ch) - ord("A"))
    if "a" <= ch <= "z":
        return chr(0x1D41A + ord(ch) - ord("a"))
    return ch


def _fullwidth(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


def _small_caps(ch: str) -> str:
    name = f"LATIN LETTER SMALL CAPITAL {ch.upper()}"
    try:
        return unicodedata.lookup(name) if ch.isascii() and ch.isalpha() else ch
    except KeyError:
        return ch


def _circled(ch: str) -> str:
    if "A" <= ch <= "Z":
        return chr(0x24B6 + ord(ch) - ord("A"))
    if "a" <= ch <= "z":
        return chr(0x24D0 + ord(ch) - ord("a"))
    return ch


def _positions(s: str, pred: object, rng: random.Random, k: int) -> list[int]:
    idx = [i for i, ch in enumerate(s) if callable(pred) and pred(ch)]
    return rng.sample(idx, min(k, len(idx)))


def _replace_at(s: str, subs: dict[int, str]) -> str:
    return "".join(subs.get(i, ch) for i, ch in enumerate(s))


def _homoglyph(s: str, rng: random.Random) -> str:
    pos = _positions(s, lambda ch: ch in _HOMOGLYPHS, rng, rng.randint(1, 3))
    return _replace_at(s, {i: rng.choice(_HOMOGLYPHS[s[i]]) for i in pos})


def _decorate(s: str, rng: random.Random) -> str:
    style = rng.choice((_math_bold, _fullwidth, _small_caps, _circled, None, None))
    if style is not None:
        s = "".join(style(ch) for ch in s)
    if rng.random() < 0.5:
        s = rng.choice(_EMOJI) + " " + s
    if rng.random() < 0.5:
        s = s + " " + rng.choice(_EMOJI)
    if rng.random() < 0.4:
        pos = _positions(s, str.isalpha, rng, 2)
        s = _replace_at(s, {i: s[i] + rng.choice(("\u200b", "\u200d", "\u2060")) for i in pos})
    if rng.random() < 0.3 and any("\u0600" <= ch <= "\u06ff" for ch in s):
        pos = _positions(s, lambda ch: "\u0600" <= ch <= "\u06ff", rng, 2)
        s = _replace_at(s, {i: s[i] + "\u0640" for i in pos})  # tatweel
    return s


def _leet(s: str, rng: random.Random) -> str:
    inner = [
        i
        for i in range(1, len(s) - 1)
        if s[i].lower() in _LEET and s[i - 1].isalpha() and s[i + 1].isalpha()
    ]
    pos = rng.sample(inner, min(rng.randint(1, 2), len(inner)))
    return _replace_at(s, {i: rng.choice(_LEET[s[i].lower()]) for i in pos})


def _affix(s: str, rng: random.Random) -> str:
    affix = rng.choice(_AFFIXES)
    sep = rng.choice((" ", "_", "", "."))
    return f"{affix}{sep}{s}" if rng.random() < 0.3 else f"{s}{sep}{affix}"


def _handle(s: str, rng: random.Random) -> str:
    sep = rng.choice(("_", "", ".", "_"))
    out = sep.join(s.split())
    return out.lower() if rng.random() < 0.7 else out


def _reorder(s: str, rng: random.Random) -> str:
    words = s.split()
    if len(words) > 1:
        rng.shuffle(words)
    return " ".join(words)


def _typo(s: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(s) if ch.isalpha()]
    if len(letters) < 4:
        return s
    i = rng.choice(letters[1:])
    op = rng.choice(("delete", "double", "swap", "sub", "rn", "Il"))
    if op == "delete":
        return s[:i] + s[i + 1 :]
    if op == "double":
        return s[:i] + s[i] + s[i:]
    if op == "swap" and i + 1 < len(s):
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    if op == "rn" and "m" in s:
        return s.replace("m", "rn", 1)
    if op == "Il" and ("l" in s or "I" in s):
        return s.replace("l", "I", 1) if "l" in s else s.replace("I", "l", 1)
    return s[:i] + rng.choice("aeioulnrst") + s[i + 1 :]


def _spelling(s: str, rng: random.Random) -> str:
    for a, b in rng.sample(_VOWEL_SWAPS, len(_VOWEL_SWAPS)):
        if a in s.lower():
            i = s.lower().index(a)
            return s[:i] + b + s[i + len(a) :]
    return s


def _drop_word(s: str, rng: random.Random) -> str:
    words = s.split()
    if len(words) >= 3:  # a mirror drops a middle name or a connector, not its distinctive word
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        words.pop(rng.choice([i for i in range(len(words)) if i != longest]))
    return " ".join(words)


def _case(s: str, rng: random.Random) -> str:
    return rng.choice((str.upper, str.lower, str.title))(s)


EVASIONS = {
    "homoglyph": _homoglyph,
    "decorate": _decorate,
    "leet": _leet,
    "affix": _affix,
    "handle": _handle,
    "reorder": _reorder,
    "typo": _typo,
    "spelling": _spelling,
    "drop_word": _drop_word,
    "case": _case,
}
_ORDER = (
    "drop_word",
    "reorder",
    "spelling",
    "typo",
    "case",
    "leet",
    "homoglyph",
    "handle",
    "affix",
    "decorate",
)


def evade(name: str, rng: random.Random, k: int | None = None) -> tuple[str, tuple[str, ...]]:
    """A mirror's version of ``name``: 1 to 3 evasions applied in a realistic order."""
    picks = set(rng.sample(list(EVASIONS), k or rng.randint(1, 3)))
    out = name
    for kind in _ORDER:
        if kind in picks:
            out = EVASIONS[kind](out, rng)
    return out, tuple(k for k in _ORDER if k in picks)
