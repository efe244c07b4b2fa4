"""Labelled data for training and evaluating the scorer: banks of banned accounts built from real
proscribed groups, mirrors made from them by realistic evasion families, and hard negatives
(journalists, researchers and news outlets that name the groups, legitimate parties that share
their words, namesakes, accounts with the same flag or default avatar). Groups are split into
train / validation / test, so a test group is never seen in training. Fixed seeds.

A split is written in the format ``mirrorscan eval`` reads: ``bank.jsonl``, ``candidates.jsonl``,
``labels.jsonl`` (``{"id", "account_id", "group", "family"}``) and ``avatars/``."""

from __future__ import annotations

import hashlib
import io
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faker import Faker
from PIL import Image

from service.training import evasions as ev
from service.training.sources import LEGITIMATE, NEWS, Group

ImageEdit = Callable[[Image.Image, random.Random], bytes]
LOCALES = ("en_PK", "ar_SA", "fa_IR", "ar_AE")
PLATFORMS = ("x", "telegram", "facebook", "instagram", "tiktok", "youtube", "whatsapp")
SPLITS = (("train", 0.6), ("validation", 0.2), ("test", 0.2))

BIO_EN = (
    "Official {kind} of {group}. Statements, videos and news.",
    "{group} | {kind} | Follow for official updates",
    "The {kind} of {alias}. All releases are posted here first.",
    "Voice of {group}. Audio, video and written statements.",
    "{alias} official. Messages from the leadership and field reports.",
    "News from the ranks of {group}. Join us on Telegram.",
)
BIO_UR = (
    "{group} کا سرکاری {kind_ur}",
    "{group} کے بیانات اور ویڈیوز",
    "{alias} کی تمام خبریں یہاں",
)
BIO_ROMAN = (
    "{group} ka official {kind} channel. Har khabar yahan.",
    "{alias} ke bayanat aur videos. Humein follow karein.",
    "{group} ki awaz. Taza tareen updates.",
)
TAGLINES = (
    "Updates daily.", "Only official releases.", "Do not trust fake accounts.", "Est. 2014.",
    "Share widely.", "Channel 1 of 3.", "Subscribe and share.", "Peshawar | Quetta | Kabul.",
    "Since 2009.", "Truth prevails.", "Voice of the oppressed.", "No DMs.", "Back up: see links.",
    "Follow and spread.", "Weekly bulletin on Fridays.", "Audio in Pashto and Urdu.",
    "الحمدللہ", "ہماری آواز", "Haq ki awaz.", "Sabr aur istiqamat.", "Reports from the field.",
    "English, Urdu, Pashto.", "Releases every evening.", "Part of the media network.",
)  # fmt: skip
KINDS = ("media wing", "news channel", "media office", "spokesman", "press office", "channel")
KIND_UR = ("میڈیا", "چینل", "ترجمان", "میڈیا سیل")
EVASION_LINES = (
    "Backup account.", "Our old account was suspended.", "New account, please follow.",
    "Old one got banned, we are back.", "purana account band ho gaya.", "Naya account.",
    "یہ نیا اکاؤنٹ ہے", "Second account.", "Official backup.",
)  # fmt: skip
# "Nth account" bios, as re-created accounts announce themselves
NTH_LINES = (
    "3rd account.", "Account no. 4", "5th ID, old ones suspended.", "Back again (4th account).",
    "Our 6th account, please share.", "تیسرا اکاؤنٹ", "چوتھا اکاؤنٹ، پرانے بند ہو گئے",
    "doosra account", "teesra account hai yeh", "Account #7. They keep banning us.",
    "ID number 3", "2nd acc", "New ID after suspension", "پانچواں اکاؤنٹ",
)  # fmt: skip
# distinctive pieces that make some banned accounts' bios long and recognisable when copied
BIO_DETAILS = (
    "Releases in Pashto, Urdu and Dari every {day}.", "Field reports from {place} since {year}.",
    "Statement archive {year}-{year2}.", "Our audio bulletin '{title}' airs weekly.",
    "Magazine '{title}' issue {n} out now.", "Contact the office in {place} only through links.",
    "{title} series, part {n}.", "Do not follow the fake page '{title}'.",
    "Nasheeds from the {title} studio.", "Mirror of the {title} bulletin.",
)  # fmt: skip
TITLES = ("Sada-e-Haq", "Al-Nafeer", "Umar Media", "Azm", "Nawa-e-Afghan", "Tora Bora Studio",
          "Ghazwa", "Sawt al-Khurasan", "Rah-e-Wafa", "Zarb", "Al-Qitaal", "Shahadat",
          "Balochistan Times", "Sangar", "Hakkal", "Koh-e-Sulaiman", "Sar Zameen")  # fmt: skip
