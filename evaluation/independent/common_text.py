"""Text that both mirrors and legitimate accounts use, so neither class owns a tell-tale token."""

from __future__ import annotations

GENERIC_PAGES = (
    "Updates",
    "Daily News",
    "News Point",
    "Breaking Updates",
    "Haq Ki Awaz",
    "حق کی آواز",
    "Sada-e-Haq",
    "Voice of Truth",
    "Khabar Nama",
    "خبر نامہ",
    "Info Channel",
    "Media Center",
    "Live Updates",
    "آج کی خبریں",
    "Awaz",
    "The Truth",
    "Sach News",
    "سچ نیوز",
    "Pak Updates",
    "Islamic Reminders",
    "اسلامی باتیں",
    "Naya Daur",
    "Pukar",
    "Jazba",
    "جذبہ",
    "Safar",
    "Har Pal Updates",
    "News Hub",
    "Real Talk",
    "Zameen Ki Awaz",
    "Mashriq Updates",
    "Rahguzar",
)

GENERIC_BIOS: dict[str, tuple[str, ...]] = {
    "en": (
        "Follow for updates.",
        "Daily updates.",
        "News and views.",
        "Share and follow.",
        "Truth matters.",
        "Stay connected.",
        "Updates every day, follow and share.",
        "Official page. Follow for more.",
        "Follow & share 🙏",
    ),
    "ur": (
        "روزانہ اپڈیٹس",
        "تازہ ترین خبریں",
        "فالو کریں اور شیئر کریں",
        "سچ کی آواز",
        "ہر روز نئی اپڈیٹس کے لیے فالو کریں",
    ),
    "ro": (
        "Naye updates ke liye follow karein",
        "Rozana updates",
        "Sach ki awaz",
        "Follow aur share zaroor karein",
        "Taza tareen khabrein",
    ),
    "ps": ("ورځني خبرونه", "تعقیب یې کړئ او شریک یې کړئ", "د حق غږ"),
}

# "this is a new account" lines: mirrors say the old one was removed; ordinary users that it was
# hacked, lost or, sometimes, suspended too.
NEW_ACCOUNT: dict[str, tuple[str, ...]] = {
    "en": (
        "New account, old one suspended.",
        "Our new account – the old one was removed.",
        "Backup account. Follow here.",
        "Account #{n}. Previous one suspended.",
        "Re-created after the ban. Please follow again.",
        "New ID. Old one got banned.",
    ),
    "ur": (
        "نیا اکاؤنٹ، پرانا اکاؤنٹ بند ہو گیا۔",
        "پرانا اکاؤنٹ بند، یہ ہمارا نیا اکاؤنٹ ہے۔",
        "بیک اپ اکاؤنٹ، یہاں فالو کریں۔",
        "اکاؤنٹ نمبر {n}، پچھلا بند کر دیا گیا۔",
    ),
    "ro": (
        "Naya account, purana band ho gaya.",
        "Purani ID band ho gayi, ye nayi hai.",
        "Backup account hai, yahan follow karein.",
        "Account no. {n}, pichla suspend ho gaya.",
    ),
    "ps": ("نوی حساب، زوړ بند شو.", "دا زموږ نوی حساب دی، زوړ لرې شو."),
}
NEW_ACCOUNT_PERSONAL: dict[str, tuple[str, ...]] = {
    "en": (
        "New account, old one hacked 😔",
        "My old account got hacked, this is my new one.",
        "Backup account.",
        "Old ID suspended for no reason, follow me here.",
        "Lost my old account, please follow again 🙏",
        "2nd account",
    ),
    "ur": ("نیا اکاؤنٹ، پرانا ہیک ہو گیا", "پرانی آئی ڈی بند ہو گئی، یہ نئی ہے"),
    "ro": (
        "Purani ID hack ho gayi, ye nayi ID hai",
        "Naya account hai, follow karo",
        "Purana account band ho gaya tha, yahan follow karein",
    ),
    "ps": ("زوړ حساب هک شو، دا نوی دی",),
}
MENTION_OLD: dict[str, tuple[str, ...]] = {
    "en": (
        "Follow our old account @{old} (suspended).",
        "Old: @{old} – banned. This is the new one.",
        "Formerly @{old}",
        "Previously @{old}. Follow here now.",
    ),
    "ur": ("ہمارا پرانا اکاؤنٹ @{old} بند کر دیا گیا، یہاں فالو کریں۔", "پرانا اکاؤنٹ: @{old}"),
    "ro": ("Purana account @{old} band ho gaya, yahan follow karein.", "Pehle @{old} tha"),
    "ps": ("زموږ زوړ حساب @{old} بند شو، دلته مو تعقیب کړئ.",),
}
MENTION_PERSONAL = (
    "Old account @{old} hacked, follow this one.",
    "Formerly @{old}",
    "Purana account @{old} hack ho gaya",
    "Backup of @{old}",
    "Main account: @{old}",
)
