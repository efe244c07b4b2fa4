"""Evidence in plain sentences for the result page, grouped by signal family.

The scorer's evidence is one row per comparison feature, in the model's terms (Jaro-Winkler,
cosines, bits, log-odds). A moderator needs what those rows say together, per kind of signal:
"Same avatar, edited", "Same Telegram link", "Name written with look-alike letters". The
sentences here are read off the features that moved the score (their contribution's sign, not the
raw similarity, decides whether a signal counts for or against a mirror, so a sentence never
contradicts the number behind it); the rows themselves stay available behind a disclosure."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.domain import Evidence
from service.scoring.policy import FAMILY_OF_SIGNAL

# the order families are listed in when equally strong, and their headings
FAMILY_TITLES = {
    "identity": "Account identity",
    "names": "Name and handle",
    "avatar": "Avatar",
    "links": "Links and contacts",
    "bio": "Bio",
}
NOTABLE = 0.25  # log-odds: a feature that moved the score less than this says nothing alone
_QUOTED = re.compile(r"'([^']*)'")
_SHARED_WORDS = re.compile(r"'([^']+)'~'")


@dataclass(frozen=True, slots=True)
class Family:
    key: str  # identity, names, avatar, links, bio
    title: str
    sentences: tuple[str, ...]
    total: float  # the family's contributions added (log-odds)
    strength: str  # "strong", "moderate", "weak", "no"
    direction: str  # "for", "against", "none"
    rows: tuple[Evidence, ...]  # the features behind it, strongest first

    @property
    def summary(self) -> str:
        if self.direction == "none":
            return "says little either way"
        toward = "a mirror" if self.direction == "for" else "an unrelated account"
        return f"{self.strength} evidence of {toward}"


def families(evidence: Sequence[Evidence]) -> list[Family]:
    """The match's evidence per family, the family that moved the score most first."""
    grouped: dict[str, list[Evidence]] = {}
    for e in evidence:
        grouped.setdefault(FAMILY_OF_SIGNAL.get(e.signal, e.signal), []).append(e)
    out = []
    for key, rows in grouped.items():
        rows.sort(key=lambda e: -abs(e.contribution))
        total = sum(e.contribution for e in rows)
        sentences = tuple(_sentences(key, rows, total))
        out.append(
            Family(
                key=key,
                title=FAMILY_TITLES.get(key, key.capitalize()),
                sentences=sentences,
                total=total,
                strength=_strength(total),
                direction=_direction(total),
                rows=tuple(rows),
            )
        )
    order = list(FAMILY_TITLES)
    out.sort(key=lambda f: (-abs(f.total), order.index(f.key) if f.key in order else 99))
    return out


def _strength(total: float) -> str:
    size = abs(total)
    if size >= 3.0:
        return "strong"
    if size >= 1.0:
        return "moderate"
    if size >= NOTABLE:
        return "weak"
    return "no"


def _direction(total: float) -> str:
    if abs(total) < NOTABLE:
        return "none"
    return "for" if total > 0 else "against"


def _sentences(key: str, rows: list[Evidence], total: float) -> list[str]:
    by_feature = {e.feature: e for e in rows if e.feature}
    writer = _WRITERS.get(key)
    said = writer(by_feature) if writer else []
    if not said:
        said = [_fallback(key, rows, total)]
    return said[:3]


def _fallback(key: str, rows: list[Evidence], total: float) -> str:
    if total >= NOTABLE:
        return "Somewhat alike"
    if total <= -NOTABLE:
        return "Less alike than a mirror's usually are"
    if not rows:
        return "Nothing to compare"
    return "Nothing in common that matters"


def _for(by: dict[str, Evidence], feature: str, at_least: float = 0.0) -> Evidence | None:
    e = by.get(feature)
    if e is None or e.contribution <= at_least:
        return None
    return e


def _after_colon(detail: str) -> str:
    return detail.split(": ", 1)[1] if ": " in detail else detail


def _identity(by: dict[str, Evidence]) -> list[str]:
    out = []
    if e := _for(by, "identity.same_account"):
        out.append("Same platform and handle as the banned account: it is back under its own name")
    elif e := _for(by, "identity.same_handle"):
        out.append(e.detail[:1].upper() + e.detail[1:])
    return out


