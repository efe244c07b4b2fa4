"""A reference population of real personal names, so that a name word is evidence in proportion to
its rarity among real people rather than among Faker's uniformly drawn lists.

Source: the ``names-dataset`` package (3.3.1, Apache-2.0; an offline build dependency, the
``reference`` extra). For ~100 countries it ranks first and last names by popularity among a very
large population of real accounts, and for each name gives the share of its bearers in each of the
ten countries that hold most of them. It has no counts, and no Pakistan.

From ranks to frequencies (the assumptions):

- **Zipf–Mandelbrot per country**: the bearers of the name at rank ``r`` in country ``c`` number
  ``A_c · (r + b)^-s_c``. ``s_c`` and ``A_c`` are fitted by least squares on the names ranked in two
  countries, whose shares of the name's bearers are in the ratio of those counts:
  ``log(share_1 / share_2) = log A_1 - s_1 log(r_1 + b) - log A_2 + s_2 log(r_2 + b)``.
  Each decade of rank weighs the same in the fit, so that the head, where the common names are,
  counts as much as the long tail. The offset ``b`` (the flatter head of real name lists) is the
  one of ``MANDELBROT_OFFSETS`` with the smallest residual; the fit's exponents and residuals are
  written into the table.
- **The tail**: beyond its last listed rank ``N_c`` a country's law goes on to ``TAIL_FACTOR · N_c``
  distinct names; a listed name's frequency is its share of that whole mass (changing the factor
  from 4 to 10 moves a listed name by less than 0.3 bits).
- **Names past the cut-off**: a name not ranked in a country but with a share there (Mehsud in
  Saudi Arabia) gets the count its shares imply from the countries where it is ranked.
- **Listed in ten countries only**: a name is ranked, and its share given, only in the ten
  countries with most of its bearers, so a widespread name is missing from smaller countries'
  lists (Muhammad is not ranked in Afghanistan, Ali not in Qatar). Where a name's listing was cut
  at ten, a country left out takes the (geometric) mean frequency of the name in the countries of
  its region (``REGIONS``: the Gulf states; Iraq, Egypt and Jordan; the UK and the US) where it
  is known, at most what the tenth country's share allows, and these names are added to the
  country's people. Elsewhere (Afghanistan, India, Bangladesh) the mixture gets such names from
  the other countries (Afghanistan's lists have Muhammad in Arabic script).

The mixture (``COUNTRY_WEIGHTS``) approximates the audiences of Pakistan-related groups. Pakistan is
missing; its names are carried by the Pakistani and wider South Asian populations of the Gulf
states and by Afghanistan (Pashtun and Baloch names shared with Khyber Pakhtunkhwa and
Balochistan); India and Bangladesh stand for South Asian Muslim names and Kashmir-focused groups'
audiences; the UK and the US for the diaspora; Iraq, Egypt and Jordan add Arabic-script spellings.
Iran is left out: its list in this dataset is mixed with Czech names (Petr, Jana, Tomáš).

The table written (``service/data/name_population.json``) holds, per name as written in the dataset
(Latin or Arabic script), the share of people in the mixture whose first name, and whose last name,
it is. ``service.scoring.rarity`` turns it into name-word document frequencies with the current name
analysis. Rebuild (a few minutes, ~3 GB of memory)::

    pip install -e '.[reference]'
    python -m service.scoring.name_population
    python -m service.scoring.rarity
"""

from __future__ import annotations

import gzip
import importlib.util
import itertools
import json
import math
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from service.errors import InvalidInput

FORMAT = "mirrorscan.name-population/1"
POPULATION_PATH = Path(__file__).resolve().parents[1] / "data" / "name_population.json"
KINDS = ("first", "last")
COUNTRY_WEIGHTS: dict[str, float] = {
    "AF": 0.24,  # Afghanistan
    "AE": 0.13,  # the Gulf states: large Pakistani and South Asian populations
    "SA": 0.13,
    "OM": 0.05,
    "QA": 0.04,
    "KW": 0.04,
    "BH": 0.02,
    "IN": 0.10,
    "BD": 0.08,
    "GB": 0.08,  # diaspora
    "US": 0.03,
    "IQ": 0.02,  # Arabic-script spellings
    "EG": 0.02,
    "JO": 0.02,
}
MANDELBROT_OFFSETS = (0.0, 3.0, 10.0, 30.0, 100.0)
TAIL_FACTOR = 10
MIN_FIT_SHARE = 0.01  # shares are given to 3 decimals: smaller ones are too coarse to fit on
MIN_PROPAGATE_SHARE = 0.005
MIN_SHARE_KEPT = 2e-6  # names rarer than this in the mixture are left out of the table

# Countries alike in the make-up of their population, for names missing from one of them.
REGIONS = (("AE", "SA", "OM", "QA", "KW", "BH"), ("IQ", "EG", "JO"), ("GB", "US"))
SHARES_LISTED = 10  # the dataset gives a name's shares in its ten countries with most bearers


