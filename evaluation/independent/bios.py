"""Bios of the groups' accounts as fragments in English, Urdu, Roman Urdu and Pashto.

A bio is a list of (meaning, variant) pairs plus slots, so a mirror can re-render the same bio in
another language (a script change), or pick other variants and another order (a paraphrase).
The texts are descriptive (names, wings, regions, channels); they carry no propaganda.
"""

from __future__ import annotations

import random

from .groups import BY_KEY, SLOGANS
from .model import BioSpec
from .places import region_ur
from .translit import vary
from .util import chance, pick

LANGS = ("en", "ur", "ro", "ps")
F = dict[str, str]

MEANINGS: dict[str, list[F]] = {
    "official": [
        {
            "en": "Official account of {name}.",
            "ur": "{name} کا آفیشل اکاؤنٹ۔",
            "ro": "{name} ka official account.",
            "ps": "د {name} رسمي حساب.",
        },
        {
            "en": "The official page of {name} ({acr}).",
            "ur": "{name} ({acr}) کا سرکاری صفحہ۔",
            "ro": "{name} ({acr}) ka sarkari safha.",
            "ps": "د {name} ({acr}) رسمي پاڼه.",
        },
        {
            "en": "{acr} official channel – statements and announcements.",
            "ur": "{acr} کا آفیشل چینل – بیانات اور اعلانات۔",
            "ro": "{acr} ka official channel – bayanat aur elanat.",
            "ps": "د {acr} رسمي چینل – بیانیې او اعلانونه.",
        },
    ],
    "media": [
        {
            "en": "{wing} – media wing of {name}.",
            "ur": "{wing} – {name} کا میڈیا ونگ۔",
            "ro": "{wing} – {name} ka media wing.",
            "ps": "{wing} – د {name} رسنیزه څانګه.",
        },
        {
            "en": "{wing}: videos, nasheeds and publications of {acr}.",
            "ur": "{wing}: {acr} کی ویڈیوز، ترانے اور اشاعتیں۔",
            "ro": "{wing}: {acr} ki videos, taranay aur ishaatein.",
            "ps": "{wing}: د {acr} ویډیوګانې، ترانې او خپرونې.",
        },
    ],
    "chapter": [
        {
            "en": "{name}, {region} chapter.",
            "ur": "{name}، {region} شاخ۔",
            "ro": "{name}, {region} shakh.",
            "ps": "{name}، د {region} څانګه.",
        },
        {
            "en": "{acr} {region} – official page of the {region} wing.",
            "ur": "{acr} {region} – {region} ونگ کا آفیشل پیج۔",
            "ro": "{acr} {region} – {region} wing ka official page.",
            "ps": "{acr} {region} – د {region} څانګې رسمي پاڼه.",
        },
    ],
    "spokesman": [
        {
            "en": "Statements of the spokesman of {name}.",
            "ur": "{name} کے ترجمان کے بیانات۔",
            "ro": "{name} ke tarjuman ke bayanat.",
            "ps": "د {name} د ویاند بیانیې.",
        },
        {
            "en": "Spokesperson, {acr}. Only statements posted here are authentic.",
            "ur": "ترجمان {acr}۔ صرف یہاں جاری بیانات مستند ہیں۔",
            "ro": "Tarjuman {acr}. Sirf yahan jari bayanat mustanad hain.",
            "ps": "ویاند {acr}. یوازې دلته خپاره شوې بیانیې معتبرې دي.",
        },
    ],
    "member": [
        {
            "en": "Servant of {cause}. From {region}.",
            "ur": "{cause} کا خادم۔ {region} سے۔",
            "ro": "{cause} ka khadim. {region} se.",
            "ps": "د {cause} خدمتګار. له {region} څخه.",
        },
        {
            "en": "With {acr} till the last breath.",
            "ur": "آخری سانس تک {acr} کے ساتھ۔",
            "ro": "Akhri saans tak {acr} ke sath.",
            "ps": "تر وروستۍ سا پورې له {acr} سره.",
        },
        {
            "en": "{region} | {cause} | {acr}",
            "ur": "{region} | {cause} | {acr}",
            "ro": "{region} | {cause} | {acr}",
            "ps": "{region} | {cause} | {acr}",
        },
    ],
    "fan": [
        {
            "en": "Supporters of {cause}. Share and follow.",
            "ur": "{cause} کے حامی۔ شیئر اور فالو کریں۔",
            "ro": "{cause} ke hami. Share aur follow karein.",
            "ps": "د {cause} ملاتړي. شریک یې کړئ او تعقیب یې کړئ.",
        },
        {
            "en": "Voice of {cause} – for the lovers of {acr}.",
            "ur": "{cause} کی آواز – {acr} کے چاہنے والوں کے لیے۔",
            "ro": "{cause} ki awaz – {acr} ke chahne walon ke liye.",
            "ps": "د {cause} غږ – د {acr} مینه والو لپاره.",
        },
    ],
    "news": [
        {
            "en": "Latest news and updates from {cause}.",
            "ur": "{cause} سے تازہ خبریں اور اپڈیٹس۔",
            "ro": "{cause} se taza khabrein aur updates.",
            "ps": "له {cause} څخه تازه خبرونه.",
        },
        {
            "en": "{cause} News Agency – reports from {region}.",
            "ur": "{cause} نیوز ایجنسی – {region} سے رپورٹس۔",
            "ro": "{cause} News Agency – {region} se reports.",
            "ps": "{cause} خبري اژانس – له {region} راپورونه.",
        },
    ],
    "first": [
        {
            "en": "Videos, audio and statements are published here first.",
            "ur": "تمام ویڈیوز، آڈیو اور بیانات سب سے پہلے یہاں شائع ہوتے ہیں۔",
            "ro": "Tamam videos, audio aur bayanat sab se pehle yahan shaye hote hain.",
            "ps": "ټولې ویډیوګانې، غږونه او بیانیې لومړی دلته خپرېږي.",
        },
        {
            "en": "All our releases appear here before anywhere else.",
            "ur": "ہماری ہر ریلیز سب سے پہلے اسی صفحے پر آتی ہے۔",
            "ro": "Hamari har release sab se pehle isi page par aati hai.",
            "ps": "زموږ هره خپرونه تر بل ځای مخکې دلته راځي.",
        },
    ],
    "only": [
        {
            "en": "Only this account is ours; beware of fake pages.",
            "ur": "صرف یہ اکاؤنٹ ہمارا ہے، جعلی صفحات سے ہوشیار رہیں۔",
            "ro": "Sirf yeh account hamara hai, jaali pages se hoshiyar rahein.",
            "ps": "یوازې دا حساب زموږ دی، له جعلي پاڼو ځان وساتئ.",
        },
        {
            "en": "Beware of fake accounts using our name.",
            "ur": "ہمارے نام سے بنے جعلی اکاؤنٹس سے خبردار رہیں۔",
            "ro": "Hamare naam se bane fake accounts se khabardar rahein.",
            "ps": "زموږ په نوم له جعلي حسابونو خبر اوسئ.",
        },
    ],
    "join": [
        {
            "en": "Join our Telegram for daily updates: {tg}",
            "ur": "روزانہ اپڈیٹس کے لیے ہمارا ٹیلیگرام جوائن کریں: {tg}",
            "ro": "Rozana updates ke liye hamara Telegram join karein: {tg}",
            "ps": "د ورځنیو خبرونو لپاره زموږ ټیلیګرام ته ورشئ: {tg}",
        },
        {
            "en": "Telegram: {tg}",
            "ur": "ٹیلیگرام: {tg}",
            "ro": "Telegram: {tg}",
            "ps": "ټیلیګرام: {tg}",
        },
        {
            "en": "Our channel ➡️ {tg}",
            "ur": "ہمارا چینل ⬅️ {tg}",
            "ro": "Hamara channel ➡️ {tg}",
            "ps": "زموږ چینل ⬅️ {tg}",
        },
    ],
    "since": [
        {"en": "Since {year}.", "ur": "{year} سے۔", "ro": "{year} se.", "ps": "له {year} راهیسې."},
        {"en": "Est. {year}", "ur": "قیام {year}", "ro": "Qayam {year}", "ps": "تاسیس {year}"},
    ],
    "share": [
        {
            "en": "Share so the message reaches everyone.",
            "ur": "پیغام سب تک پہنچانے کے لیے شیئر کریں۔",
            "ro": "Paigham sab tak pohanchane ke liye share karein.",
            "ps": "پیغام ټولو ته د رسولو لپاره یې شریک کړئ.",
        },
        {
            "en": "Spread the word.",
            "ur": "بات آگے پہنچائیں۔",
            "ro": "Baat aage pohanchayein.",
            "ps": "خبره نورو ته ورسوئ.",
        },
    ],
    "langs": [
        {
            "en": "Content in Urdu, Pashto and English.",
            "ur": "اردو، پشتو اور انگریزی میں مواد۔",
            "ro": "Urdu, Pashto aur English mein mawad.",
            "ps": "په اردو، پښتو او انګرېزي کې مواد.",
        },
    ],
    "nth": [
        {
            "en": "Our {n}th account; the previous ones were removed.",
            "ur": "یہ ہمارا {n}واں اکاؤنٹ ہے، پچھلے ہٹا دیے گئے۔",
            "ro": "Yeh hamara {n}wan account hai, pichle hata diye gaye.",
            "ps": "دا زموږ {n}م حساب دی، مخکیني لرې شول.",
        },
    ],
    "slogan": [{"en": "{slogan}", "ur": "{slogan}", "ro": "{slogan}", "ps": "{slogan}"}],
    "region": [
        {
            "en": "Reports from {region} and surrounding areas.",
            "ur": "{region} اور گرد و نواح سے رپورٹس۔",
            "ro": "{region} aur gird o nawah se reports.",
            "ps": "له {region} او شاوخوا سیمو راپورونه.",
        },
    ],
}
ROLE_INTRO = {
    "official": "official",
    "media": "media",
    "chapter": "chapter",
    "spokesman": "spokesman",
    "member": "member",
    "fan": "fan",
    "news": "news",
}
EXTRAS = ("first", "only", "join", "since", "share", "langs", "slogan", "region", "nth")


