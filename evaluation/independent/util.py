"""Small deterministic helpers shared by the generator's modules."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def rng_for(seed: int, *parts: object) -> random.Random:
    """A random stream fixed by the seed and a path of names (string seeds hash with SHA-512)."""
    return random.Random("|".join([str(seed), *map(str, parts)]))


def pick(rng: random.Random, items: Sequence[T], weights: Sequence[float] | None = None) -> T:
    """One item, uniformly or by weight."""
    if weights is None:
        return items[rng.randrange(len(items))]
    return rng.choices(items, weights=weights, k=1)[0]


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def apportion(total: int, weights: dict[str, float], minimum: int = 0) -> dict[str, int]:
    """Split `total` by weight with the largest-remainder rule; then lift any key below
    `minimum` (when the total allows it) by taking from the largest."""
    keys = list(weights)
    norm = sum(weights.values())
    raw = {k: total * weights[k] / norm for k in keys}
    out = {k: int(raw[k]) for k in keys}
    left = total - sum(out.values())
    for k in sorted(keys, key=lambda k: (raw[k] - int(raw[k]), k), reverse=True)[:left]:
        out[k] += 1
    if total >= minimum * len(keys):
        for k in keys:
            while out[k] < minimum:
                donor = max(keys, key=lambda j: (out[j], j))
                out[donor] -= 1
                out[k] += 1
    return out


def digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def alnum(rng: random.Random, n: int, alphabet: str = "") -> str:
    chars = alphabet or "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(rng.choice(chars) for _ in range(n))
