"""The words the training generator draws from: bio templates of banned accounts and of the
legitimate accounts that collide with them, the evasion and "new account" lines, places, names of
outlets, the families of mirrors and negatives; the small text edits evaders make; and ``People``,
the Faker locales ordinary names and bios come from."""

from __future__ import annotations

import hashlib
import random

from faker import Faker

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


class People:
    """Ordinary people's names and bios from Faker's locales (seeded)."""

    def __init__(self, seed: int) -> None:
        self.fakers = {loc: Faker(loc) for loc in LOCALES}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed * 100 + i)

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


def detail(rng: random.Random) -> str:
    year = rng.randrange(2009, 2024)
    return rng.choice(BIO_DETAILS).format(
        day=rng.choice(DAYS), place=rng.choice(PLACES), year=year,
        year2=year + rng.randrange(1, 4), title=rng.choice(TITLES), n=rng.randrange(2, 40),
    )  # fmt: skip


def stable_hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def handle_lookalike(handle: str, rng: random.Random) -> str:
    """What survives a platform's ASCII-only handles: rn for m, vv for w, l/I/1, o/0."""
    swaps = {"m": "rn", "w": "vv", "l": "1", "i": "l", "o": "0", "0": "o", "1": "l"}
    spots = [i for i, c in enumerate(handle) if c in swaps]
    if not spots:
        return handle + "_"
    i = rng.choice(spots)
    return handle[:i] + swaps[handle[i]] + handle[i + 1 :]


def near_link(link: str, rng: random.Random) -> str:
    if "t.me/" in link or "@" in link:
        return (
            link + rng.choice(["2", "_new", "1", "_backup"])
            if "@" not in link
            else link.replace("@", rng.choice(["2@", "_@"]), 1)
        )
    return link


def sibling_name(name: str, rng: random.Random) -> str:
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
