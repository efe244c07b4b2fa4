"""Proscribed groups of Pakistan, curated by hand from general public knowledge.

Names are given in English, Urdu script, a canonical Roman Urdu form (spelled many ways by
`translit.vary`) and, where the group uses it, Pashto, Arabic or Sindhi. Media wings, regions
and palettes are for making profiles and logos; they are approximate, not a reference.
"""

from __future__ import annotations

from dataclasses import dataclass

LANG_MIX = {
    "pashtun": {"ur": 0.32, "ps": 0.26, "ro": 0.22, "en": 0.2},
    "global": {"en": 0.34, "ps": 0.24, "ur": 0.22, "ro": 0.2},
    "baloch": {"en": 0.45, "ro": 0.33, "ur": 0.22},
    "sindhi": {"en": 0.42, "ro": 0.3, "ur": 0.28},
    "punjab": {"ur": 0.45, "ro": 0.35, "en": 0.2},
}

# fmt: off
SLOGANS = {
    "baloch": ("Azad Balochistan", "آزاد بلوچستان", "Azad Balochistan", "ازاد بلوچستان"),
    "sindhi": ("Jeay Sindh", "جئے سندھ", "Jeay Sindh", "جئے سندھ"),
    "takbir": ("Allahu Akbar", "اللہ اکبر", "Allah-o-Akbar", "الله اکبر"),
    "labbaik": ("Labbaik Ya Rasool Allah", "لبیک یا رسول اللہ",
                "Labbaik Ya Rasool Allah", "لبیک یا رسول الله"),
    "hussain": ("Labbaik Ya Hussain", "لبیک یا حسین", "Labbaik Ya Hussain", "لبیک یا حسین"),
    "sahaba": ("Azmat-e-Sahaba", "عظمت صحابہ", "Azmat e Sahaba", "د صحابه عظمت"),
    "kashmir": ("Kashmir Banega Pakistan", "کشمیر بنے گا پاکستان",
                "Kashmir banega Pakistan", "کشمیر به پاکستان شي"),
}
# fmt: on


@dataclass(frozen=True)
class Group:
    key: str
    acronyms: tuple[str, ...]
    en: tuple[str, ...]
    ur: tuple[str, ...]
    roman: str  # canonical Roman Urdu; "e" between words is the izafat
    other: tuple[str, ...]  # Pashto, Arabic or Sindhi spellings
    wings: tuple[tuple[str, str], ...]  # media wings: (Latin, Urdu script)
    regions: tuple[str, ...]
    mix: str  # a key of LANG_MIX
    cause: tuple[str, str]  # a word the group's fan pages use: (Latin, Urdu script)
    slogan: str  # a key of SLOGANS
    palette: tuple[str, str, str]
    banner: str  # the flag or banner its accounts use: see images.draw.BANNERS or a country code
    weight: float


# fmt: off
_KP = ("Swat", "Waziristan", "Bajaur", "Mohmand", "Khyber", "Bannu", "Lakki Marwat", "Tank",
       "Peshawar", "Malakand", "Dera Ismail Khan", "Kohat", "Orakzai", "Kurram")
_BAL = ("Kech", "Panjgur", "Kharan", "Quetta", "Bolan", "Noshki", "Gwadar", "Turbat", "Awaran",
       "Kalat", "Mastung", "Khuzdar", "Kohlu", "Dera Bugti")
_SINDH = ("Karachi", "Hyderabad", "Larkana", "Sukkur", "Dadu", "Nawabshah")
_PUNJAB = ("Lahore", "Jhang", "Karachi", "Quetta", "Bahawalpur", "Multan", "Rawalpindi",
       "Faisalabad", "Muzaffarabad")
# fmt: on

