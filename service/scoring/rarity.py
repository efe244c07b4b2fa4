"""How rare a name word is: sharing "Muhammad", "Media" or "Pakistan" is weak evidence that two
accounts are one, sharing "Fulaani" is strong (Splink's term-frequency adjustment).

``TokenRarity`` counts, for each word, how many names contain it: the bank's names plus a
reference population of ordinary names (Faker's person, company, city and country names for the
locales where the banned groups' audiences live). A word's weight is its surprise in bits,
``-log2 p``; spelling variants share a count through a spelling key (``mohammed``, ``muhammad``
→ ``mahamad``), so an unseen spelling of a common name is not mistaken for a rare one.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from service.errors import InvalidInput
from service.normalize.names import NameForms, analyse_name
from service.normalize.translit import consonant_skeleton, spelling_key

MAX_BITS = 20.0
CONSONANT_POOLING = 0.25
_MIN_P_BY_LENGTH = {1: 0.05, 2: 0.005}  # initials and two-letter words are never rare evidence
_FORMAT = "mirrorscan.token-rarity/1"
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


class TokenRarity:
    """Document frequencies of name words, with their weights in bits. Add names as accounts
    are added to the bank; serialise with :meth:`to_json`."""

    def __init__(self, counts: Counter[str] | None = None, names: int = 0) -> None:
        self._counts: Counter[str] = counts if counts is not None else Counter()
        self._names = names

    @property
    def names(self) -> int:
        return self._names

    def add(self, forms: NameForms) -> None:
        """Count one analysed name (each of its words once)."""
        if forms.empty:
            return
        self._counts.update(_keys(forms))
        self._names += 1

    def add_names(self, names: Iterable[str]) -> None:
        for name in names:
            self.add(analyse_name(name))

    def remove(self, forms: NameForms) -> None:
        """Undo :meth:`add` for a name taken out of the bank."""
        if forms.empty:
            return
        self._counts.subtract(_keys(forms))
        self._names = max(0, self._names - 1)

    def probability(self, token: str) -> float:
        """How likely a random name is to contain this word (or a spelling variant of it)."""
        total = self._names + 1
        p = (self._counts.get(token, 0) + 0.5) / total
        if len(token) >= 4:
            p = max(p, (self._counts.get(f"s:{spelling_key(token)}", 0) + 0.5) / total)
        consonants = consonant_skeleton(token)
        if len(consonants) >= 3:  # pools Arabic-script spellings, but also unrelated names
            p = max(p, CONSONANT_POOLING * (self._counts.get(f"c:{consonants}", 0) + 0.5) / total)
        return min(1.0, max(p, _MIN_P_BY_LENGTH.get(len(token), 0.0)))

    def bits(self, token: str) -> float:
        """The evidence, in bits, of two names sharing this word: ``-log2 p``, at most 20."""
        return min(MAX_BITS, -math.log2(self.probability(token)))

    def to_json(self) -> str:
        counts = {k: v for k, v in sorted(self._counts.items()) if v > 0}
        return json.dumps(
            {"format": _FORMAT, "names": self._names, "counts": counts},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> TokenRarity:
        try:
            data = json.loads(text)
            if data.get("format") != _FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, expected {_FORMAT!r}")
            counts = Counter({str(k): int(v) for k, v in data["counts"].items()})
            names = int(data["names"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidInput(f"not a token-rarity table: {exc}") from exc
        if names < 0 or any(v < 0 for v in counts.values()):
            raise InvalidInput("not a token-rarity table: negative counts")
        return cls(counts, names)


def reference_names(per_locale: int = 3000, seed: int = 0) -> list[str]:
    """A reproducible population of ordinary names: persons, companies, cities and countries
    from Faker's locales, plus the generic words of account names."""
    from faker import Faker

    out: list[str] = []
    for i, locale in enumerate(REFERENCE_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        out.extend(fake.name() for _ in range(per_locale))
        out.extend(fake.company() for _ in range(per_locale // 10))
        out.extend(fake.city() for _ in range(per_locale // 10))
        out.extend(fake.country() for _ in range(per_locale // 30))
        out.extend(
            f"{fake.city() if j % 2 else fake.last_name()} "
            f"{GENERIC_ACCOUNT_WORDS[j % len(GENERIC_ACCOUNT_WORDS)]}"
            for j in range(per_locale // 3)
        )
    fake = Faker("en_PK")
    fake.seed_instance(seed)
    per_word = int(len(out) * COMMON_NAME_SHARE)
    out.extend(f"{word} {fake.last_name()}" for word in COMMON_NAME_WORDS for _ in range(per_word))
    return out


REFERENCE_PATH = Path(__file__).resolve().parents[1] / "data" / "name_reference.json"


def build_reference(per_locale: int = 3000, seed: int = 0) -> TokenRarity:
    """Count the reference population (a few seconds: Faker and analysis of ~75k names)."""
    table = TokenRarity()
    table.add_names(reference_names(per_locale, seed))
    return table


@lru_cache(maxsize=1)
def _reference_json() -> str:
    return REFERENCE_PATH.read_text(encoding="utf-8")


def reference_rarity() -> TokenRarity:
    """A fresh table holding the bundled reference population (``service/data``); add the bank's
    names to it. Regenerate the file with ``python -m service.scoring.rarity``."""
    return TokenRarity.from_json(_reference_json())


if __name__ == "__main__":
    REFERENCE_PATH.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE_PATH.write_text(build_reference().to_json() + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE_PATH}")
