"""How common a name word is among recently scored profiles: names common on the deployment's
platform weigh less, whatever the reference population says.

:class:`NameTraffic` keeps decayed document frequencies of the keys of the names it observes (the
same keys as :class:`~service.scoring.rarity.TokenRarity`: words, spelling keys, consonant keys),
in bounded memory, and serialises to a compact JSON document for the store:

- **Bounded** (frequent-items counting with batch eviction, after Misra–Gries): at most
  ``capacity`` keys are kept; when ``1.25 · capacity`` are held, the least counted are dropped down
  to ``capacity``. A key's count is what was observed since it last entered, a lower bound of its
  true (decayed) count; the largest count ever dropped, ``error``, bounds how far below it may be.
  Lower bounds err towards rarity: a word that is rare on the platform is never made common by
  eviction noise.
- **Decaying**: every observation weighs ``2^(1/half_life)`` times the one before, so a profile
  counts half as much after ``half_life`` more profiles. Stored counts grow and are rescaled when
  they get large; ratios are unaffected.

Mix it into a :class:`~service.scoring.rarity.TokenRarity` with
``rarity.mix(traffic, TRAFFIC_WEIGHT, TRAFFIC_WARMUP)``.

Intended call sites (not wired yet): the pipeline calls :meth:`NameTraffic.observe`
once per distinct scored profile (not per re-score of the same profile), *after* scoring and only
for profiles that end outside ``review`` and ``block`` (mirrors must not make the banned names they
copy common); ``BankContext`` holds one instance and mixes it into its rarity table under its write
lock; the store persists :meth:`to_json` periodically and at shutdown and restores it with
:meth:`from_json` at startup.
"""

from __future__ import annotations

import heapq
import json
import math

from service.errors import InvalidInput
from service.normalize.names import NameForms, analyse_name
from service.scoring.rarity import name_keys

FORMAT = "mirrorscan.name-traffic/1"
DEFAULT_CAPACITY = 50_000
DEFAULT_HALF_LIFE = 1_000_000.0  # profiles
TRAFFIC_WEIGHT = 0.25  # traffic's weight in the rarity mixture once warmed up
TRAFFIC_WARMUP = 10_000.0  # profiles at which traffic has half that weight
SLACK = 1.25
_RESCALE_AT = 2.0**40


class NameTraffic:
    """Bounded, decaying document frequencies of name keys in scored profiles."""

    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, half_life: float = DEFAULT_HALF_LIFE
    ) -> None:
        if capacity < 1 or not half_life > 0:
            raise InvalidInput("name traffic needs capacity >= 1 and half_life > 0")
        self.capacity = capacity
        self.half_life = float(half_life)
        self._counts: dict[str, float] = {}  # in units of the current increment's scale
        self._docs = 0.0
        self._error = 0.0
        self._increment = 1.0
        self._growth = 2.0 ** (1.0 / self.half_life)

    @property
    def documents(self) -> float:
        """Decayed number of profiles observed."""
        return self._docs / self._increment

    @property
    def error(self) -> float:
        """How far below its true decayed count any key's count may be (eviction)."""
        return self._error / self._increment

    def __len__(self) -> int:
        return len(self._counts)

    def observe(self, name: str) -> None:
        self.observe_forms(analyse_name(name))

    def observe_forms(self, forms: NameForms) -> None:
        """Count one profile's display name (each key once)."""
        if forms.empty:
            return
        self._increment *= self._growth
        inc = self._increment
        self._docs += inc
        for key in name_keys(forms):
            self._counts[key] = self._counts.get(key, 0.0) + inc
        if len(self._counts) >= SLACK * self.capacity:
            self._prune(self.capacity)
        if inc > _RESCALE_AT:
            self._rescale()

    def count(self, key: str) -> float:
        """Decayed number of profiles whose name had ``key`` (a lower bound)."""
        return self._counts.get(key, 0.0) / self._increment

    def document_frequency(self, key: str) -> float:
        return self._counts.get(key, 0.0) / self._docs if self._docs > 0 else 0.0

    def _prune(self, keep: int) -> None:
        if len(self._counts) <= keep:
            return
        kept = heapq.nlargest(keep, self._counts.items(), key=lambda kv: (kv[1], kv[0]))
        kept_keys = {k for k, _ in kept}
        dropped = max(v for k, v in self._counts.items() if k not in kept_keys)
        self._error = max(self._error, dropped)
        self._counts = dict(kept)

    def _rescale(self) -> None:
        s = self._increment
        self._counts = {k: v / s for k, v in self._counts.items()}
        self._docs /= s
        self._error /= s
        self._increment = 1.0

    def to_json(self) -> str:
        """At most ``capacity`` keys, counts in current units."""
        self._prune(self.capacity)
        self._rescale()
        return json.dumps(
            {
                "format": FORMAT,
                "capacity": self.capacity,
                "half_life": self.half_life,
                "documents": self._docs,
                "error": self._error,
                "counts": dict(sorted(self._counts.items())),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> NameTraffic:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
            table = cls(int(data["capacity"]), float(data["half_life"]))
            counts = {str(k): float(v) for k, v in data["counts"].items()}
            docs, error = float(data["documents"]), float(data["error"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidInput(f"not a name-traffic table: {exc}") from exc
        values = (docs, error, *counts.values())
        if not all(math.isfinite(v) and v >= 0 for v in values) or len(counts) > table.capacity:
            raise InvalidInput("not a name-traffic table: bad counts or over capacity")
        if any(v > docs * (1 + 1e-9) for v in counts.values()):
            raise InvalidInput("not a name-traffic table: a key counted in more names than seen")
        table._counts, table._docs, table._error = counts, docs, error
        return table
