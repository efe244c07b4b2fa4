"""The real-name reference population: common names are common in any script, rare names rare,
and the rank-to-frequency fit recovers known laws."""

from __future__ import annotations

import math
import random

import pytest

from service.errors import InvalidInput
from service.normalize.names import analyse_name
from service.scoring.name_population import (
    COUNTRY_WEIGHTS,
    Listing,
    NameTable,
    Population,
    bundled_population,
    country_shares,
    fit_zipf,
    from_json,
    mix,
    to_json,
)
from service.scoring.rarity import TokenRarity, population_frequencies, reference_rarity
from tests.helpers.settings import shared_data


@pytest.fixture(scope="module")
def reference() -> TokenRarity:
    return reference_rarity()


def _bits(table: TokenRarity, name: str) -> float:
    return sum(table.bits(t) for t in analyse_name(name).tokens)


@pytest.mark.parametrize(
    "name",
    ["Muhammad", "Mohammed", "Ali", "Khan", "Ahmed", "Ahmad", "Hussain", "محمد", "احمد", "خان"],
)
def test_common_names_are_common_in_latin_and_arabic_script(
    reference: TokenRarity, name: str
) -> None:
    assert _bits(reference, name) < 8, name


@pytest.mark.parametrize("name", ["Baloch", "Yousafzai", "Wazir", "Mujahid", "Noor", "بلوچ"])
def test_south_asian_surnames_are_moderately_common(reference: TokenRarity, name: str) -> None:
    """Unseen in Faker's lists (17.6 bits before the real population), seen in real names."""
    assert 8 < _bits(reference, name) < 14.5, name


def test_a_rare_name_is_rare(reference: TokenRarity) -> None:
    assert _bits(reference, "Qzorvath") > 17
    assert _bits(reference, "Mehsud") > 15
    assert _bits(reference, "Mehsud") > _bits(reference, "Baloch") > _bits(reference, "Khan")


def test_a_common_full_name_carries_less_than_a_rare_one(reference: TokenRarity) -> None:
    assert _bits(reference, "Muhammad Ali Khan") + 8 < _bits(reference, "Fazlullah Mehsud")


def test_generic_account_words_keep_their_weight(reference: TokenRarity) -> None:
    for word in ("media", "news", "pakistan"):
        assert reference.bits(word) < 9, word


def test_bundled_population_is_a_valid_mixture() -> None:
    population = bundled_population()
    assert math.isclose(sum(population.meta["weights"].values()), 1.0)
    assert population.meta["weights"] == COUNTRY_WEIGHTS
    for entries in (population.first, population.last):
        assert 0.5 < sum(entries.values()) <= 1.0
        assert all(0 < p < 0.05 for p in entries.values())
    shares = population_frequencies(population)
    assert shares["s:mahamad"] > 0.01 and shares["khan"] > 0.01
    assert shares.get("fulaani", 0.0) == 0.0


def test_population_round_trips_and_refuses_broken_tables() -> None:
    population = Population({"Ali": 0.01}, {"Khan": 0.02}, {"source": "test"})
    assert from_json(to_json(population)) == population
    for text in ("", "{}", '{"format": "other"}', to_json(Population({"Ali": 2.0}, {}, {}))):
        with pytest.raises(InvalidInput):
            from_json(text)


def _synthetic_table(
    exponents: dict[str, float], scales: dict[str, float], offset: float, names: int, seed: int
) -> NameTable:
    """Countries whose name counts follow known Zipf–Mandelbrot laws over a shared vocabulary."""
    rng = random.Random(seed)
    order = {c: rng.sample(range(names), names) for c in exponents}
    counts = {
        c: {n: scales[c] * (r + 1 + offset) ** -exponents[c] for r, n in enumerate(order[c])}
        for c in exponents
    }
    table: NameTable = {}
    for n in range(names):
        per = {c: counts[c][n] for c in exponents}
        total = sum(per.values())
        ranks = {c: order[c].index(n) + 1 for c in exponents}
        table[f"n{n}"] = Listing(ranks, {c: round(v / total, 3) for c, v in per.items()}, 0.0)
    return table


def test_zipf_fit_recovers_known_exponents() -> None:
    """Oracle test: the cross-country fit on shares finds the laws the data were drawn from."""
    exponents = {"AA": 1.0, "BB": 1.3, "CC": 0.9}
    scales = {"AA": 1.0, "BB": 3.0, "CC": 0.5}
    table = _synthetic_table(exponents, scales, offset=10.0, names=1500, seed=1)
    fit = fit_zipf(table, tuple(exponents))
    for c, s in exponents.items():
        assert fit.exponent[c] == pytest.approx(s, abs=0.05), c
    assert fit.log_scale["BB"] - fit.log_scale["AA"] == pytest.approx(math.log(3.0), abs=0.3)
    shares = country_shares(table, fit)
    for c in exponents:
        assert 0.5 < sum(shares[c].values()) <= 1.0
        top = max(shares[c], key=shares[c].__getitem__)
        assert table[top].ranks[c] == 1


def test_mixture_weights_countries() -> None:
    mixed = mix({"AA": {"x": 0.1}, "BB": {"x": 0.3, "y": 0.2}}, {"AA": 0.75, "BB": 0.25})
    assert mixed == pytest.approx({"x": 0.15, "y": 0.05})


def test_banned_members_full_names_carry_bits_by_rarity(reference: TokenRarity) -> None:
    """On the UN list's individuals: names made only of very common words carry less evidence
    than the median listed name."""
    from benchmarks.name_data import load_un

    entries = load_un(shared_data("sanctions", "un_consolidated.xml"))
    names = [e.name for e in entries if e.kind == "individual" and len(e.name.split()) >= 2]
    bits = sorted(_bits(reference, n) for n in names)
    median = bits[len(bits) // 2]
    assert _bits(reference, "Muhammad Ali Khan") < median
    assert _bits(reference, "Fazlullah Mehsud") > _bits(reference, "Muhammad Ali Khan")