@dataclass(frozen=True, slots=True)
class Listing:
    ranks: dict[str, int]  # rank by country (of the countries asked for)
    shares: dict[str, float]  # share of the name's bearers by country (of those asked for)
    floor: float  # share of the tenth country listed, when the listing was cut at ten; else 0


NameTable = dict[str, Listing]


@dataclass(frozen=True, slots=True)
class ZipfFit:
    offset: float
    exponent: dict[str, float]
    log_scale: dict[str, float]
    rmse: float  # rank-decade-weighted, in log share ratio
    pairs: int
    mean_residual_by_decade: list[float]  # ranks 1-9, 10-99, 100-999, 1000+


@dataclass(frozen=True, slots=True)
class Population:
    """Shares of people whose first (last) name is each name; see the module docstring."""

    first: dict[str, float]
    last: dict[str, float]
    meta: dict[str, Any]


def _dataset_dir() -> Path:
    spec = importlib.util.find_spec("names_dataset")
    if spec is None or spec.origin is None:
        raise InvalidInput(
            "building the name population needs names-dataset: pip install -e '.[reference]'"
        )
    return Path(spec.origin).parent / "v3"


def load_names_dataset(kind: str, countries: tuple[str, ...]) -> NameTable:
    """The names ranked in at least one of ``countries`` (the package's own pickle, trusted)."""
    with gzip.open(_dataset_dir() / f"{kind}_names.pkl.gz") as f:
        raw: dict[str, dict[str, Any]] = pickle.load(f)  # noqa: S301
    out: NameTable = {}
    for name, info in raw.items():
        ranks = {c: int(r) for c, r in info["rank"].items() if r is not None and c in countries}
        if ranks:
            every = {str(c): float(v) for c, v in info["country"].items()}
            shares = {c: v for c, v in every.items() if c in countries}
            floor = min(every.values()) if len(every) >= SHARES_LISTED else 0.0
            out[name] = Listing(ranks, shares, floor)
    return out


def _fit_offset(table: NameTable, countries: tuple[str, ...], offset: float) -> ZipfFit:
    index = {c: i for i, c in enumerate(countries)}
    rows: list[tuple[int, int, float, float, float, int]] = []
    for listing in table.values():
        ranks, shares = listing.ranks, listing.shares
        listed = [c for c in countries if c in ranks and shares.get(c, 0.0) >= MIN_FIT_SHARE]
        for c1, c2 in itertools.combinations(listed, 2):
            rows.append(
                (
                    index[c1],
                    index[c2],
                    math.log(ranks[c1] + offset),
                    math.log(ranks[c2] + offset),
                    math.log(shares[c1] / shares[c2]),
                    min(ranks[c1], ranks[c2]),
                )
            )
    data = np.array(rows, dtype=np.float64)
    k, n = len(countries), len(rows)
    i1, i2 = data[:, 0].astype(int), data[:, 1].astype(int)
    x = np.zeros((n, 2 * k))
    at = np.arange(n)
    np.add.at(x, (at, i1), 1.0)
    np.add.at(x, (at, i2), -1.0)
    np.add.at(x, (at, k + i1), -data[:, 2])
    np.add.at(x, (at, k + i2), data[:, 3])
    x[:, 0] = 0.0  # scales are relative to the first country's
    # each decade of rank (of the pair's better-ranked name) weighs the same: the few names at
    # the head, where the common names are, count as much as the long tail
    decade = np.minimum(np.floor(np.log10(data[:, 5] + 0.5)), 3).astype(int)
    weight = 1.0 / np.bincount(decade, minlength=4)[decade]
    root = np.sqrt(weight / weight.sum())
    coef, *_ = np.linalg.lstsq(x * root[:, None], data[:, 4] * root, rcond=None)
    residual = data[:, 4] - x @ coef
    rmse = float(np.sqrt(np.sum(weight * residual**2) / weight.sum()))
    by_decade = [float(np.mean(residual[decade == d])) for d in range(4)]
    return ZipfFit(
        offset,
        {c: float(coef[k + i]) for c, i in index.items()},
        {c: float(coef[i]) for c, i in index.items()},
        rmse,
        n,
        by_decade,
    )


def fit_zipf(table: NameTable, countries: tuple[str, ...]) -> ZipfFit:
    """Per-country exponents and scales on a common scale; the offset with the best residual."""
    return min((_fit_offset(table, countries, b) for b in MANDELBROT_OFFSETS), key=lambda f: f.rmse)


def _law_mass(s: float, b: float, first: int, last: int) -> float:
    r = np.arange(first, last + 1, dtype=np.float64)
    return float(np.sum((r + b) ** -s))


