"""Evidence as a moderator reads it: one line per signal family, in the direction the family
adds up to, with the parts on request.

The scorer's ``Evidence`` (one per comparison feature, which the band policy reads) stays as it
is; this groups it for answers. A family's line carries the sum of its features' contributions
and one detail: the combined verdict where the family has one (the avatar's "same picture with
probability p", not its PDQ and embedding parts side by side), else the detail of the feature
that moved the family most in the direction of its sum, so a line never contradicts its own
sign. Families that add nothing are left out unless the full detail is asked for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.domain import Evidence

# names and handles are one family, as the band policy counts them
FAMILY = {"name": "name", "handle": "name", "identity": "identity", "avatar": "avatar",
          "bio": "bio", "links": "links"}  # fmt: skip
COMBINED = {"avatar": "avatar.match"}  # the family's own verdict, when present
ORDER = ("identity", "name", "links", "avatar", "bio")


def family_lines(evidence: Sequence[Evidence], *, full: bool = False) -> list[dict[str, Any]]:
    """``[{signal, contribution, detail}]`` per family, largest first; with ``full``, every
    family (zero ones too) with ``parts``: each feature's ``{feature, signal, contribution,
    detail}``."""
    groups: dict[str, list[Evidence]] = {}
    for e in evidence:
        groups.setdefault(FAMILY.get(e.signal, e.signal), []).append(e)
    lines = []
    for family, items in groups.items():
        total = round(sum(e.contribution for e in items), 4)
        if total == 0 and not full:
            continue
        line: dict[str, Any] = {
            "signal": family,
            "contribution": total,
            "detail": _detail(family, items, total),
        }
        if full:
            line["parts"] = [
                {"feature": e.feature, "signal": e.signal, "contribution": e.contribution,
                 "detail": e.detail}
                for e in items
            ]  # fmt: skip
        lines.append(line)
    rank = {f: i for i, f in enumerate(ORDER)}
    lines.sort(key=lambda x: (-abs(x["contribution"]), rank.get(x["signal"], 99)))
    return lines


def _detail(family: str, items: Sequence[Evidence], total: float) -> str:
    combined = COMBINED.get(family)
    chosen = next((e for e in items if e.feature == combined), None)
    if chosen is None:
        toward = [e for e in items if (e.contribution >= 0) == (total >= 0)] or list(items)
        chosen = max(toward, key=lambda e: abs(e.contribution))
    shared = next((e for e in items if e.feature == "avatar.shared"), None)
    if shared is not None and shared is not chosen:
        return f"{chosen.detail}; {shared.detail}"
    return chosen.detail
