"""How evaders rewrite a banned account's name, handle and bio, written independently of the
normalisation code (a generator that reused the normaliser's tables would only test itself).
Every transform takes a seeded ``random.Random``; the same seed gives the same data."""

from __future__ import annotations

import random
import re
import unicodedata

# look-alikes from other scripts (Cyrillic, Greek, Armenian) and Latin tricks seen in the wild
HOMOGLYPHS = {
    "a": "аɑα", "c": "сϲ", "e": "еℯ", "i": "іɩ", "j": "ј", "o": "оοօ", "p": "рρ", "s": "ѕ",
    "x": "хχ", "y": "уγ", "h": "һ", "k": "κ", "n": "ո", "u": "υս", "v": "ν", "w": "ԝ",
    "A": "АΑ", "B": "ВΒ", "C": "С", "E": "ЕΕ", "H": "НΗ", "I": "ІΙl1", "K": "КΚ", "M": "МΜ",
    "N": "Ν", "O": "ОΟ0", "P": "РΡ", "S": "Ѕ", "T": "ТΤ", "X": "ХΧ", "Y": "ҮΥ", "l": "I1|",
}  # fmt: skip
MULTI = {"m": "rn", "w": "vv", "d": "cl"}
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "g": "9", "b": "8"}
EMOJI = ("🔴", "✅", "🇵🇰", "🇦🇫", "⚔️", "🏴", "🔥", "✊", "📢", "🌙", "☝️", "💯")
SYMBOLS = ("★", "✪", "◆", "|", "•", "»", "™", "【", "】", "︻デ═一")
HANDLE_SUFFIXES = (
    "2", "_2", "3", "_official", "official", "_backup", "backup", "_new", "new", "_tv", "tv",
    "_news", "_media", "1", "786", "_pk", "_ur", "_real", "x", "_",
)  # fmt: skip
HANDLE_PREFIXES = ("real_", "the_", "official_", "new_", "its_", "im_", "_")
NAME_SUFFIXES = (" 2", " Official", " (Backup)", " New", " TV", " News", " ✓", " - Backup",
                 " Official Account", " 2.0", " Media")  # fmt: skip
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060")
# Unicode "styled" alphabets: mathematical bold, italic, bold script, double-struck,
# monospace, sans bold, fullwidth, circled
_STYLES = (0x1D400, 0x1D434, 0x1D4D0, 0x1D538, 0x1D670, 0x1D5D4)
_DOUBLE_STRUCK_GAPS = {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"}


def homoglyph(text: str, rng: random.Random, n: int | None = None) -> str:
    chars = list(text)
    spots = [i for i, ch in enumerate(chars) if ch in HOMOGLYPHS or ch in MULTI]
    rng.shuffle(spots)
    for i in spots[: n or rng.randint(1, 3)]:
        ch = chars[i]
        if ch in MULTI and (ch not in HOMOGLYPHS or rng.random() < 0.5):
            chars[i] = MULTI[ch]
        else:
            chars[i] = rng.choice(HOMOGLYPHS[ch])
    return "".join(chars)


def leet(text: str, rng: random.Random) -> str:
    return "".join(LEET[c] if c in LEET and rng.random() < 0.6 else c for c in text)


def styled(text: str, rng: random.Random) -> str:
    """Mathematical alphanumerics, fullwidth or circled letters."""
    kind = rng.randrange(len(_STYLES) + 2)
    out = []
    for ch in text:
        if not ("a" <= ch.lower() <= "z") or not ch.isascii():
            out.append(ch)
        elif kind == len(_STYLES):  # fullwidth
            out.append(chr(ord(ch) - 0x21 + 0xFF01))
        elif kind == len(_STYLES) + 1:  # circled
            out.append(chr((0x24B6 if ch.isupper() else 0x24D0) + ord(ch.lower()) - ord("a")))
        else:
            base = _STYLES[kind]
            if base == 0x1D538 and ch in _DOUBLE_STRUCK_GAPS:
                out.append(_DOUBLE_STRUCK_GAPS[ch])
                continue
            offset = ord(ch) - ord("A") if ch.isupper() else 26 + ord(ch) - ord("a")
            glyph = chr(base + offset)
            out.append(glyph if unicodedata.name(glyph, "") else ch)
    return "".join(out)


def decorate(text: str, rng: random.Random) -> str:
    if rng.random() < 0.6:
        text = styled(text, rng)
    deco = rng.choice(EMOJI + SYMBOLS)
    where = rng.randrange(3)
    return (
        f"{deco} {text}"
        if where == 0
        else f"{text} {deco}"
        if where == 1
        else f"{deco}{text}{deco}"
    )


def zero_width(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(ZERO_WIDTH))
    return "".join(chars)


def typo(text: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text + text[-1:]
    i = rng.choice(letters[1:-1])
    op = rng.randrange(4)
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + text[i] + text[i:]
    if op == 2 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    vowels = "aeiou"
    if text[i].lower() in vowels:
        return text[:i] + rng.choice(vowels.replace(text[i].lower(), "")) + text[i + 1 :]
    return text[:i] + text[i] * 2 + text[i + 1 :]


def separators(text: str, rng: random.Random) -> str:
    tokens = re.split(r"[\s_.\-]+", text.strip())
    sep = rng.choice(["", "_", ".", "-", " ", "__"])
    if rng.random() < 0.3:
        tokens = [t.capitalize() for t in tokens]
    return sep.join(t for t in tokens if t)


def recase(text: str, rng: random.Random) -> str:
    return rng.choice([text.lower(), text.upper(), text.title(), text.swapcase()])


def reorder(text: str, rng: random.Random) -> str:
    tokens = text.split()
    if len(tokens) < 2:
        return text
    rng.shuffle(tokens)
    return " ".join(tokens)


def acronym(text: str) -> str:
    words = [w for w in re.split(r"[\s\-_]+", text) if w and w[0].isalpha()]
    small = {"e", "i", "ul", "al", "of", "the", "and", "wa", "ud", "ut", "fi", "el"}
    letters = [w[0].upper() for w in words if w.lower() not in small]
    return "".join(letters) if len(letters) >= 2 else text


def handle_of(name: str, rng: random.Random, max_len: int = 15) -> str:
    """A handle a person would pick for a name: ASCII, joined, maybe truncated."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    tokens = [t.lower() for t in re.findall(r"[A-Za-z0-9]+", ascii_name)]
    if not tokens:
        return f"user{rng.randrange(10**6)}"
    style = rng.randrange(4)
    if style == 0:
        handle = "_".join(tokens)
    elif style == 1:
        handle = "".join(tokens)
    elif style == 2 and len(tokens) > 1:
        handle = acronym(" ".join(tokens)).lower() + "_" + tokens[-1]
    else:
        handle = tokens[0] + (tokens[1][:1] if len(tokens) > 1 else "") + str(rng.randrange(100))
    return handle[:max_len].strip("_") or tokens[0][:max_len]


def handle_affix(handle: str, rng: random.Random) -> str:
    if rng.random() < 0.7:
        return (handle + rng.choice(HANDLE_SUFFIXES))[:30]
    return (rng.choice(HANDLE_PREFIXES) + handle)[:30]


def handle_sequel(handle: str, rng: random.Random) -> str:
    """The next handle in a series, as re-created accounts take it: a trailing number is
    incremented with its padding kept (``abc040`` -> ``abc041``, ``reporter1`` -> ``reporter2``),
    otherwise a number or a word is appended (``_2``, ``2``, ``new``, ``backup``, ``official``)."""
    m = re.search(r"(\d+)$", handle)
    if m and rng.random() < 0.85:
        digits = m.group(1)
        step = rng.choice([1, 1, 1, 2, 3])
        return handle[: m.start()] + str(int(digits) + step).zfill(len(digits))
    return (handle + rng.choice(["2", "_2", "1", "_1", "3", "new", "_new", "backup", "_official",
                                 "_real", "02"]))[:30]  # fmt: skip


def name_affix(name: str, rng: random.Random) -> str:
    return name + rng.choice(NAME_SUFFIXES)


def transliterate_to_urdu(name: str, table: dict[str, str]) -> str | None:
    """Token by token through the Dakshina lexicon (Roman -> Urdu); None when too few tokens
    are known to make a believable Urdu rendering."""
    tokens = re.findall(r"[A-Za-z]+", name)
    if not tokens:
        return None
    out = [table.get(t.casefold()) for t in tokens]
    known = sum(1 for t in out if t)
    if known < max(1, (len(tokens) + 1) // 2):
        return None
    return " ".join(t if t else tok for t, tok in zip(out, tokens, strict=True))