def slot_values(spec: BioSpec) -> dict[str, str]:
    """The slots of a bio in its language."""
    s, lang = spec.slots, spec.lang
    g = BY_KEY[s["group"]]
    li = LANGS.index(lang)
    if lang == "en":
        name = g.en[int(s.get("name_idx", "0")) % len(g.en)]
    elif lang == "ro":
        name = s.get("roman") or vary(g.roman, random.Random(s["group"]))
    elif lang == "ps" and g.other:
        name = g.other[0].removeprefix("د ")
    else:
        name = g.ur[int(s.get("name_idx", "0")) % len(g.ur)]
    wing = (
        g.wings[int(s.get("wing", "0")) % len(g.wings)]
        if g.wings
        else (f"{g.acronyms[0]} Media", f"{g.acronyms[0]} میڈیا")
    )
    latin = lang in ("en", "ro")
    return {
        "name": name,
        "acr": g.acronyms[0],
        "wing": wing[0] if latin else wing[1],
        "region": s.get("region", "") if latin else region_ur(s.get("region", "")),
        "cause": g.cause[0] if latin else g.cause[1],
        "slogan": SLOGANS[g.slogan][li],
        "tg": s.get("tg", ""),
        "year": s.get("year", ""),
        "n": s.get("n", ""),
        "old": s.get("old", ""),
        "contact": s.get("contact", ""),
    }