# fmt: off
GROUPS: tuple[Group, ...] = (
    Group("TTP", ("TTP",), ("Tehreek-e-Taliban Pakistan", "Pakistani Taliban"),
        ("تحریک طالبان پاکستان", "تحریک طالبان"), "tehreek e taliban pakistan",
        ("د پاکستان طالبان تحریک", "تحريك طالبان باكستان"),
        (("Umar Media", "عمر میڈیا"), ("Umar Studio", "عمر اسٹوڈیو")), _KP, "pashtun",
        ("Tehreek", "تحریک"), "takbir", ("#ffffff", "#111111", "#1d5e2b"), "shahada_white", 0.13),
    Group("ISKP", ("ISKP", "ISK", "IS-K"),
        ("Islamic State Khorasan Province", "Wilayat Khorasan", "Daesh Khorasan"),
        ("ولایت خراسان", "داعش خراسان", "دولت اسلامیہ خراسان"), "wilayat e khorasan",
        ("د خراسان ولایت", "ولاية خراسان"),
        (("Al-Azaim Foundation", "العزائم فاؤنڈیشن"), ("Khurasan Ghag", "خراسان غگ")),
        ("Kunar", "Nangarhar", "Peshawar", "Bajaur", "Orakzai", "Kabul", "Jalalabad"), "global",
        ("Khurasan", "خراسان"), "takbir", ("#000000", "#ffffff", "#7a0c0c"), "shahada_black", 0.09),
    Group("BLA", ("BLA",), ("Balochistan Liberation Army", "Baloch Liberation Army"),
        ("بلوچستان لبریشن آرمی", "بلوچ لبریشن آرمی"), "balochistan liberation army", (),
        (("Hakkal", "ہکل"), ("Jeeyand", "جیئند"), ("Majeed Brigade", "مجید بریگیڈ")), _BAL,
        "baloch", ("Balochistan", "بلوچستان"), "baloch", ("#1f4e9c", "#c8102e", "#1b7a3a"),
        "balochistan", 0.11),
    Group("BLF", ("BLF",), ("Balochistan Liberation Front", "Baloch Liberation Front"),
        ("بلوچستان لبریشن فرنٹ", "بلوچ لبریشن فرنٹ"), "balochistan liberation front", (),
        (("Aashob Media", "آشوب میڈیا"),), _BAL, "baloch", ("Baloch Watan", "بلوچ وطن"), "baloch",
        ("#c8102e", "#1b7a3a", "#f2c200"), "balochistan", 0.06),
    Group("BRA", ("BRA",), ("Baloch Republican Army",), ("بلوچ ریپبلکن آرمی",),
        "baloch republican army", (), (("Sangar Media", "سنگر میڈیا"),), _BAL, "baloch",
        ("Balochistan", "بلوچستان"), "baloch", ("#0b3d91", "#e03a3e", "#ffffff"), "balochistan",
        0.03),
    Group("BRAS", ("BRAS",), ("Baloch Raji Aajoi Sangar",), ("بلوچ راجی آجوئی سنگر",),
        "baloch raji aajoi sangar", (), (("Raji Media", "راجی میڈیا"),), _BAL, "baloch",
        ("Baloch Raj", "بلوچ راج"), "baloch", ("#7a1f1f", "#2a6e2a", "#f4f4f4"), "balochistan",
        0.02),
    Group("UBA", ("UBA",), ("United Baloch Army",), ("یونائیٹڈ بلوچ آرمی",), "united baloch army",
        (), (), _BAL, "baloch", ("Baloch", "بلوچ"), "baloch", ("#2c2c2c", "#c8102e", "#4c9a2a"),
        "balochistan", 0.015),
    Group("BSO-A", ("BSO-Azad", "BSO Azad"), ("Baloch Students Organisation-Azad",),
        ("بلوچ اسٹوڈنٹس آرگنائزیشن آزاد",), "baloch students organisation azad", (), (), _BAL,
        "baloch", ("Baloch Students", "بلوچ طلبہ"), "baloch", ("#b22222", "#ffffff", "#006400"),
        "balochistan", 0.02),
    Group("LeB", ("LeB",), ("Lashkar-e-Balochistan",), ("لشکر بلوچستان",), "lashkar e balochistan",
        (), (), _BAL, "baloch", ("Balochistan", "بلوچستان"), "baloch",
        ("#333366", "#cc3333", "#ffffff"), "balochistan", 0.01),
    Group("JuA", ("JuA", "JA"), ("Jamaat-ul-Ahrar",), ("جماعت الاحرار",), "jamaat ul ahrar",
        ("جماعة الأحرار",), (("Ghazi Media", "غازی میڈیا"),), _KP, "pashtun", ("Ahrar", "احرار"),
        "takbir", ("#000000", "#d4af37", "#ffffff"), "shahada_black", 0.04),
    Group("HuA", ("HuA",), ("Hizb-ul-Ahrar",), ("حزب الاحرار",), "hizb ul ahrar", ("حزب الأحرار",),
        (), _KP, "pashtun", ("Ahrar", "احرار"), "takbir", ("#1a1a1a", "#8b0000", "#f5f5f5"),
        "shahada_black", 0.02),
    Group("LeJ", ("LeJ", "LJ"), ("Lashkar-e-Jhangvi",), ("لشکر جھنگوی",), "lashkar e jhangvi", (),
        (), _PUNJAB, "punjab", ("Jhangvi", "جھنگوی"), "sahaba", ("#000000", "#ffffff", "#b30000"),
        "sahaba", 0.04),
    Group("SSP", ("SSP", "ASWJ"), ("Sipah-e-Sahaba Pakistan", "Ahle Sunnat Wal Jamaat"),
        ("سپاہ صحابہ پاکستان", "اہل سنت والجماعت"), "sipah e sahaba pakistan", (),
        (("Haq Char Yaar Media", "حق چار یار میڈیا"),), _PUNJAB, "punjab", ("Sahaba", "صحابہ"),
        "sahaba", ("#000000", "#ffffff", "#b30000"), "sahaba", 0.05),
    Group("SMP", ("SMP",), ("Sipah-e-Muhammad Pakistan",), ("سپاہ محمد پاکستان",),
        "sipah e muhammad pakistan", (), (), _PUNJAB, "punjab", ("Sipah", "سپاہ"), "hussain",
        ("#006400", "#000000", "#ffffff"), "hussain", 0.02),
    Group("ZB", ("Zainabiyoun",), ("Zainabiyoun Brigade",), ("زینبیون بریگیڈ",),
        "zainabiyoun brigade", ("لواء زينبيون",), (),
        ("Parachinar", "Kurram", "Karachi", "Gilgit", "Quetta"), "punjab",
        ("Zainabiyoun", "زینبیون"), "hussain", ("#0a5c36", "#f1c40f", "#111111"), "hussain", 0.02),
    Group("JeM", ("JeM", "JM"), ("Jaish-e-Muhammad", "Jaish-e-Mohammed"), ("جیش محمد",),
        "jaish e muhammad", ("جيش محمد",), (("Al-Qalam", "القلم"),), _PUNJAB, "punjab",
        ("Jaish", "جیش"), "kashmir", ("#000000", "#ffffff", "#0b6623"), "shahada_black", 0.04),
    Group("LeT", ("LeT", "LT"), ("Lashkar-e-Taiba", "Lashkar-e-Tayyiba"), ("لشکر طیبہ",),
        "lashkar e taiba", (), (), _PUNJAB, "punjab", ("Kashmir", "کشمیر"), "kashmir",
        ("#0b6623", "#000000", "#ffffff"), "shahada_white", 0.035),
    Group("JuD", ("JuD", "JD"), ("Jamaat-ud-Dawa",), ("جماعۃ الدعوۃ", "جماعت الدعوہ"),
        "jamaat ud dawa", (), (("Ghazwa Times", "غزوہ ٹائمز"),), _PUNJAB, "punjab",
        ("Dawa", "دعوت"), "kashmir", ("#0b6623", "#ffffff", "#c9a227"), "pk", 0.03),
    Group("FIF", ("FIF",), ("Falah-e-Insaniat Foundation",), ("فلاح انسانیت فاؤنڈیشن",),
        "falah e insaniat foundation", (), (), _PUNJAB, "punjab", ("Khidmat", "خدمت"), "kashmir",
        ("#1565c0", "#ffffff", "#2e7d32"), "pk", 0.02),
    Group("HuM", ("HuM",), ("Harkat-ul-Mujahideen",), ("حرکت المجاہدین",), "harkat ul mujahideen",
        ("حركة المجاهدين",), (), _PUNJAB, "punjab", ("Mujahideen", "مجاہدین"), "kashmir",
        ("#000000", "#ffffff", "#006400"), "shahada_black", 0.02),
    Group("HuJI", ("HuJI",), ("Harkat-ul-Jihad-al-Islami",), ("حرکت الجہاد الاسلامی",),
        "harkat ul jihad al islami", ("حركة الجهاد الإسلامي",), (), _PUNJAB, "punjab",
        ("Jihad", "جہاد"), "takbir", ("#000000", "#ffffff", "#8b0000"), "shahada_black", 0.015),
    Group("LeI", ("LeI",), ("Lashkar-e-Islam",), ("لشکر اسلام",), "lashkar e islam",
        ("د اسلام لښکر",), (), ("Khyber", "Bara", "Tirah", "Peshawar", "Jamrud"), "pashtun",
        ("Lashkar", "لشکر"), "takbir", ("#000000", "#ffffff", "#2e7d32"), "shahada_white", 0.02),
    Group("TNSM", ("TNSM",), ("Tehreek-e-Nafaz-e-Shariat-e-Muhammadi",),
        ("تحریک نفاذ شریعت محمدی",), "tehreek e nifaz e shariat e muhammadi",
        ("د محمدي شریعت د نفاذ تحریک",), (), ("Swat", "Malakand", "Dir", "Buner", "Bajaur"),
        "pashtun", ("Shariat", "شریعت"), "takbir", ("#1b5e20", "#ffffff", "#000000"),
        "shahada_white", 0.02),
    Group("HuT", ("HuT", "HT"), ("Hizb-ut-Tahrir",), ("حزب التحریر",), "hizb ut tahrir",
        ("حزب التحرير",), (("Wilayah Pakistan Media", "ولایہ پاکستان میڈیا"),),
        ("Lahore", "Karachi", "Islamabad", "Peshawar", "Multan"), "punjab", ("Khilafat", "خلافت"),
        "takbir", ("#000000", "#ffffff", "#333333"), "shahada_black", 0.025),
    Group("TLP", ("TLP",), ("Tehreek-e-Labbaik Pakistan",), ("تحریک لبیک پاکستان",),
        "tehreek e labbaik pakistan", (), (("Labbaik Media Cell", "لبیک میڈیا سیل"),), _PUNJAB,
        "punjab", ("Labbaik", "لبیک"), "labbaik", ("#00843d", "#ffffff", "#000000"), "labbaik",
        0.05),
    Group("JUNDULLAH", ("Jundullah",), ("Jundullah", "Jundallah"), ("جنداللہ",), "jundullah",
        ("جند الله",), (), ("Karachi", "Quetta", "Mastung", "Peshawar"), "global", ("Jund", "جند"),
        "takbir", ("#000000", "#ffffff", "#555555"), "shahada_black", 0.015),
    Group("TJP", ("TJP",), ("Tehreek-e-Jihad Pakistan",), ("تحریک جہاد پاکستان",),
        "tehreek e jihad pakistan", (), (), _KP, "pashtun", ("Jihad", "جہاد"), "takbir",
        ("#000000", "#ffffff", "#1b5e20"), "shahada_white", 0.015),
    Group("AQIS", ("AQIS",), ("Al-Qaeda in the Indian Subcontinent",),
        ("القاعدہ برصغیر", "جماعت قاعدۃ الجہاد برصغیر"), "al qaeda barr e sagheer",
        ("قاعدة الجهاد في شبه القارة الهندية",), (("As-Sahab Media", "السحاب میڈیا"),),
        ("Karachi", "Lahore", "Kashmir", "Waziristan"), "global", ("Jihad", "جہاد"), "takbir",
        ("#000000", "#ffffff", "#c9a227"), "shahada_black", 0.025),
    Group("HGB", ("HGB",), ("Hafiz Gul Bahadur Group",), ("حافظ گل بہادر گروپ",),
        "hafiz gul bahadur group", ("د حافظ ګل بهادر ډله",), (),
        ("Waziristan", "Bannu", "Miranshah", "Mir Ali"), "pashtun", ("Waziristan", "وزیرستان"),
        "takbir", ("#ffffff", "#000000", "#2e7d32"), "shahada_white", 0.02),
    Group("JuF", ("JuF",), ("Jamaat-ul-Furqan",), ("جماعت الفرقان",), "jamaat ul furqan",
        ("جماعة الفرقان",), (), _PUNJAB, "punjab", ("Furqan", "فرقان"), "takbir",
        ("#003366", "#ffffff", "#000000"), "shahada_black", 0.01),
    Group("SRA", ("SRA",), ("Sindhudesh Revolutionary Army",), ("سندھودیش ریوولیوشنری آرمی",),
        "sindhudesh revolutionary army", ("سنڌو ديش انقلابي فوج",), (), _SINDH, "sindhi",
        ("Sindhudesh", "سندھودیش"), "sindhi", ("#c8102e", "#000000", "#ffffff"), "sindhudesh",
        0.02),
    Group("SDLA", ("SDLA",), ("Sindhudesh Liberation Army",), ("سندھودیش لبریشن آرمی",),
        "sindhudesh liberation army", ("سنڌو ديش لبريشن آرمي",), (), _SINDH, "sindhi",
        ("Sindhudesh", "سندھودیش"), "sindhi", ("#b71c1c", "#ffffff", "#212121"), "sindhudesh",
        0.015),
    Group("JSQM-A", ("JSQM-A",), ("Jeay Sindh Qaumi Mahaz-Aresar",), ("جئے سندھ قومی محاذ آریسر",),
        "jeay sindh qaumi mahaz aresar", ("جيئي سنڌ قومي محاذ آريسر",), (), _SINDH, "sindhi",
        ("Sindh", "سندھ"), "sindhi", ("#d32f2f", "#ffffff", "#000000"), "sindhudesh", 0.015),
)
# fmt: on

BY_KEY = {g.key: g for g in GROUPS}
