"""How rare a name word is: sharing "Muhammad", "Media" or "Pakistan" is weak evidence that two
accounts are one, sharing "Fulaani" is strong (Splink's term-frequency adjustment).

``TokenRarity`` counts, for each word, how many names contain it, in three populations:

- the **reference** (``service/data/name_reference.json``): Faker's company, city, country and
  account names (with the generic words of account names) for the locales where the banned groups'
  audiences live, and persons: half Faker's, half real personal names whose frequencies are fitted
  from a large population of real accounts (:mod:`service.scoring.name_population`);
- the **bank**: the banned accounts' names, added as accounts are banked (``BankContext``);
- optionally, **scored traffic** (:class:`service.scoring.name_traffic.NameTraffic`), mixed in
  with a weight by :meth:`TokenRarity.mix`, so that names common on the deployment's platform
  weigh less.

A word's weight is its surprise in bits, ``-log2 p``; spelling variants share a count through a
spelling key (``mohammed``, ``muhammad`` → ``mahamad``) and, at a quarter weight, a consonant key
(``محمد`` → ``mhmd``), so an unseen spelling of a common name is not mistaken for a rare one.
Rebuild the reference with ``python -m service.scoring.rarity`` (after
``python -m service.scoring.name_population`` when the real population is refitted).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from service.errors import InvalidInput
from service.normalize.names import NameForms, analyse_name
from service.normalize.translit import consonant_skeleton, spelling_key
from service.scoring.name_population import Population, bundled_population

MAX_BITS = 20.0
CONSONANT_POOLING = 0.25
_MIN_P_BY_LENGTH = {1: 0.05, 2: 0.005}  # initials and two-letter words are never rare evidence
_FORMAT = "mirrorscan.token-rarity/2"
_FORMATS = ("mirrorscan.token-rarity/1", _FORMAT)  # /1: integer counts
# Share of the reference's persons drawn from the real population (the rest: Faker's persons).
REAL_PERSONS_SHARE = 0.5
MIN_REFERENCE_COUNT = 0.1  # smaller pseudo-counts are within the smoothing and left out
# Words common in the names of accounts and organisations that person, company and place lists
# under-represent; the reference population gets "<place or surname> <word>" names built on them.
GENERIC_ACCOUNT_WORDS = (
    "media",
    "news",
    "tv",
    "official",
    "channel",
    "network",
    "updates",
    "live",
    "press",
    "radio",
    "times",
    "daily",
    "voice",
    "info",
    "online",
    "world",
    "global",
    "pakistan",
    "india",
    "afghanistan",
    "islam",
    "islamic",
    "muslim",
    "ummah",
    "urdu",
    "english",
    "pashto",
    "arabic",
    "group",
    "page",
    "team",
    "studio",
    "productions",
    "foundation",
    "center",
    "army",
    "front",
    "movement",
    "party",
    "force",
    "council",
    "association",
    "organization",
    "union",
    "federation",
    "society",
    "trust",
    "welfare",
    "youth",
    "students",
    "forum",
    "alliance",
    "league",
    "brigade",
)
# Faker draws first names uniformly from its lists, so the most common elements of South Asian and
# Arab names come out far rarer than they are (Muhammad: 1 name in ~800). These get a prior share
# of about 1 name in 50 in the reference population.
COMMON_NAME_WORDS = (
    "muhammad",
    "mohammad",
    "ahmed",
    "ali",
    "khan",
    "abdul",
    "abdullah",
    "hussain",
    "hassan",
    "syed",
    "shah",
    "malik",
    "abu",
    "bin",
    "ibn",
)
COMMON_NAME_SHARE = 1 / 50
REFERENCE_LOCALES = (
    "en_PK",
    "en_IN",
    "ar_AA",
    "ar_SA",
    "ar_EG",
    "ar_JO",
    "ar_PS",
    "fa_IR",
    "tr_TR",
    "en_US",
    "en_GB",
    "id_ID",
    "bn_BD",
    "hi_IN",
    "ru_RU",
    "az_AZ",
)


def _keys(forms: NameForms) -> set[str]:
    keys = set(forms.tokens)
    keys.update(a for a in forms.affixes if not a.isdigit())
    keys.update(f"s:{spelling_key(t)}" for t in forms.tokens if len(t) >= 4)
    keys.update(f"c:{c}" for c in forms.consonants if len(c) >= 3)
    return keys


class DocumentFrequencies(Protocol):
    """A population of names: the share of its names that contain a key (a word, ``s:`` spelling
    key or ``c:`` consonant key, as :func:`name_keys` makes them)."""

    @property
    def documents(self) -> float: ...

    def document_frequency(self, key: str) -> float: ...


def name_keys(forms: NameForms) -> set[str]:
    """The keys one analysed name is counted under."""
    return _keys(forms)


class TokenRarity:
    """Document frequencies of name words, with their weights in bits. Add names as accounts
    are added to the bank; serialise with :meth:`to_json` (populations mixed in with :meth:`mix`
    are not part of it)."""

    def __init__(self, counts: Mapping[str, float] | None = None, names: float = 0) -> None:
        self._counts: dict[str, float] = dict(counts) if counts is not None else {}
        self._names = float(names)
        self._mixed: list[tuple[DocumentFrequencies, float, float]] = []

    @property
    def names(self) -> float:
        return self._names

    @property
    def documents(self) -> float:
        return self._names

    def add(self, forms: NameForms) -> None:
        """Count one analysed name (each of its words once)."""
        if forms.empty:
            return
        for key in _keys(forms):
            self._counts[key] = self._counts.get(key, 0.0) + 1.0
        self._names += 1

    def add_names(self, names: Iterable[str]) -> None:
        for name in names:
            self.add(analyse_name(name))

    def remove(self, forms: NameForms) -> None:
        """Undo :meth:`add` for a name taken out of the bank."""
        if forms.empty:
            return
        for key in _keys(forms):
            left = self._counts.get(key, 0.0) - 1.0
            if left > 1e-9:
                self._counts[key] = left
            else:
                self._counts.pop(key, None)
        self._names = max(0.0, self._names - 1)

    def mix(self, population: DocumentFrequencies, weight: float, warmup: float = 0.0) -> None:
        """Mix another population in: a key's frequency becomes ``(1 - w) · own + w · theirs``,
        where ``w = weight · n / (n + warmup)`` for a population of ``n`` names, so that a
        population that has seen few names (traffic just after start) weighs little. The
        population is read at every lookup (it may keep changing)."""
        if not 0.0 <= weight < 1.0 or warmup < 0:
            raise InvalidInput(f"a mixed population needs 0 <= weight < 1, got {weight}")
        self._mixed.append((population, weight, warmup))

    def document_frequency(self, key: str) -> float:
        """Smoothed share of names containing ``key``, over every population mixed in."""
        p = (self._counts.get(key, 0.0) + 0.5) / (self._names + 1)
        for population, weight, warmup in self._mixed:
            n = population.documents
            w = weight * n / (n + warmup) if n > 0 else 0.0
            p = (1.0 - w) * p + w * population.document_frequency(key)
        return p

    def probability(self, token: str) -> float:
        """How likely a random name is to contain this word (or a spelling variant of it)."""
        p = self.document_frequency(token)
        if len(token) >= 4:
            p = max(p, self.document_frequency(f"s:{spelling_key(token)}"))
        consonants = consonant_skeleton(token)
        if len(consonants) >= 3:  # pools Arabic-script spellings, but also unrelated names
            p = max(p, CONSONANT_POOLING * self.document_frequency(f"c:{consonants}"))
        return min(1.0, max(p, _MIN_P_BY_LENGTH.get(len(token), 0.0)))

    def bits(self, token: str) -> float:
        """The evidence, in bits, of two names sharing this word: ``-log2 p``, at most 20."""
        return min(MAX_BITS, -math.log2(self.probability(token)))

    def to_json(self) -> str:
        counts = {k: _compact(v) for k, v in sorted(self._counts.items()) if v > 0}
        return json.dumps(
            {"format": _FORMAT, "names": _compact(self._names), "counts": counts},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> TokenRarity:
        try:
            data = json.loads(text)
            if data.get("format") not in _FORMATS:
                raise ValueError(f"format is {data.get('format')!r}, expected {_FORMAT!r}")
            counts = {str(k): float(v) for k, v in data["counts"].items()}
            names = float(data["names"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidInput(f"not a token-rarity table: {exc}") from exc
        if not all(math.isfinite(v) and v >= 0 for v in (names, *counts.values())):
            raise InvalidInput("not a token-rarity table: negative or non-finite counts")
        return cls(counts, names)


def _compact(v: float) -> float | int:
    r = round(v, 2)
    return int(r) if r == int(r) else r


def faker_names(per_locale: int = 3000, seed: int = 0) -> tuple[list[str], list[str]]:
    """A reproducible population of ordinary names from Faker's locales: persons (with the prior
    for common name words), and companies, cities, countries and accounts named with the generic
    words of account names."""
    from faker import Faker

    persons: list[str] = []
    others: list[str] = []
    for i, locale in enumerate(REFERENCE_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        persons.extend(fake.name() for _ in range(per_locale))
        others.extend(fake.company() for _ in range(per_locale // 10))
        others.extend(fake.city() for _ in range(per_locale // 10))
        others.extend(fake.country() for _ in range(per_locale // 30))
        others.extend(
            f"{fake.city() if j % 2 else fake.last_name()} "
            f"{GENERIC_ACCOUNT_WORDS[j % len(GENERIC_ACCOUNT_WORDS)]}"
            for j in range(per_locale // 3)
        )
    fake = Faker("en_PK")
    fake.seed_instance(seed)
    per_word = int((len(persons) + len(others)) * COMMON_NAME_SHARE)
    persons.extend(
        f"{word} {fake.last_name()}" for word in COMMON_NAME_WORDS for _ in range(per_word)
    )
    return persons, others


def reference_names(per_locale: int = 3000, seed: int = 0) -> list[str]:
    """Faker's part of the reference population, persons and others together."""
    persons, others = faker_names(per_locale, seed)
    return persons + others


