"""Evasion edits on names and handles, written for this generator: look-alike letters, styled
alphabets, invisible characters, decorations, leetspeak and separators."""

from __future__ import annotations

import random

from .util import chance, pick

# Latin letter -> Cyrillic or Greek look-alikes
HOMOGLYPHS: dict[str, str] = {
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "j": "ј",
    "o": "оο",
    "p": "р",
    "s": "ѕ",
    "x": "х",
    "y": "у",
    "h": "һ",
    "l": "ӏ",
    "A": "АΑ",
    "B": "ВΒ",
    "C": "С",
    "E": "ЕΕ",
    "H": "НΗ",
    "I": "ІΙ",
    "K": "КΚ",
    "M": "МΜ",
    "N": "Ν",
    "O": "ОΟ",
    "P": "РΡ",
    "T": "ТΤ",
    "X": "ХΧ",
    "Y": "ҮΥ",
    "Z": "Ζ",
    "J": "Ј",
    "S": "Ѕ",
}
# Urdu letters -> the Arabic code points that look the same
URDU_LOOKALIKES: dict[str, str] = {"ی": "ي", "ک": "ك", "ہ": "ه", "ے": "ي", "ھ": "ه"}

# (capital A, small a, digit 0) code points of complete styled alphabets
STYLED = {
    "bold": (0x1D400, 0x1D41A, 0x1D7CE),
    "bold_italic": (0x1D468, 0x1D482, None),
    "bold_script": (0x1D4D0, 0x1D4EA, None),
    "fraktur_bold": (0x1D56C, 0x1D586, None),
    "double": (None, None, 0x1D7D8),
    "sans_bold": (0x1D5D4, 0x1D5EE, 0x1D7EC),
    "sans_bold_italic": (0x1D63C, 0x1D656, None),
    "mono": (0x1D670, 0x1D68A, 0x1D7F6),
}
SMALL_CAPS = dict(zip("abcdefghijklmnopqrstuvwxyz", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡxʏᴢ", strict=True))
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
EMOJI = (
    "🦅",
    "🏴",
    "☝️",
    "🔥",
    "🌙",
    "✨",
    "⚔️",
    "📢",
    "🔴",
    "✅",
    "💚",
    "🖤",
    "🕌",
    "⭐",
    "🇵🇰",
    "💯",
    "🌹",
    "🦁",
    "🤍",
    "⚡",
    "📡",
    "🎙️",
    "👑",
    "🌿",
)
WRAPPERS = (
    ("꧁", "꧂"),
    ("『", "』"),
    ("【", "】"),
    ("★彡", "彡★"),
    ("• ", " •"),
    ("▪️", "▪️"),
    ("〖", "〗"),
    ("✦ ", " ✦"),
    ("亗 ", ""),
    ("", " ✓"),
    ("ˢʰᵃʰ ", ""),
    ("⚜️", "⚜️"),
)
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "g": "9", "b": "8", "l": "1"}
LEET_NAME = {**LEET, "a": "4@", "s": "5$", "i": "1!"}
HANDLE_LOOKALIKE = (
    ("m", "rn"),
    ("w", "vv"),
    ("l", "I"),
    ("I", "l"),
    ("o", "0"),
    ("0", "o"),
    ("i", "l"),
    ("1", "l"),
    ("d", "cl"),
    ("n", "r\u200bn"),
)


def styled(text: str, style: str) -> str:
    cap, small, digit = STYLED[style]
    out = []
    for ch in text:
        if "A" <= ch <= "Z" and cap is not None:
            out.append(chr(cap + ord(ch) - 65))
        elif "a" <= ch <= "z" and small is not None:
            out.append(chr(small + ord(ch) - 97))
        elif "0" <= ch <= "9" and digit is not None:
            out.append(chr(digit + ord(ch) - 48))
        else:
            out.append(ch)
    return "".join(out)


def fullwidth(text: str) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text
    )


def small_caps(text: str) -> str:
    return "".join(SMALL_CAPS.get(c.lower(), c) if c.isalpha() else c for c in text)


