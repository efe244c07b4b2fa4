"""Legitimate organisations of the region, curated by hand: parties, news outlets, state bodies.

Logos and flags are drawn by `images.draw` from a style and a palette, not copied.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Org:
    acr: str
    en: str
    ur: str
    palette: tuple[str, str, str]
    style: str  # a logo style of images.draw.logo
    handle: str  # the handle material it uses
    region: str = ""  # where it is, for chapters and bureaus
    slogan: str = ""


# fmt: off
PARTIES: tuple[Org, ...] = (
    Org("PTI", "Pakistan Tehreek-e-Insaf", "پاکستان تحریک انصاف",
        ("#ffffff", "#c8102e", "#1b7a3a"), "stripes", "pti", slogan="Pakistan Zindabad"),
    Org("PML-N", "Pakistan Muslim League (N)", "پاکستان مسلم لیگ ن",
        ("#0b6623", "#ffffff", "#f2c200"), "roundel", "pmln", slogan="Pakistan Zindabad"),
    Org("PPP", "Pakistan Peoples Party", "پاکستان پیپلز پارٹی", ("#000000", "#c8102e", "#1b7a3a"),
        "stripes", "ppp", slogan="Jeay Bhutto"),
    Org("ANP", "Awami National Party", "عوامی نیشنل پارٹی", ("#c8102e", "#ffffff", "#000000"),
        "roundel", "anp", slogan="Bacha Khan Zindabad"),
    Org("JUI-F", "Jamiat Ulema-e-Islam (F)", "جمعیت علمائے اسلام ف",
        ("#000000", "#ffffff", "#1b5e20"), "stripes", "juif", slogan="Allahu Akbar"),
    Org("MQM-P", "Muttahida Qaumi Movement Pakistan", "متحدہ قومی موومنٹ پاکستان",
        ("#c8102e", "#1b7a3a", "#ffffff"), "stripes", "mqmp"),
    Org("BNP-M", "Balochistan National Party (Mengal)", "بلوچستان نیشنل پارٹی مینگل",
        ("#c8102e", "#1b7a3a", "#1f4e9c"), "badge", "bnp", slogan="Balochistan"),
    Org("NP", "National Party", "نیشنل پارٹی", ("#1f4e9c", "#c8102e", "#ffffff"), "roundel",
        "nationalparty"),
    Org("BAP", "Balochistan Awami Party", "بلوچستان عوامی پارٹی",
        ("#1b7a3a", "#ffffff", "#c8102e"), "badge", "bap"),
    Org("JI", "Jamaat-e-Islami Pakistan", "جماعت اسلامی پاکستان",
        ("#1565c0", "#ffffff", "#2e7d32"), "roundel", "jamaateislami", slogan="Allahu Akbar"),
    Org("PkMAP", "Pashtunkhwa Milli Awami Party", "پشتونخوا ملی عوامی پارٹی",
        ("#c8102e", "#ffffff", "#1b7a3a"), "stripes", "pkmap"),
    Org("QWP", "Qaumi Watan Party", "قومی وطن پارٹی", ("#c8102e", "#ffffff", "#1b7a3a"), "badge",
        "qwp"),
    Org("MWM", "Majlis Wahdat-e-Muslimeen", "مجلس وحدت مسلمین", ("#000000", "#1b7a3a", "#c8102e"),
        "emblem", "mwm", slogan="Labbaik Ya Hussain"),
    Org("PML-Q", "Pakistan Muslim League (Q)", "پاکستان مسلم لیگ ق",
        ("#1b7a3a", "#ffffff", "#000000"), "shield", "pmlq"),
    Org("JWP", "Jamhoori Watan Party", "جمہوری وطن پارٹی", ("#c8102e", "#1b7a3a", "#ffffff"),
        "badge", "jwp"),
    Org("HDP", "Hazara Democratic Party", "ہزارہ ڈیموکریٹک پارٹی",
        ("#1f4e9c", "#f2c200", "#ffffff"), "roundel", "hdp"),
    Org("IPP", "Istehkam-e-Pakistan Party", "استحکام پاکستان پارٹی",
        ("#1b7a3a", "#ffffff", "#c8102e"), "emblem", "ipp"),
    Org("AML", "Awami Muslim League", "عوامی مسلم لیگ", ("#c8102e", "#ffffff", "#1b7a3a"),
        "shield", "aml"),
)
# fmt: on
PARTY_WINGS = (
    ("Insaf Students Federation", "ISF", "PTI"),
    ("Peoples Students Federation", "PSF", "PPP"),
    ("Pakhtun Students Federation", "PSF", "ANP"),
    ("Islami Jamiat Talaba", "IJT", "JI"),
    ("Baloch Students Organization", "BSO", "BNP-M"),
    ("Muslim Students Federation", "MSF", "PML-N"),
    ("Jamiat Talaba Islam", "JTI", "JUI-F"),
    ("PTI Women Wing", "PTI WW", "PTI"),
    ("Peoples Youth Organisation", "PYO", "PPP"),
    ("Insaf Youth Wing", "IYW", "PTI"),
)
PROVINCES = (
    "Khyber Pakhtunkhwa",
    "Balochistan",
    "Sindh",
    "Punjab",
    "Islamabad",
    "Karachi",
    "Peshawar",
    "Quetta",
    "Lahore",
    "Gilgit-Baltistan",
    "AJK",
)
PROVINCES_UR = {
    "Khyber Pakhtunkhwa": "خیبر پختونخوا",
    "Balochistan": "بلوچستان",
    "Sindh": "سندھ",
    "Punjab": "پنجاب",
    "Islamabad": "اسلام آباد",
    "Karachi": "کراچی",
    "Peshawar": "پشاور",
    "Quetta": "کوئٹہ",
    "Lahore": "لاہور",
    "Gilgit-Baltistan": "گلگت بلتستان",
    "AJK": "آزاد کشمیر",
}

# fmt: off
OUTLETS: tuple[Org, ...] = (
    Org("DAWN", "Dawn", "ڈان", ("#ffffff", "#0a3d62", "#c0392b"), "wordmark", "dawn_com"),
    Org("GEO", "Geo News", "جیو نیوز", ("#ffffff", "#d4001a", "#1a1a1a"), "split", "geonews"),
    Org("ARY", "ARY News", "اے آر وائی نیوز", ("#111111", "#e74c3c", "#ffffff"), "split",
        "arynews"),
    Org("ET", "The Express Tribune", "ایکسپریس ٹریبیون", ("#ffffff", "#0d47a1", "#d32f2f"),
        "wordmark", "etribune"),
    Org("BBC", "BBC News اردو", "بی بی سی اردو", ("#b80000", "#ffffff", "#000000"), "wordmark",
        "bbcurdu"),
    Org("VOA", "VOA Deewa", "وی او اے ډیوه", ("#1f4e9c", "#ffffff", "#c8102e"), "wordmark",
        "voadeewa"),
    Org("MASHAAL", "Mashaal Radio", "مشال راډیو", ("#ffffff", "#e65100", "#1a1a1a"), "emblem",
        "mashaalradio"),
    Org("SAMAA", "SAMAA TV", "سماء", ("#ffffff", "#1565c0", "#c62828"), "wordmark", "samaatv"),
    Org("DUNYA", "Dunya News", "دنیا نیوز", ("#ffffff", "#c62828", "#1a237e"), "split",
        "dunyanews"),
    Org("AAJ", "Aaj News", "آج نیوز", ("#ffffff", "#d32f2f", "#0b6623"), "badge", "aajnews"),
    Org("KN", "Khyber News", "خیبر نیوز", ("#0b6623", "#ffffff", "#f2c200"), "roundel",
        "khybernews"),
    Org("MASHRIQ", "Daily Mashriq", "روزنامہ مشرق", ("#ffffff", "#1a1a1a", "#c62828"),
        "calligraphic", "dailymashriq"),
    Org("INTIKHAB", "Daily Intikhab Quetta", "روزنامہ انتخاب", ("#ffffff", "#0d47a1", "#c62828"),
        "calligraphic", "intikhabnews", region="Quetta"),
    Org("JANG", "Daily Jang", "روزنامہ جنگ", ("#ffffff", "#c62828", "#111111"), "calligraphic",
        "jangnews"),
    Org("TNI", "The News", "دی نیوز", ("#ffffff", "#111111", "#c62828"), "wordmark",
        "thenews_intl"),
    Org("INDY", "Independent Urdu", "انڈپینڈنٹ اردو", ("#ffffff", "#e53935", "#111111"),
        "wordmark", "indyurdu"),
    Org("UN", "Urdu News", "اردو نیوز", ("#0b6623", "#ffffff", "#f2c200"), "roundel", "urdunews"),
    Org("TOLO", "TOLOnews", "طلوع نیوز", ("#c62828", "#ffffff", "#111111"), "split", "tolonews"),
    Org("PAJHWOK", "Pajhwok Afghan News", "پژواک", ("#0d47a1", "#ffffff", "#c62828"), "emblem",
        "pajhwok"),
    Org("KHAAMA", "Khaama Press", "خامه پرس", ("#111111", "#ffffff", "#0b6623"), "wordmark",
        "khaamapress"),
    Org("ARAB", "Arab News Pakistan", "عرب نیوز پاکستان", ("#ffffff", "#0b6623", "#111111"),
        "wordmark", "arabnewspk"),
    Org("BALV", "Balochistan Voice", "بلوچستان وائس", ("#1f4e9c", "#ffffff", "#c8102e"), "badge",
        "balochistanvoice", region="Quetta"),
    Org("KPT", "KP Times", "کے پی ٹائمز", ("#ffffff", "#0b6623", "#c62828"), "wordmark", "kptimes",
        region="Peshawar"),
    Org("TRIBAL", "Tribal News Network", "ٹرائبل نیوز نیٹ ورک", ("#f2c200", "#111111", "#ffffff"),
        "emblem", "tnn_pk", region="Peshawar"),
    Org("GWADAR", "Gwadar Post", "گوادر پوسٹ", ("#0277bd", "#ffffff", "#f2c200"), "roundel",
        "gwadarpost", region="Gwadar"),
    Org("TKD", "The Khorasan Diary", "د خراسان ډایري", ("#111111", "#ffffff", "#b71c1c"),
        "wordmark", "khorasan_diary"),
    Org("SWAT", "Swat News", "سوات نیوز", ("#1b5e20", "#ffffff", "#f2c200"), "badge", "swatnews",
        region="Swat"),
    Org("SINDH", "Sindh TV News", "سندھ ٹی وی نیوز", ("#c62828", "#ffffff", "#111111"), "split",
        "sindhtvnews", region="Hyderabad"),
)
# fmt: on
PROGRAMMES = (
    "Capital Talk",
    "Off The Record",
    "Jirga",
    "Aaj Shahzeb Khanzada Kay Sath",
    "Naya Pakistan",
    "Tonight with Fereeha",
    "Khabar",
    "Report Card",
    "Sawal Yeh Hai",
    "Breaking Point",
    "Zara Hat Kay",
    "Kharra Sach",
    "Da Pakhtunkhwa Ghag",
    "Sairbeen",
)

# fmt: off
STATE: tuple[Org, ...] = (
    Org("ISPR", "Inter Services Public Relations", "آئی ایس پی آر",
        ("#0b3d0b", "#ffffff", "#f2c200"), "shield", "ispr_official"),
    Org("MOI", "Ministry of Interior", "وزارت داخلہ", ("#0b6623", "#ffffff", "#f2c200"), "roundel",
        "interiorminpk"),
    Org("NACTA", "National Counter Terrorism Authority", "نیکٹا",
        ("#0b6623", "#ffffff", "#111111"), "shield", "nacta_pak"),
    Org("CTD", "Counter Terrorism Department", "محکمہ انسداد دہشت گردی",
        ("#111111", "#f2c200", "#ffffff"), "shield", "ctd"),
    Org("POLICE", "Police", "پولیس", ("#0d1b3e", "#ffffff", "#c62828"), "badge", "police"),
    Org("FC", "Frontier Corps", "فرنٹیئر کور", ("#2e4d2e", "#f2c200", "#ffffff"), "shield", "fc"),
    Org("LEVIES", "Levies Force", "لیویز فورس", ("#4e342e", "#f2c200", "#ffffff"), "badge",
        "levies"),
    Org("PTA", "Pakistan Telecommunication Authority", "پی ٹی اے",
        ("#0b6623", "#ffffff", "#0d47a1"), "roundel", "ptaofficialpk"),
    Org("FIA", "Federal Investigation Agency", "ایف آئی اے", ("#0d47a1", "#ffffff", "#f2c200"),
        "badge", "fia_official"),
    Org("RP", "Radio Pakistan", "ریڈیو پاکستان", ("#0b6623", "#ffffff", "#f2c200"), "emblem",
        "radiopakistan"),
    Org("PTV", "PTV News", "پی ٹی وی نیوز", ("#ffffff", "#0b6623", "#c62828"), "split",
        "ptvnewsofficial"),
    Org("HOME", "Home Department", "محکمہ داخلہ", ("#0b6623", "#ffffff", "#111111"), "roundel",
        "homedept"),
    Org("DC", "Deputy Commissioner", "ڈپٹی کمشنر", ("#0b6623", "#ffffff", "#f2c200"), "shield",
        "dc"),
    Org("1122", "Rescue 1122", "ریسکیو 1122", ("#f57c00", "#ffffff", "#0d47a1"), "badge",
        "rescue1122"),
)
# fmt: on
STATE_TERMS = (
    "Fitna al-Khawarij",
    "Fitna al-Hindustan",
    "khawarij",
    "proscribed organisations",
    "terrorists",
)
