"""Name frequencies of scored traffic: bounded, decaying, serialisable, and mixed into rarity."""

from __future__ import annotations

import json
import math
import random

import pytest

from service.errors import InvalidInput
from service.scoring.name_traffic import FORMAT, NameTraffic
from service.scoring.rarity import TokenRarity, reference_rarity


def _random_name(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(4))


def test_counts_document_frequencies_once_per_name() -> None:
    traffic = NameTraffic(capacity=100, half_life=1e12)
    for name in ("Imran Khan", "Khan Khan", "Ali Raza", "Imran Ali"):
        traffic.observe(name)
    assert traffic.documents == pytest.approx(4)
    assert traffic.count("khan") == pytest.approx(2)
    assert traffic.document_frequency("imran") == pytest.approx(0.5)
    assert traffic.document_frequency("fulaani") == 0.0


def test_memory_is_bounded_and_frequent_words_survive() -> None:
    rng = random.Random(0)
    traffic = NameTraffic(capacity=200, half_life=1e12)
    for i in range(5000):
        traffic.observe(f"Muhammad {_random_name(rng)}" if i % 2 else _random_name(rng))
        assert len(traffic) < 1.25 * 200
    assert traffic.document_frequency("muhammad") == pytest.approx(0.5, abs=0.01)
    assert traffic.error > 0
    rare = _random_name(random.Random(99))
    assert traffic.document_frequency(rare) <= traffic.error / traffic.documents + 1e-9
    assert len(json.loads(traffic.to_json())["counts"]) <= 200


def test_old_profiles_decay() -> None:
    traffic = NameTraffic(capacity=1000, half_life=100)
    for _ in range(100):
        traffic.observe("Imran Khan")
    for _ in range(100):
        traffic.observe("Ali Raza")
    # the first hundred weigh half as much as the last hundred
    assert traffic.document_frequency("imran") == pytest.approx(1 / 3, abs=0.01)
    assert traffic.document_frequency("raza") == pytest.approx(2 / 3, abs=0.01)


def test_counts_stay_finite_over_long_streams() -> None:
    traffic = NameTraffic(capacity=50, half_life=10)
    for i in range(3000):
        traffic.observe(f"Name{i % 7} Khan")
    assert traffic.document_frequency("khan") == pytest.approx(1.0)
    assert 0 < traffic.documents < 20


def test_round_trips_through_json() -> None:
    rng = random.Random(1)
    traffic = NameTraffic(capacity=64, half_life=500)
    for _ in range(700):
        traffic.observe(f"{_random_name(rng)} Khan")
    text = traffic.to_json()
    restored = NameTraffic.from_json(text)
    assert restored.to_json() == text
    assert restored.documents == pytest.approx(traffic.documents)
    assert restored.error == pytest.approx(traffic.error)
    for key in ("khan", "s:kan", "fulaani"):
        assert restored.document_frequency(key) == pytest.approx(traffic.document_frequency(key))
    restored.observe("Imran Khan")  # keeps counting after a restore
    assert restored.document_frequency("imran") > 0


def _table(**fields: object) -> str:
    base: dict[str, object] = {
        "format": FORMAT,
        "capacity": 2,
        "half_life": 10,
        "documents": 1,
        "error": 0,
        "counts": {},
    }
    return json.dumps(base | fields)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"format": "other"}',
        _table(counts={"a": 1, "b": 1, "c": 1}),  # over capacity
        _table(counts={"a": 5}),  # in more names than seen
        _table(documents=-1),
        _table(capacity=0),
    ],
)
def test_broken_tables_are_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput):
        NameTraffic.from_json(text)


def test_traffic_makes_platform_common_names_weigh_less() -> None:
    rarity = reference_rarity()
    before = rarity.bits("zarkhel")
    traffic = NameTraffic(capacity=1000)
    rarity.mix(traffic, weight=0.25, warmup=100)
    assert rarity.bits("zarkhel") == before  # an empty population weighs nothing
    for i in range(400):
        traffic.observe("Zarkhel Gul" if i % 4 == 0 else "Imran Ali")
    assert rarity.bits("zarkhel") < before - 8
    # a word the traffic never saw gets only slightly rarer: the reference's share shrinks to
    # 1 - 0.25 * 400 / (400 + 100)
    assert rarity.bits("qzorvath") == pytest.approx(
        min(20.0, reference_rarity().bits("qzorvath") - math.log2(0.8))
    )


def test_mixing_refuses_bad_weights() -> None:
    with pytest.raises(InvalidInput):
        TokenRarity().mix(NameTraffic(), weight=1.0)