def homoglyphs(text: str, rng: random.Random, rate: float = 0.35) -> str:
    """Swap some letters for Cyrillic/Greek (Latin text) or Arabic (Urdu text) look-alikes."""
    out, swapped = [], 0
    for ch in text:
        alt = HOMOGLYPHS.get(ch) or URDU_LOOKALIKES.get(ch)
        if alt and chance(rng, rate):
            out.append(pick(rng, alt))
            swapped += 1
        else:
            out.append(ch)
    if not swapped:  # at least one swap, or the edit did nothing
        idx = [i for i, c in enumerate(text) if c in HOMOGLYPHS or c in URDU_LOOKALIKES]
        if idx:
            i = pick(rng, idx)
            out[i] = pick(rng, HOMOGLYPHS.get(text[i]) or URDU_LOOKALIKES[text[i]])
    return "".join(out)


def invisible(text: str, rng: random.Random, n: int = 2) -> str:
    chars = list(text)
    for _ in range(n):
        chars.insert(rng.randrange(1, max(2, len(chars))), pick(rng, INVISIBLE))
    return "".join(chars)


def urdu_tatweel(text: str, rng: random.Random) -> str:
    """Stretch an Urdu word with kashida, or add a harakat, as some evaders do."""
    joiners = [
        i for i, c in enumerate(text[:-1]) if "\u0620" <= c <= "\u06ff" and text[i + 1] != " "
    ]
    if not joiners:
        return text
    i = pick(rng, joiners)
    return text[: i + 1] + pick(rng, ("ـ", "ــ", "\u064e", "\u0651")) + text[i + 1 :]


def decorate(text: str, rng: random.Random) -> str:
    """Emoji or ornamental wrappers around a name."""
    roll = rng.random()
    if roll < 0.4:
        left, right = pick(rng, WRAPPERS)
        return f"{left}{text}{right}"
    e = pick(rng, EMOJI)
    if roll < 0.7:
        return f"{text} {e}" if chance(rng, 0.6) else f"{e} {text}"
    return f"{e}{text}{pick(rng, EMOJI)}"


def fancy(text: str, rng: random.Random) -> str:
    """One styled alphabet (mathematical letters, fullwidth or small capitals)."""
    roll = rng.random()
    if roll < 0.6:
        return styled(text, pick(rng, [k for k, v in STYLED.items() if v[0] is not None]))
    if roll < 0.8:
        return fullwidth(text)
    return small_caps(text)


def leet(text: str, rng: random.Random, rate: float = 0.5, table: dict[str, str] = LEET) -> str:
    out, done = [], 0
    for ch in text:
        sub = table.get(ch.lower())
        if sub and chance(rng, rate):
            out.append(pick(rng, sub))
            done += 1
        else:
            out.append(ch)
    if not done:
        idx = [i for i, c in enumerate(text) if c.lower() in table]
        if idx:
            i = pick(rng, idx)
            out[i] = pick(rng, table[text[i].lower()])
    return "".join(out)


def lookalike_handle(handle: str, rng: random.Random) -> str:
    """`ttp_media` -> `ttp_rnedia`, `bla_kech` -> `bIa_kech`: one visual confusion in a handle."""
    options = [(a, b) for a, b in HANDLE_LOOKALIKE if a in handle and "\u200b" not in b]
    if not options:
        return handle + pick(rng, ("_", "x", "0"))
    a, b = pick(rng, options)
    spots = [i for i in range(len(handle)) if handle.startswith(a, i)]
    i = pick(rng, spots)
    return handle[:i] + b + handle[i + len(a) :]


def separators(handle: str, rng: random.Random, allowed: str = "_.") -> str:
    """Insert, double or swap separators: `ttpmedia` -> `ttp.media`, `ttp__media`, `t_t_p_media`."""
    seps = [c for c in allowed if c]
    sep = pick(rng, seps)
    core = handle.replace(".", "_")
    parts = [p for p in core.split("_") if p]
    roll = rng.random()
    if len(parts) > 1 and roll < 0.4:
        return (sep * pick(rng, (1, 2, 2))).join(parts)
    if parts and len(parts[0]) <= 4 and roll < 0.7:
        return sep.join([*parts[0], *parts[1:]])
    if len(core) > 4:
        i = rng.randrange(2, len(core) - 1)
        return core[:i] + sep + core[i:]
    return core + sep