def render(spec: BioSpec, extra: dict[str, list[F]] | None = None) -> str:
    table = {**MEANINGS, **(extra or {})}
    values = slot_values(spec)
    texts = [table[m][v % len(table[m])][spec.lang].format(**values) for m, v in spec.parts]
    body = spec.sep.join(t for t in texts if t.strip())
    return f"{body} {spec.tail}".strip() if spec.tail else body


def choose_lang(rng: random.Random, group_key: str) -> str:
    from .groups import LANG_MIX

    mix = LANG_MIX[BY_KEY[group_key].mix]
    return pick(rng, list(mix), list(mix.values()))


def make(
    rng: random.Random, group_key: str, role: str, slots: dict[str, str], long: bool
) -> BioSpec:
    """A bio for a bank account: an intro by role, then extras (more of them when `long`)."""
    lang = choose_lang(rng, group_key)
    intro = ROLE_INTRO[role]
    parts = [(intro, rng.randrange(len(MEANINGS[intro])))]
    n_extra = rng.randint(2, 3) if long else rng.randint(0, 1)
    pool = [
        e for e in EXTRAS if (e != "join" or slots.get("tg")) and (e != "nth" or chance(rng, 0.4))
    ]
    if lang != "ps" and "langs" in pool and chance(rng, 0.5):
        pool.remove("langs")
    for m in rng.sample(pool, min(n_extra, len(pool))):
        parts.append((m, rng.randrange(len(MEANINGS[m]))))
    sep = pick(rng, (" ", " ", " | ", "\n", " • "))
    tail = ""
    if chance(rng, 0.35):
        g = BY_KEY[group_key]
        tags = [f"#{g.acronyms[0].replace('-', '')}", f"#{g.cause[0].replace(' ', '')}"]
        if slots.get("region"):
            tags.append("#" + slots["region"].replace(" ", ""))
        tail = " ".join(rng.sample(tags, rng.randint(1, len(tags))))
    if chance(rng, 0.25):
        tail = (
            tail + " " + "".join(rng.sample(["🦅", "🏴", "☝️", "🔥", "📢", "🌙", "✊", "💚"], 2))
        ).strip()
    return BioSpec(lang, parts, dict(slots), sep, tail)