PLACES = ("Waziristan", "Bajaur", "Kunar", "Khost", "Mastung", "Turbat", "Panjgur", "Swat",
          "Tirah", "Kech", "Awaran", "Zhob", "Nangarhar", "Paktika")  # fmt: skip
DAYS = ("Friday", "Monday", "Thursday evening", "day")
JOURNALIST = (
    "Journalist at {news}. Covering security, {alias} and militancy in {region}. Views my own.",
    "Reporter, {news}. I write about {group}, terrorism and politics.",
    "Researcher on violent extremism: {group}, {alias2}. Threads on militant media.",
    "PhD candidate studying {alias} and insurgency in {region}. RTs ≠ endorsement.",
    "Counter-terrorism analyst. Tracking {group} propaganda so you don't have to.",
)
NEWS_BIO = (
    "{news}: breaking news from Pakistan and Afghanistan. Latest on {group}.",
    "Official account of {news}. News, analysis, video.",
)
LEGIT_BIO = (
    "Official account of {org}. Follow for updates and statements.",
    "{org} | Official | News and statements from the central office",
    "The official page of {org}.",
)
ORDINARY_BIO = (
    "{job} from {city}. {hobby}.", "{job} | {city}", "Love my family. {job}.", "{hobby}. {city}.",
    "Student at {uni}. {hobby}.", "{city} ❤️ | {hobby}", "Proud Pakistani. {job}.", "",
    "Cricket, chai and {hobby}.", "Views are my own. {job} in {city}.",
)  # fmt: skip
HOBBIES = ("Cricket fan", "Foodie", "Travel and photography", "Poetry lover", "Gamer",
           "Reading Iqbal and Faiz", "Cooking", "Football", "Coding", "Fashion", "Biker",
           "Nature lover", "Quran and family", "Music is life", "Truck art")  # fmt: skip
UNIVERSITIES = ("LUMS", "NUST", "University of Peshawar", "Quaid-i-Azam University",
                "University of Karachi", "Kabul University", "FAST", "UET Lahore")  # fmt: skip
INVITE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
REGIONS = ("Khyber Pakhtunkhwa", "Balochistan", "Afghanistan", "the tribal districts",
           "South Asia", "Kunar and Nangarhar", "Waziristan")  # fmt: skip
POSITIVE_FAMILIES = (
    "reactivation", "cross-platform", "handle-affix", "homoglyph", "leet", "decorated", "typo",
    "transliterated", "alias", "acronym", "separators", "new-name-same-avatar",
    "new-name-same-link", "reworded", "minimal", "handle-sequel", "bio-copy", "nth-account",
)  # fmt: skip
NEGATIVE_FAMILIES = (
    "journalist", "researcher", "news", "legit-org", "namesake", "namesake-full",
    "shared-avatar", "similar-name", "ordinary", "monitor",
)  # fmt: skip
MONITOR_BIO = (
    "Tracking {alias} claims and attacks. Not affiliated. Sources linked.",
    "Monitoring {group} propaganda for researchers. RT is not endorsement.",
    "Open-source tracker of militant media ({alias}). Reports, not support.",
    "{alias} watch: daily log of statements, verified by our team.",
)


@dataclass
class Images:
    """Real images: one logo per group, shared avatars (flags, platform defaults, popular
    emoji), personal avatars, and the edits evaders apply."""

    logos: list[Image.Image]
    common: list[Image.Image]
    personal: list[Image.Image]
    edits: dict[str, ImageEdit]


