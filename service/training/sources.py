"""Real sources for training and evaluation data: proscribed groups and their members from the
UN Consolidated List and the OFAC SDN list (names, aliases, original-script names), ordinary
people's names from Faker's South-Asian and Middle-Eastern locales, the Dakshina Urdu lexicon
(native word ↔ attested Roman spellings), and real legitimate organisations and news outlets of
the region, which share words with the groups (hard negatives)."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from service.errors import InvalidInput

_REF = re.compile(r"\(([A-Z][A-Za-z]{1,2}e\.\d+)\)")
_LINKED = re.compile(r"Linked To: ([^;]+?)\.(?:\s|$)")
_SPACE = re.compile(r"\s+")


@dataclass
class Member:
    name: str
    aliases: list[str] = field(default_factory=list)
    original: str | None = None


@dataclass
class Group:
    """A proscribed organisation: the unit the data is split by."""

    key: str
    name: str
    aliases: list[str] = field(default_factory=list)
    original: str | None = None
    members: list[Member] = field(default_factory=list)
    source: str = ""

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


def _clean(name: str | None) -> str:
    return _SPACE.sub(" ", (name or "").strip().strip(",;"))


def _title(name: str) -> str:
    """'TEHRIK-E TALIBAN PAKISTAN (TTP)' -> 'Tehrik-e Taliban Pakistan (TTP)' for upper-case list
    entries; short parenthesised acronyms stay upper case."""
    if not name.isupper():
        return name
    words = []
    for word in name.split(" "):
        if word.startswith("(") and len(word) <= 7:
            words.append(word)
        else:
            words.append(word[:1] + word[1:].lower())
    return " ".join(words)


def un_groups(path: Path) -> list[Group]:
    """UN entities with their aliases and original-script names, and the listed individuals
    whose comments reference the entity (``(QDe.132)``) as members."""
    root = ET.parse(path).getroot()
    groups: dict[str, Group] = {}
    for ent in root.iter("ENTITY"):
        ref = _clean(ent.findtext("REFERENCE_NUMBER"))
        name = _title(_clean(ent.findtext("FIRST_NAME")))
        if not ref or not name:
            continue
        aliases = [
            _title(_clean(a.findtext("ALIAS_NAME")))
            for a in ent.iter("ENTITY_ALIAS")
            if _clean(a.findtext("ALIAS_NAME"))
        ]
        original = _clean(ent.findtext("NAME_ORIGINAL_SCRIPT")) or None
        groups[ref] = Group(f"un:{ref}", name, _dedupe(aliases, name), original, source="UN")
    for ind in root.iter("INDIVIDUAL"):
        parts = [_clean(ind.findtext(t)) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
                                                    "FOURTH_NAME")]  # fmt: skip
        name = _title(" ".join(p for p in parts if p))
        if not name:
            continue
        aliases = [
            _title(_clean(a.findtext("ALIAS_NAME")))
            for a in ind.iter("INDIVIDUAL_ALIAS")
            if _clean(a.findtext("ALIAS_NAME")) and _clean(a.findtext("QUALITY")) != "Low"
        ]
        member = Member(
            name, _dedupe(aliases, name), _clean(ind.findtext("NAME_ORIGINAL_SCRIPT")) or None
        )
        for ref in set(_REF.findall(ind.findtext("COMMENTS1") or "")):
            if ref in groups:
                groups[ref].members.append(member)
    return list(groups.values())


def ofac_groups(sdn: Path, alt: Path, programs: tuple[str, ...] = ("SDGT",)) -> list[Group]:
    """OFAC entities of the given programs (terrorism by default) with their aliases, and the
    individuals ``Linked To`` them as members."""
    rows = _read_csv(sdn)
    aliases: dict[str, list[str]] = defaultdict(list)
    for row in _read_csv(alt):
        if len(row) > 3:
            aliases[row[0].strip()].append(_clean(row[3]))
    groups: dict[str, Group] = {}
    by_name: dict[str, Group] = {}
    for row in rows:
        if len(row) < 4 or row[2].strip() not in ("-0-", ""):
            continue
        if not any(p in row[3] for p in programs):
            continue
        name = _title(_clean(row[1]))
        group = Group(
            f"ofac:{row[0].strip()}",
            name,
            _dedupe([_title(a) for a in aliases[row[0].strip()]], name),
            source="OFAC",
        )
        groups[row[0].strip()] = group
        by_name[_clean(row[1]).upper()] = group
    for row in rows:
        if len(row) < 12 or row[2].strip() != "individual":
            continue
        for target in _LINKED.findall(row[11]):
            linked = by_name.get(_clean(target).upper())
            if linked is not None:
                last, _, first = _clean(row[1]).partition(", ")
                name = _title(f"{first} {last}".strip())
                linked.members.append(
                    Member(name, _dedupe([_title(a) for a in aliases[row[0].strip()]], name))
                )
    return list(groups.values())


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        return list(csv.reader(fh))


def _dedupe(names: list[str], primary: str) -> list[str]:
    seen = {primary.casefold()}
    out = []
    for n in names:
        if n and n.casefold() not in seen:
            seen.add(n.casefold())
            out.append(n)
    return out


def all_groups(sanctions: Path) -> list[Group]:
    """UN entities plus OFAC terrorism entities; an OFAC entity that shares a name or alias
    with a UN entity is the same group and is merged into it."""
    un_path = sanctions / "un_consolidated.xml"
    if not un_path.exists():
        raise InvalidInput(f"{sanctions} does not hold the sanctions lists (un_consolidated.xml)")
    groups = un_groups(un_path)
    index = {n.casefold(): g for g in groups for n in g.names}
    for g in ofac_groups(sanctions / "ofac_sdn.csv", sanctions / "ofac_alt.csv"):
        same = next((index[n.casefold()] for n in g.names if n.casefold() in index), None)
        if same is None:
            groups.append(g)
            index.update({n.casefold(): g for n in g.names})
        else:
            same.members.extend(g.members)
            same.aliases = _dedupe(same.aliases + g.names, same.name)
    return groups


def dakshina(path: Path) -> dict[str, list[str]]:
    """Urdu word -> attested Roman spellings, most attested first."""
    out: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0] and parts[1]:
                count = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1
                out[parts[0]].append((count, parts[1]))
    return {k: [s for _, s in sorted(v, reverse=True)] for k, v in out.items()}


def roman_to_urdu(lexicon: dict[str, list[str]]) -> dict[str, str]:
    """Roman spelling -> the Urdu word it most often stands for."""
    out: dict[str, str] = {}
    for urdu, romans in lexicon.items():
        for roman in romans:
            out.setdefault(roman.casefold(), urdu)
    return out


# Real legitimate organisations, media and public bodies of the region: they share words with
# proscribed groups ("Tehreek", "Pakistan", "Baloch", "Islami", "Jamaat", "Front") and are the
# hard negatives a name-only matcher confuses.
LEGITIMATE = (
    "Pakistan Tehreek-e-Insaf", "Pakistan Muslim League (N)", "Pakistan Peoples Party",
    "Jamiat Ulema-e-Islam (F)", "Jamaat-e-Islami Pakistan", "Muttahida Qaumi Movement",
    "Awami National Party", "Balochistan National Party", "National Party Balochistan",
    "Pashtun Tahafuz Movement", "Tehreek-e-Labbaik Pakistan", "Pakistan Awami Tehreek",
    "Balochistan Awami Party", "Baloch Students Organization", "Islami Jamiat-e-Talaba",
    "Majlis Wahdat-e-Muslimeen", "Tehreek-e-Istiqlal", "Pakistan Rah-e-Haq Party",
    "Edhi Foundation", "Shaukat Khanum Memorial Trust", "Al-Khidmat Foundation",
    "Saylani Welfare Trust", "Akhuwat Foundation", "The Citizens Foundation",
    "Human Rights Commission of Pakistan", "Aurat March", "Baloch Yakjehti Committee",
    "Afghan Red Crescent Society", "Islamic Relief", "Muslim Hands",
    "Tehreek-e-Nifaz-e-Fiqh-e-Jafaria", "Jamiat Ahle Hadith", "Sunni Tehreek",
    "Pakistan Army", "ISPR Official", "Khyber Pakhtunkhwa Police", "Balochistan Levies",
    "Counter Terrorism Department Punjab", "National Counter Terrorism Authority",
    "Islamic Emirate Ministry of Education", "Ministry of Interior Pakistan",
)  # fmt: skip
NEWS = (
    "Dawn News", "Geo News", "ARY News", "BBC Urdu", "Express Tribune", "The News International",
    "Samaa TV", "Dunya News", "VOA Deewa", "Radio Mashaal", "Khorasan Diary", "Tolo News",
    "Pajhwok Afghan News", "The Balochistan Post", "Daily Jang", "Aaj News", "Hum News",
    "Al Jazeera English", "Reuters Pakistan", "Independent Urdu", "The Friday Times",
    "Pakistan Today", "Business Recorder", "Amu TV", "Afghanistan International",
)  # fmt: skip