def country_shares(table: NameTable, fit: ZipfFit) -> dict[str, dict[str, float]]:
    """country -> name -> share of the country's people bearing the name."""
    countries = tuple(fit.exponent)
    listed = {
        c: max((n.ranks[c] for n in table.values() if c in n.ranks), default=0) for c in countries
    }
    total = {
        c: math.exp(fit.log_scale[c]) * _law_mass(fit.exponent[c], fit.offset, 1, TAIL_FACTOR * n)
        for c, n in listed.items()
    }

    def count(c: str, rank: int) -> float:
        return math.exp(fit.log_scale[c]) * math.pow(rank + fit.offset, -fit.exponent[c])

    def implied(listing: Listing, share: float) -> float | None:
        """The count in a country where the name has ``share`` of its bearers."""
        logs = [
            math.log(count(o, r) * share / listing.shares[o])
            for o, r in listing.ranks.items()
            if listing.shares.get(o, 0.0) >= MIN_PROPAGATE_SHARE
        ]
        return math.exp(sum(logs) / len(logs)) if logs else None

    out: dict[str, dict[str, float]] = {c: {} for c in countries}
    imputed: dict[str, dict[str, float]] = {c: {} for c in countries}
    for name, listing in table.items():
        for c, rank in listing.ranks.items():
            out[c][name] = count(c, rank) / total[c]
        for c, share in listing.shares.items():
            if c not in listing.ranks and share >= MIN_PROPAGATE_SHARE:
                n = implied(listing, share)
                if n is not None:
                    out[c][name] = n / total[c]
        if listing.floor <= 0:
            continue
        for region in REGIONS:
            known = [out[c][name] for c in region if c in out and name in out[c]]
            for c in region:
                if c in countries and c not in listing.shares and known:
                    bound = implied(listing, listing.floor)
                    n = min(math.exp(sum(map(math.log, known)) / len(known)) * total[c], bound or 0)
                    if n > 0:
                        imputed[c][name] = n
    for c in countries:  # imputed names add to the country's people
        extra = sum(imputed[c].values())
        scale = total[c] / (total[c] + extra)
        out[c] = {n: p * scale for n, p in out[c].items()}
        out[c].update({n: v / (total[c] + extra) for n, v in imputed[c].items()})
    return out


def mix(
    per_country: Mapping[str, Mapping[str, float]], weights: Mapping[str, float]
) -> dict[str, float]:
    out: dict[str, float] = {}
    norm = sum(weights[c] for c in per_country)
    for c, shares in per_country.items():
        w = weights[c] / norm
        for name, p in shares.items():
            out[name] = out.get(name, 0.0) + w * p
    return out


def _round(p: float) -> float:
    return float(f"{p:.3g}")


def build_population(weights: Mapping[str, float] = COUNTRY_WEIGHTS) -> Population:
    countries = tuple(weights)
    kinds: dict[str, dict[str, float]] = {}
    meta: dict[str, Any] = {
        "source": "names-dataset 3.3.1 (Apache-2.0), first_names/last_names ranks and shares",
        "weights": dict(weights),
        "tail_factor": TAIL_FACTOR,
        "min_share_kept": MIN_SHARE_KEPT,
    }
    for kind in KINDS:
        table = load_names_dataset(kind, countries)
        fit = fit_zipf(table, countries)
        shares = country_shares(table, fit)
        mixed = mix(shares, weights)
        kinds[kind] = {n: _round(p) for n, p in sorted(mixed.items()) if p >= MIN_SHARE_KEPT}
        meta[f"{kind}_fit"] = {
            "offset": fit.offset,
            "rmse_log_share_ratio": round(fit.rmse, 4),
            "pairs": fit.pairs,
            "mean_residual_by_rank_decade": [round(r, 3) for r in fit.mean_residual_by_decade],
            "exponent": {c: round(s, 3) for c, s in fit.exponent.items()},
            "listed_share": {c: round(sum(v.values()), 3) for c, v in shares.items()},
        }
    return Population(kinds["first"], kinds["last"], meta)


def to_json(population: Population) -> str:
    return json.dumps(
        {
            "format": FORMAT,
            "meta": population.meta,
            "first": population.first,
            "last": population.last,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def from_json(text: str) -> Population:
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
        first = {str(k): float(v) for k, v in data["first"].items()}
        last = {str(k): float(v) for k, v in data["last"].items()}
        meta = dict(data.get("meta", {}))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"not a name population: {exc}") from exc
    if any(not 0.0 <= v <= 1.0 for v in itertools.chain(first.values(), last.values())):
        raise InvalidInput("not a name population: shares outside [0, 1]")
    return Population(first, last, meta)


@lru_cache(maxsize=1)
def bundled_population() -> Population:
    """The committed table (``service/data/name_population.json``)."""
    return from_json(POPULATION_PATH.read_text(encoding="utf-8"))


if __name__ == "__main__":
    population = build_population()
    POPULATION_PATH.write_text(to_json(population) + "\n", encoding="utf-8")
    print(json.dumps(population.meta, indent=1))
    print(f"wrote {POPULATION_PATH}: {len(population.first)} first, {len(population.last)} last")