@dataclass
class Split:
    name: str
    bank: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    avatars: dict[str, bytes] = field(default_factory=dict)

    def add_avatar(self, data: bytes) -> str:
        name = hashlib.sha256(data).hexdigest()[:20] + ".img"
        self.avatars[name] = data
        return f"avatars/{name}"

    def write(self, folder: Path) -> None:
        (folder / "avatars").mkdir(parents=True, exist_ok=True)
        for name, data in self.avatars.items():
            (folder / "avatars" / name).write_bytes(data)
        for fname, rows in (("bank", self.bank), ("candidates", self.candidates),
                            ("labels", self.labels)):  # fmt: skip
            with (folder / f"{fname}.jsonl").open("w", encoding="utf-8") as fh:
                for row in rows:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def split_of(group: Group, seed: int) -> str:
    h = int(hashlib.sha256(f"{seed}:{group.key}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    edge = 0.0
    for name, share in SPLITS:
        edge += share
        if h < edge:
            return name
    return SPLITS[-1][0]


def png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def jpeg(img: Image.Image, quality: int = 88) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


class Generator:
    def __init__(
        self,
        groups: Sequence[Group],
        images: Images | None,
        urdu: dict[str, str],
        seed: int = 7,
        mirrors_per_account: float = 2.0,
        negatives_ratio: float = 1.0,
    ) -> None:
        self.groups = list(groups)
        self.images = images
        self.urdu = urdu
        self.seed = seed
        self.mirrors_per_account = mirrors_per_account
        self.negatives_ratio = negatives_ratio
        self._source_images: dict[str, Image.Image | None] = {}
        # banned accounts' personal pictures and everyone else's are disjoint: two unrelated
        # accounts share a picture only when it is a common one (a flag, a default, an emoji
        # many people use), which is what the shared-avatar negatives exercise
        personal = images.personal if images else []
        self.bank_personal = personal[::2]
        self.free_personal = personal[1::2] or personal
        self.fakers = {loc: Faker(loc) for loc in LOCALES}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed * 100 + i)

    # --- people and words -----------------------------------------------------------------

    def person(self, rng: random.Random) -> str:
        faker = self.fakers[rng.choice(LOCALES[:1] * 3 + LOCALES)]
        name = str(faker.name())
        for title in ("الأستاذ ", "الأستاذة ", "السيد ", "السيدة ", "الدكتور ", "الدكتورة "):
            name = name.removeprefix(title)
        return name

    def ordinary_bio(self, rng: random.Random) -> str:
        faker = self.fakers["en_PK"]
        return rng.choice(ORDINARY_BIO).format(
            job=faker.job(), city=faker.city(), hobby=rng.choice(HOBBIES),
            uni=rng.choice(UNIVERSITIES),
        )  # fmt: skip

    def latin_person(self, rng: random.Random) -> str:
        return str(self.fakers["en_PK"].name())

    def _avatar(self, split: Split, img: Image.Image | None, rng: random.Random) -> str | None:
        if img is None:
            return None
        return split.add_avatar(
            jpeg(img, rng.choice([80, 88, 95])) if rng.random() < 0.5 else png(img)
        )

    # --- banned accounts ------------------------------------------------------------------

    def bio_for(self, group: Group, rng: random.Random, lang: str | None = None) -> str:
        lang = lang or rng.choice(["en"] * 5 + ["ur", "roman", "roman"])
        names = group.names
        fill = {
            "group": rng.choice(names[:3]),
            "alias": rng.choice(names),
            "kind": rng.choice(KINDS),
            "kind_ur": rng.choice(KIND_UR),
        }
        if lang == "ur" and group.original:
            fill["group"] = fill["alias"] = group.original
            return rng.choice(BIO_UR).format(**fill)
        if lang == "ur":
            urdu = ev.transliterate_to_urdu(fill["group"], self.urdu)
            if urdu:
                fill["group"] = fill["alias"] = urdu
                return rng.choice(BIO_UR).format(**fill)
        table = BIO_ROMAN if lang == "roman" else BIO_EN
        return rng.choice(table).format(**fill)

    def links_for(self, handle: str, rng: random.Random) -> list[str]:
        out = []
        if rng.random() < 0.55:
            channel = handle if rng.random() < 0.6 else handle + rng.choice(["_ch", "news", "1"])
            out.append(f"https://t.me/{channel}")
        if rng.random() < 0.15:
            out.append(f"+92 3{rng.randrange(10, 50)} {rng.randrange(1000000, 9999999)}")
        if rng.random() < 0.12:
            domain = rng.choice(["proton.me", "gmail.com", "tutanota.com"])
            out.append(f"{handle.replace('_', '')}@{domain}")
        if rng.random() < 0.08:
            invite = "".join(rng.choices(INVITE_CHARS, k=22))
            out.append(f"https://chat.whatsapp.com/{invite}")
        return out

    def banned_accounts(
        self, group: Group, gi: int, split: Split, rng: random.Random
    ) -> list[dict[str, Any]]:
        logo = self.images.logos[gi % len(self.images.logos)] if self.images else None
        n = rng.choice([1, 2, 2, 3, 3, 4])
        out = []
        for k in range(n):
            if k == 0 or (k == 1 and rng.random() < 0.5):
                base = rng.choice(group.names[:3])
                if rng.random() < 0.3:
                    base = ev.acronym(base)
                display = base + rng.choice(["", "", " Media", " Official", " News", " TV"])
                role = "media"
            else:
                if group.members and rng.random() < 0.7:
                    member = rng.choice(group.members)
                    display = member.name
                    if member.original and rng.random() < 0.2:
                        display = member.original
                else:
                    display = self.latin_person(rng)
                role = "member"
            handle = ev.handle_of(
                display
                if role == "member" or rng.random() < 0.5
                else ev.acronym(display) + " media",
                rng,
            )
            avatar_img: Image.Image | None = None
            if self.images:
                r = rng.random()
                if role == "media" and r < 0.8 or role == "member" and r < 0.35:
                    avatar_img = logo
                elif r < 0.88:
                    avatar_img = rng.choice(self.bank_personal)
                elif r < 0.95:
                    avatar_img = rng.choice(self.images.common)
            bio = self.bio_for(group, rng) if rng.random() < 0.85 else ""
            if bio and rng.random() < 0.6:
                bio += " " + " ".join(rng.sample(TAGLINES, rng.randint(1, 2)))
            if bio and rng.random() < 0.35:
                bio += " " + " ".join(_detail(rng) for _ in range(rng.randint(1, 3)))
            row = {
                "id": f"{group.key}/{k}",
                "platform": rng.choice(PLATFORMS),
                "handle": handle,
                "display_name": display,
                "bio": bio,
                "links": self.links_for(handle, rng),
                "avatar_path": self._avatar(split, avatar_img, rng),
                "avatar_url": None,
                "group": group.name,
            }
            out.append(row)
            self._source_images[str(row["id"])] = avatar_img
        return out

    # --- mirrors --------------------------------------------------------------------------

    def mirror(
        self, src: dict[str, Any], group: Group, split: Split, rng: random.Random, n: int
    ) -> dict[str, Any]:
        family = rng.choice(POSITIVE_FAMILIES)
        name, handle, platform = src["display_name"], src["handle"], src["platform"]
        bio, links = src["bio"], list(src["links"])
        img = self._source_images.get(src["id"])
        new_name = False
        if family == "reactivation":
            if rng.random() < 0.5:
                name = ev.name_affix(name, rng)
        elif family == "cross-platform":
            platform = rng.choice([p for p in PLATFORMS if p != platform])
        elif family == "handle-affix":
            handle = ev.handle_affix(handle, rng)
            if rng.random() < 0.4:
                name = ev.name_affix(name, rng)
        elif family == "homoglyph":
            name = ev.homoglyph(name, rng)
            handle = (
                ev.handle_affix(handle, rng)
                if rng.random() < 0.5
                else _handle_lookalike(handle, rng)
            )
        elif family == "leet":
            handle = ev.leet(handle, rng)
            if rng.random() < 0.5:
                name = ev.leet(name, rng)
        elif family == "decorated":
            name = ev.decorate(name, rng)
            if rng.random() < 0.3:
                name = ev.zero_width(name, rng)
            handle = ev.handle_affix(handle, rng)
        elif family == "typo":
            name = ev.typo(name, rng)
            handle = ev.typo(handle, rng)
        elif family == "transliterated":
            urdu = ev.transliterate_to_urdu(name, self.urdu) or group.original
            if urdu:
                name = urdu
            else:
                family = "separators"
            if rng.random() < 0.6:
                bio = self.bio_for(group, rng, "ur")
            handle = ev.handle_affix(handle, rng)
        elif family == "alias" and len(group.names) > 1:
            name = rng.choice(group.names[1:])
            handle = ev.handle_of(name, rng)
        elif family == "acronym":  # the group's initials: "TTP Media"
            initials = ev.acronym(rng.choice(group.names[:2]))
            name = initials + rng.choice(["", " Media", " Official", " 2", " News"])
            handle = ev.handle_affix(initials.lower(), rng)
        elif family in ("new-name-same-avatar", "new-name-same-link"):
            new_name = True
            name = (
                self.person(rng)
                if rng.random() < 0.5
                else rng.choice(group.names) + " " + rng.choice(["Fans", "Voice", "Ummah", "Lions"])
            )
            handle = ev.handle_of(name, rng)
            bio = self.bio_for(group, rng) if rng.random() < 0.6 else ""
        elif family == "reworded":
            bio = self.bio_for(group, rng)
            links = self.links_for(handle, rng)
        elif family == "handle-sequel":  # same platform, the next handle, often a new name
            handle = ev.handle_sequel(handle, rng)
            r = rng.random()
            if r < 0.5:
                new_name = True
                name = self.person(rng) if rng.random() < 0.5 else self.latin_person(rng)
            elif r < 0.7:
                name = ev.name_affix(name, rng)
            if rng.random() < 0.5:
                bio = self.bio_for(group, rng) if rng.random() < 0.5 else ""
        elif family == "bio-copy":  # the bio verbatim under a new name and handle
            if not bio:
                bio = self.bio_for(group, rng) + " " + _detail(rng)
            new_name = True
            name = self.person(rng) if rng.random() < 0.6 else self.latin_person(rng)
            handle = ev.handle_of(name, rng)
            if rng.random() < 0.5:
                platform = rng.choice(PLATFORMS)
        elif family == "nth-account":
            if rng.random() < 0.6:
                name = ev.name_affix(name, rng)
            handle = (
                ev.handle_sequel(handle, rng)
                if rng.random() < 0.5
                else ev.handle_affix(handle, rng)
            )
            line = rng.choice(NTH_LINES)
            bio = f"{line} {bio}".strip() if rng.random() < 0.6 else line
        else:  # separators, minimal, or alias without aliases
            family = family if family in ("separators", "minimal") else "separators"
            name = ev.separators(name, rng)
            handle = ev.separators(handle, rng).replace(" ", "_")[:30]
        if family in ("separators", "typo", "homoglyph") and rng.random() < 0.3:
            name = ev.recase(name, rng)
        # other channels: copied, reworded, or dropped
        if family == "minimal":
            bio, links, img = "", [], None
        elif family == "bio-copy":
            links = [] if rng.random() < 0.6 else self.links_for(handle, rng)
            img = None if rng.random() < 0.7 else img
        elif family in ("handle-sequel", "nth-account"):
            links = self._mirror_links(links, handle, rng)
            if rng.random() < 0.4:
                img = None
        elif family != "new-name-same-link":
            r = rng.random()
            if r < 0.35 and bio:
                bio = (
                    f"{rng.choice(EVASION_LINES)} {bio}"
                    if rng.random() < 0.5
                    else f"{bio} {rng.choice(EVASION_LINES)}"
                )
            elif r < 0.55:
                bio = self.bio_for(group, rng)
            elif r < 0.7:
                bio = ""
            links = self._mirror_links(links, handle, rng)
        else:
            links = self._mirror_links(links, handle, rng, keep=True) or [
                f"https://t.me/{src['handle']}"
            ]
        avatar_path = self._mirror_avatar(split, img, family, rng)
        cid = f"m:{src['id']}/{n}"
        split.labels.append(
            {"id": cid, "account_id": src["id"], "group": src["group"], "family": family}
        )
        return {
            "id": cid, "platform": platform, "handle": handle, "display_name": name, "bio": bio,
            "links": links, "avatar_path": avatar_path, "avatar_url": None, "new_name": new_name,
        }  # fmt: skip

    def _mirror_links(
        self, links: list[str], handle: str, rng: random.Random, keep: bool = False
    ) -> list[str]:
        r = rng.random()
        if keep or r < 0.35:
            return links
        if r < 0.55:
            return [_near_link(x, rng) for x in links]
        if r < 0.75:
            return self.links_for(handle, rng)
        return []

    def _mirror_avatar(
        self, split: Split, img: Image.Image | None, family: str, rng: random.Random
    ) -> str | None:
        if self.images is None or img is None:
            return None
        keep = 0.95 if family == "new-name-same-avatar" else 0.7
        r = rng.random()
        if r < keep:
            edit_name = rng.choice(sorted(self.images.edits))
            return split.add_avatar(self.images.edits[edit_name](img, rng))
        if r < keep + 0.15:
            return split.add_avatar(png(rng.choice(self.free_personal)))
        return None

    # --- hard negatives -------------------------------------------------------------------

    def negative(
        self,
        split: Split,
        groups: list[Group],
        bank: list[dict[str, Any]],
        rng: random.Random,
        n: int,
    ) -> dict[str, Any]:
        family = rng.choice(NEGATIVE_FAMILIES)
        g = rng.choice(groups)
        names = g.names
        fill = {
            "news": rng.choice(NEWS),
            "group": rng.choice(names[:3]),
            "alias": rng.choice(names),
            "alias2": rng.choice(rng.choice(groups).names),
            "region": rng.choice(REGIONS),
        }
        img: Image.Image | None = None
        links: list[str] = []
        if family in ("journalist", "researcher"):
            name = self.person(rng)
            bio = rng.choice(JOURNALIST).format(**fill)
            if self.images and rng.random() < 0.6:
                img = rng.choice(self.free_personal)
        elif family == "news":
            name = fill["news"]
            bio = rng.choice(NEWS_BIO).format(**fill)
            links = [f"https://www.{name.lower().replace(' ', '')}.com"]
            if self.images and rng.random() < 0.7:
                img = self.free_personal[_stable(name) % len(self.free_personal)]
        elif family == "legit-org":
            name = rng.choice(LEGITIMATE)
            bio = rng.choice(LEGIT_BIO).format(org=name)
            if self.images and rng.random() < 0.6:
                img = rng.choice(self.free_personal)
        elif family == "namesake":
            members = [
                b for b in bank if " " in b["display_name"] and not b["display_name"].isupper()
            ]
            base = rng.choice(members)["display_name"] if members else self.person(rng)
            first = base.split()[0]
            surname = self.latin_person(rng).split()[-1]
            while surname.casefold() == base.split()[-1].casefold():  # same first name only
                surname = self.latin_person(rng).split()[-1]
            name = f"{first} {surname}"
            bio = self.ordinary_bio(rng)
        elif family == "namesake-full":
            # a private person with a banned member's full name, in its own script, a handle
            # made from it the usual way, and nothing else in common
            members = [
                b
                for b in bank
                if " " in b["display_name"].strip()
                and not b["display_name"].isupper()
                and not any(w in b["display_name"] for w in (" Media", " Official"))
            ]
            name = rng.choice(members)["display_name"] if members else self.person(rng)
            bio = self.ordinary_bio(rng) if rng.random() < 0.8 else ""
            if self.images and rng.random() < 0.6:
                img = rng.choice(self.free_personal)
        elif family == "monitor":  # accounts that watch a group, named after it
            initials = ev.acronym(rng.choice(names[:2]))
            name = f"{initials} {rng.choice(['Watch', 'Monitor', 'Tracker', 'Observer'])}"
            bio = rng.choice(MONITOR_BIO).format(**fill)
            if self.images and rng.random() < 0.5:
                img = rng.choice(self.free_personal)
        elif family == "shared-avatar":
            name = self.person(rng)
            bio = self.ordinary_bio(rng)
            if self.images:
                common_in_bank = [
                    self._source_images[b["id"]]
                    for b in bank
                    if self._source_images.get(b["id"]) is not None
                    and any(self._source_images[b["id"]] is c for c in self.images.common)
                ]
                img = rng.choice(common_in_bank or self.images.common)
        elif family == "similar-name":
            name = _sibling_name(rng.choice(names[:3]), rng)
            bio = rng.choice(LEGIT_BIO).format(org=name) if rng.random() < 0.5 else ""
        else:
            name = self.person(rng)
            bio = self.ordinary_bio(rng)
            if self.images and rng.random() < 0.5:
                img = rng.choice(self.free_personal + self.images.common)
        if family in ("journalist", "researcher", "shared-avatar", "ordinary"):
            name = self._not_banned_name(name, bank, rng)
        platform = rng.choice(PLATFORMS)
        handle = ev.handle_of(name, rng)
        if family == "namesake-full" and rng.random() < 0.5:
            handle = handle.replace("_", "")[:12] + str(rng.randrange(10, 99))
        taken = {(b["platform"], b["handle"].casefold()) for b in bank}
        while (platform, handle.casefold()) in taken:  # a platform's handles are unique
            handle = f"{handle[:27]}{rng.randint(0, 99)}"
        cid = f"n:{split.name}/{n}"
        split.labels.append({"id": cid, "account_id": None, "group": None, "family": family})
        avatar = None
        if img is not None:
            edit = (
                rng.choice(sorted(self.images.edits))
                if self.images and rng.random() < 0.3
                else None
            )
            avatar = split.add_avatar(
                self.images.edits[edit](img, rng) if edit and self.images else jpeg(img)
            )
        return {
            "id": cid,
            "platform": platform,
            "handle": handle,
            "display_name": name,
            "bio": bio,
            "links": links,
            "avatar_path": avatar,
            "avatar_url": None,
        }

    def _not_banned_name(self, name: str, bank: list[dict[str, Any]], rng: random.Random) -> str:
        """A person drawn for an unrelated account must not be, by chance, a banned member's
        exact full name (a small name pool repeats): that would be a namesake of another kind,
        labelled as if it were merely an ordinary account."""
        banned = {b["display_name"].casefold() for b in bank}
        while name.casefold() in banned:
            name = self.person(rng)
        return name

    # --- splits ---------------------------------------------------------------------------

    def build(self, max_groups: int | None = None) -> dict[str, Split]:
        self._source_images = {}
        rng = random.Random(self.seed)
        by_split: dict[str, list[tuple[int, Group]]] = {name: [] for name, _ in SPLITS}
        groups = sorted(self.groups, key=lambda g: g.key)
        for gi, g in enumerate(groups):
            by_split[split_of(g, self.seed)].append((gi, g))
        out = {}
        for name, _ in SPLITS:
            items = by_split[name]
            if max_groups is not None:
                items = items[: max(1, int(max_groups * dict(SPLITS)[name]))]
            split = Split(name)
            for gi, g in items:
                split.bank.extend(self.banned_accounts(g, gi, split, rng))
            by_id = {g.name: g for _, g in items}
            for row in split.bank:
                k = int(self.mirrors_per_account) + (
                    1 if rng.random() < self.mirrors_per_account % 1 else 0
                )
                for j in range(k):
                    cand = self.mirror(row, by_id[row["group"]], split, rng, j)
                    cand.pop("new_name")
                    split.candidates.append(cand)
            n_neg = int(len(split.candidates) * self.negatives_ratio)
            groups_here = [g for _, g in items]
            for j in range(n_neg):
                split.candidates.append(self.negative(split, groups_here, split.bank, rng, j))
            out[name] = split
        return out


def _detail(rng: random.Random) -> str:
    year = rng.randrange(2009, 2024)
    return rng.choice(BIO_DETAILS).format(
        day=rng.choice(DAYS), place=rng.choice(PLACES), year=year,
        year2=year + rng.randrange(1, 4), title=rng.choice(TITLES), n=rng.randrange(2, 40),
    )  # fmt: skip


def _stable(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _handle_lookalike(handle: str, rng: random.Random) -> str:
    """What survives a platform's ASCII-only handles: rn for m, vv for w, l/I/1, o/0."""
    swaps = {"m": "rn", "w": "vv", "l": "1", "i": "l", "o": "0", "0": "o", "1": "l"}
    spots = [i for i, c in enumerate(handle) if c in swaps]
    if not spots:
        return handle + "_"
    i = rng.choice(spots)
    return handle[:i] + swaps[handle[i]] + handle[i + 1 :]


def _near_link(link: str, rng: random.Random) -> str:
    if "t.me/" in link or "@" in link:
        return (
            link + rng.choice(["2", "_new", "1", "_backup"])
            if "@" not in link
            else link.replace("@", rng.choice(["2@", "_@"]), 1)
        )
    return link


def _sibling_name(name: str, rng: random.Random) -> str:
    """A legitimate-sounding organisation that shares most words: the most distinctive token
    is replaced ("Tehrik-e Taliban Pakistan" -> "Tehrik-e Insaf Pakistan")."""
    words = name.split()
    if len(words) < 2:
        return name + " " + rng.choice(["Welfare Society", "Foundation", "Trust", "Youth Forum"])
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    words[longest] = rng.choice(
        ["Insaf", "Welfare", "Ittehad", "Amn", "Taleem", "Khidmat", "Islah", "Sehat"]
    )
    return " ".join(words)
