"""Place names in Latin and Urdu script, and the countries whose flags appear as avatars."""

from __future__ import annotations

_REGIONS = """
Swat:سوات Waziristan:وزیرستان Bajaur:باجوڑ Mohmand:مہمند Khyber:خیبر Bannu:بنوں
Lakki_Marwat:لکی_مروت Tank:ٹانک Peshawar:پشاور Malakand:ملاکنڈ Dera_Ismail_Khan:ڈیرہ_اسماعیل_خان
Kohat:کوہاٹ Orakzai:اورکزئی Kurram:کرم Kech:کیچ Panjgur:پنجگور Kharan:خاران Quetta:کوئٹہ
Bolan:بولان Noshki:نوشکی Gwadar:گوادر Turbat:تربت Awaran:آواران Kalat:قلات Mastung:مستونگ
Khuzdar:خضدار Kohlu:کوہلو Dera_Bugti:ڈیرہ_بگٹی Karachi:کراچی Hyderabad:حیدرآباد
Larkana:لاڑکانہ Sukkur:سکھر Dadu:دادو Nawabshah:نوابشاہ Lahore:لاہور Jhang:جھنگ
Bahawalpur:بہاولپور Multan:ملتان Rawalpindi:راولپنڈی Faisalabad:فیصل_آباد
Muzaffarabad:مظفرآباد Kunar:کنڑ Nangarhar:ننگرہار Kabul:کابل Jalalabad:جلال_آباد
Parachinar:پاراچنار Gilgit:گلگت Kashmir:کشمیر Bara:باڑہ Tirah:تیراہ Jamrud:جمرود Dir:دیر
Buner:بونیر Islamabad:اسلام_آباد Miranshah:میرانشاہ Mir_Ali:میر_علی Mardan:مردان
Swabi:صوابی Charsadda:چارسدہ Nowshera:نوشہرہ Mianwali:میانوالی Sialkot:سیالکوٹ
Gujranwala:گوجرانوالہ Abbottabad:ایبٹ_آباد Mansehra:مانسہرہ Chitral:چترال Zhob:ژوب
Loralai:لورالائی Sibi:سبی Hub:حب Chaman:چمن Kandahar:قندھار Herat:ہرات Mazar:مزار
Sargodha:سرگودھا Okara:اوکاڑہ Sahiwal:ساہیوال Mirpur:میرپور Thatta:ٹھٹھہ Badin:بدین
"""

REGION_UR: dict[str, str] = {
    k.replace("_", " "): v.replace("_", " ")
    for k, v in (item.split(":") for item in _REGIONS.split())
}

CITIES = (
    "Karachi",
    "Lahore",
    "Islamabad",
    "Rawalpindi",
    "Peshawar",
    "Quetta",
    "Multan",
    "Faisalabad",
    "Hyderabad",
    "Sialkot",
    "Gujranwala",
    "Abbottabad",
    "Mardan",
    "Swat",
    "Bannu",
    "Turbat",
    "Gwadar",
    "Sukkur",
    "Larkana",
    "Bahawalpur",
    "Sargodha",
    "Mirpur",
    "Muzaffarabad",
    "Gilgit",
    "Chitral",
    "Kohat",
    "Khuzdar",
    "Kabul",
    "Jalalabad",
    "Herat",
    "Dubai",
    "Sharjah",
    "Riyadh",
    "Jeddah",
    "Doha",
    "Muscat",
    "Kuwait",
    "Manama",
    "London",
    "Birmingham",
    "Toronto",
)

# (flag-icons code, weight among ordinary flag avatars)
FLAG_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("pk", 30),
    ("af", 10),
    ("ps", 12),
    ("ir", 4),
    ("tr", 7),
    ("sa", 6),
    ("ae", 3),
    ("qa", 2),
    ("bd", 1.5),
    ("eg", 1.5),
    ("jo", 1),
    ("ma", 1),
    ("dz", 1),
    ("iq", 1.5),
    ("sy", 1.5),
    ("ye", 1),
    ("kw", 1),
    ("om", 1),
    ("az", 1),
    ("kz", 0.5),
    ("uz", 0.5),
    ("tj", 0.5),
    ("my", 1),
    ("id", 1),
    ("cn", 1),
    ("gb", 1.5),
    ("us", 1),
    ("ca", 0.5),
    ("de", 0.5),
    ("ly", 0.5),
    ("tn", 0.5),
    ("lb", 0.5),
    ("so", 0.5),
    ("sd", 0.5),
    ("bh", 0.5),
    ("ng", 0.3),
)


def region_ur(name: str) -> str:
    return REGION_UR.get(name, name)
