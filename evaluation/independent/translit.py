"""Roman Urdu spellings, written for this generator: one Urdu word is typed many ways.

`vary("tehreek e taliban pakistan", rng)` gives "Tahrik-i-Taliban Pakistan", "tehreek e taliban
pak" and so on. `slug` turns any Latin text into handle material.
"""

from __future__ import annotations

import random
import re
import unicodedata

from .util import chance, pick

SPELLINGS: dict[str, tuple[str, ...]] = {
    "tehreek": ("tehreek", "tehrik", "tahreek", "tahrik", "tehreeq", "tahriik", "tehrek"),
    "taliban": ("taliban", "taliban", "taleban", "taaliban", "talibaan"),
    "pakistan": ("pakistan", "pakistan", "pakistaan", "pak"),
    "lashkar": ("lashkar", "lashkar", "lashker", "lashkr", "lashkaar"),
    "jhangvi": ("jhangvi", "jhangwi", "jhangavi", "jangvi"),
    "jaish": ("jaish", "jaish", "jaysh", "jeish", "jaiish"),
    "muhammad": ("muhammad", "mohammad", "mohammed", "muhammed", "mohamad"),
    "muhammadi": ("muhammadi", "mohammadi", "muhammdi"),
    "taiba": ("taiba", "tayyiba", "tayyaba", "toiba", "tayba"),
    "jamaat": ("jamaat", "jamat", "jama'at", "jamaa't", "jammat"),
    "ahrar": ("ahrar", "ahraar", "ahrar"),
    "dawa": ("dawa", "dawah", "daawa", "dawat"),
    "khorasan": ("khorasan", "khurasan", "khorassan", "khurasaan", "khorasaan", "khurasan"),
    "wilayat": ("wilayat", "wilayah", "vilayat", "velayat", "walayat"),
    "sipah": ("sipah", "sipa", "sepah", "sipaah"),
    "sahaba": ("sahaba", "sahabah", "sahaaba"),
    "harkat": ("harkat", "harakat", "harkaat"),
    "mujahideen": ("mujahideen", "mujahidin", "mujahedin", "mojahedin", "mujahedeen"),
    "jihad": ("jihad", "jehad", "jihaad"),
    "islami": ("islami", "islamee", "islamia"),
    "islam": ("islam", "islaam"),
    "nifaz": ("nifaz", "nafaz", "nifaaz", "nefaz"),
    "shariat": ("shariat", "shariah", "shariyat", "shariaat", "shariyat"),
    "labbaik": ("labbaik", "labaik", "labbayk", "labbaek", "labbaik"),
    "balochistan": ("balochistan", "baluchistan", "balochestan", "baluchestan", "balochistaan"),
    "baloch": ("baloch", "baluch", "balouch", "bloch"),
    "azad": ("azad", "azaad", "aazad"),
    "jeay": ("jeay", "jeeay", "jiye", "jeay"),
    "sindh": ("sindh", "sind", "sindh"),
    "sindhudesh": ("sindhudesh", "sindhudes", "sindhu-desh", "sindudesh"),
    "hizb": ("hizb", "hizab", "hezb"),
    "tahrir": ("tahrir", "tahreer", "tehrir", "tahrir"),
    "jundullah": ("jundullah", "jundallah", "jundulla"),
    "furqan": ("furqan", "furqaan", "forqan"),
    "zainabiyoun": ("zainabiyoun", "zainabiyun", "zeinabiyoun", "zainabiun", "zaynabiyoun"),
    "raji": ("raji", "raaji", "raji"),
    "aajoi": ("aajoi", "ajoi", "ajoyi", "aajoee"),
    "sangar": ("sangar", "sangr", "sangar"),
    "qaumi": ("qaumi", "qomi", "qoumi", "kaumi"),
    "mahaz": ("mahaz", "mahaaz", "mehaz"),
    "falah": ("falah", "falaah", "falah"),
    "insaniat": ("insaniat", "insaniyat", "insaaniyat"),
    "barr": ("barr", "bar"),
    "sagheer": ("sagheer", "saghir", "sagir"),
    "qaeda": ("qaeda", "qaida", "qaidah", "qaedah"),
}

IZAFAT = ("-e-", "-i-", " e ", " i ", "-e ", "e ", " ")
_ARTICLE = {
    "ul": ("-ul-", " ul ", "ul-", "-al-", " al "),
    "ut": ("-ut-", " ut ", "-ut ", " at "),
    "ud": ("-ud-", " ud ", "-ud ", " ad "),
    "al": (" al ", "-al-", " al-"),
}


def vary(roman: str, rng: random.Random, case: str | None = None) -> str:
    """One Roman spelling of a canonical Roman Urdu phrase."""
    izafat = pick(rng, IZAFAT)
    words = roman.split()
    out = ""
    for i, w in enumerate(words):
        if w == "e" and 0 < i < len(words) - 1:
            out += izafat
            continue
        if w in _ARTICLE and 0 < i < len(words) - 1:
            out += pick(rng, _ARTICLE[w])
            continue
        spelled = pick(rng, SPELLINGS[w]) if w in SPELLINGS else w
        if out and not out.endswith((" ", "-")):
            out += " "
        out += spelled
    out = re.sub(r"\s+", " ", out).strip(" -")
    return recase(out, case or pick(rng, ("title", "title", "title", "lower", "upper_first")))


def recase(text: str, case: str) -> str:
    if case == "lower":
        return text.lower()
    if case == "upper":
        return text.upper()
    if case == "upper_first":
        return text[:1].upper() + text[1:]
    return "-".join(
        " ".join(
            w if w in ("e", "i", "ul", "ut", "ud", "al") else w.capitalize()
            for w in part.split(" ")
        )
        for part in text.split("-")
    )


def slug(text: str, sep: str = "_") -> str:
    """Latin text to lower-case handle material: accents dropped, non-alphanumerics to `sep`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return sep.join(parts)


def initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z]+", text) if w[0].isupper()).lower()


def maybe_spell(word: str, rng: random.Random, p: float = 0.5) -> str:
    """A Roman word re-spelled with probability `p` when the table knows it."""
    key = word.lower()
    if key in SPELLINGS and chance(rng, p):
        return pick(rng, SPELLINGS[key])
    return word