REFERENCE_PATH = Path(__file__).resolve().parents[1] / "data" / "name_reference.json"


def population_frequencies(population: Population) -> dict[str, float]:
    """Share of full names (a first and a last name) containing each key: a person's first name
    is one entry of the first-name list, so a key's share among first names is the sum over the
    entries that have it; first and last names are taken as independent."""
    shares: list[dict[str, float]] = []
    for entries in (population.first, population.last):
        share: dict[str, float] = {}
        for entry, p in entries.items():
            for key in _keys(analyse_name(entry)):
                share[key] = share.get(key, 0.0) + p
        shares.append(share)
    first, last = shares
    return {
        k: 1.0 - (1.0 - min(1.0, first.get(k, 0.0))) * (1.0 - min(1.0, last.get(k, 0.0)))
        for k in first.keys() | last.keys()
    }


def build_reference(per_locale: int = 3000, seed: int = 0) -> TokenRarity:
    """Count the reference population (half a minute). Faker's organisations, places and account
    names keep their share of it; its persons' share is split between Faker's persons and the
    real population (:func:`population_frequencies` of the bundled table, as pseudo-counts)."""
    persons, others = faker_names(per_locale, seed)
    faker_persons, faker_others = TokenRarity(), TokenRarity()
    faker_persons.add_names(persons)
    faker_others.add_names(others)
    real_names = faker_persons.names * REAL_PERSONS_SHARE
    counts = dict(faker_others._counts)
    for key, n in faker_persons._counts.items():
        counts[key] = counts.get(key, 0.0) + (1 - REAL_PERSONS_SHARE) * n
    for key, p in population_frequencies(bundled_population()).items():
        counts[key] = counts.get(key, 0.0) + real_names * p
    counts = {k: v for k, v in counts.items() if v >= MIN_REFERENCE_COUNT}
    names = faker_persons.names + faker_others.names
    return TokenRarity.from_json(TokenRarity(counts, names).to_json())


@lru_cache(maxsize=1)
def _reference() -> TokenRarity:
    return TokenRarity.from_json(REFERENCE_PATH.read_text(encoding="utf-8"))


def reference_rarity() -> TokenRarity:
    """A fresh table holding the bundled reference population (``service/data``); add the bank's
    names to it. Regenerate the file with ``python -m service.scoring.rarity``."""
    ref = _reference()
    return TokenRarity(ref._counts, ref.names)


if __name__ == "__main__":
    REFERENCE_PATH.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE_PATH.write_text(build_reference().to_json() + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE_PATH}")