def _names(by: dict[str, Evidence]) -> list[str]:
    out = []
    for feature in ("name.lookalike", "handle.lookalike"):
        if e := _for(by, feature):
            shown = _QUOTED.findall(e.detail.split(" with look-alike", 1)[0])
            what = "Handle" if feature.startswith("handle") else "Name"
            out.append(f"{what} written with look-alike letters" + _quote_list(shown[:2]))
            break
    if _for(by, "name.visual_equal") and "identical" in by["name.visual_equal"].detail:
        shown = _QUOTED.findall(by["name.visual_equal"].detail)
        if len(shown) >= 2 and shown[0].casefold() == shown[1].casefold():
            out.append("Same display name")
        else:
            out.append("Same display name once decorations and look-alike letters are ignored")
    elif e := _for(by, "name.embedding_cross_script", NOTABLE):
        out.append("Same name, written in another script")
    if e := _for(by, "name.acronym"):
        out.append(
            "One name is the initials of the other" + _quote_list(_QUOTED.findall(e.detail)[:1])
        )
    elif e := _for(by, "handle.acronym"):
        out.append("The handle is the initials of the banned account's name")
    if e := _for(by, "handle.evasion_affix"):
        extra = _QUOTED.findall(e.detail.split(" plus ", 1)[-1])
        added = " ".join(f"“{x}”" for x in extra) or "a suffix"
        out.append(f"The handle is the banned handle with {added} added")
    elif _for(by, "handle.visual_equal") and "identical" in by["handle.visual_equal"].detail:
        out.append("Same handle once look-alike letters are ignored")
    elif _for(by, "handle.exact") and "the same" in by["handle.exact"].detail:
        out.append("Same handle apart from separators and suffixes")
    if _for(by, "handle.unexplained_core"):
        out.append("The handle keeps the banned handle's core under a different name")
    if not out and (e := _for(by, "name.shared_bits", NOTABLE)):
        words = sorted(set(_SHARED_WORDS.findall(e.detail)))
        out.append("The names share " + ("the word " if len(words) == 1 else "the words ")
                   + ", ".join(f"“{w}”" for w in words[:4]))  # fmt: skip
    missing = by.get("name.missing_bits")
    if missing is not None and missing.contribution <= -NOTABLE:
        out.append("Words that set the banned name apart are missing from this one")
    return out


def _avatar(by: dict[str, Evidence]) -> list[str]:
    out = []
    pdq = _for(by, "avatar.pdq")
    if pdq is not None and "same image" in pdq.detail:
        turned = " (flipped or turned)" if " after " in pdq.detail else ""
        out.append(f"Same avatar, re-uploaded{turned}")
    elif _for(by, "avatar.match", NOTABLE) or _for(by, "avatar.embedding", NOTABLE):
        out.append("Same avatar, edited: re-cropped, framed or masked")
    shared = by.get("avatar.shared")
    if shared is not None:
        label = _QUOTED.findall(shared.detail) or re.findall(r"\(([^)]*)\)", shared.detail)
        what = f" ({label[0]})" if label else ""
        out.append(f"The avatar is one many unrelated accounts use{what}, so it counts for little")
    if not out:
        out.append("Different avatars")
    return out


def _links(by: dict[str, Evidence]) -> list[str]:
    out = []
    if e := _for(by, "links.mentions_account"):
        out.append("Points to the banned account itself: " + e.detail.split(",")[0])
    if e := _for(by, "links.shared_contact"):
        shown = _after_colon(e.detail)
        if all(x.strip().startswith("t.me/") for x in shown.split(",")):
            what = "Same Telegram link"
        elif "whatsapp.com" in shown:
            what = "Same WhatsApp group or channel"
        else:
            what = "Same contact"
        out.append(f"{what}: {shown}")
    elif e := _for(by, "links.near_contact"):
        out.append(f"Nearly the same contact: {_after_colon(e.detail)}")
    if e := by.get("links.no_shared_contact"):
        out.append("Both list contacts, but none is the same")
    if e := _for(by, "links.shared_hashtag"):
        out.append(f"Same hashtags: {_after_colon(e.detail)}")
    return out


def _bio(by: dict[str, Evidence]) -> list[str]:
    out = []
    if e := _for(by, "bio.evasion_phrase"):
        words = _QUOTED.findall(e.detail)
        out.append("The bio says it is a new or backup account" + _quote_list(words[:3]))
    copied = _for(by, "bio.copied", NOTABLE)
    if copied is not None:
        share = copied.detail.split(" ", 1)[0]
        out.append(f"Copies the banned account's bio word for word ({share} of the shorter bio)")
    meaning = by.get("bio.embedding")
    if meaning is not None and meaning.contribution >= NOTABLE:
        out.append("The bios say similar things")
    elif meaning is not None and meaning.contribution <= -NOTABLE:
        out.append("The bios are less alike than a mirror's usually are")
    return out


def _quote_list(words: Sequence[str]) -> str:
    return (" (" + ", ".join(f"“{w}”" for w in words) + ")") if words else ""


_WRITERS: dict[str, Callable[[dict[str, Evidence]], list[str]]] = {
    "identity": _identity,
    "names": _names,
    "avatar": _avatar,
    "links": _links,
    "bio": _bio,
}
