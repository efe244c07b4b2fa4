"""Contacts in a profile's bio and links, normalised so that the same contact written two ways
meets: Telegram and WhatsApp links, other URLs, @mentions, phone numbers (E.164, Pakistan by
default), e-mail addresses and hashtags. A shared exact contact is strong evidence of a mirror."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "PK"
MAX_TEXT = 5_000

_URL = re.compile(
    r"(?:(?:https?://)?(?:www\.)?)"
    r"((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})"
    r"(/[^\s<>\"'()\[\]{}]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@(?:[a-z0-9-]{1,63}\.)+[a-z]{2,24}\b", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_.]{2,64})\b")
_HASHTAG = re.compile(r"(?<![\w#])#(\w{2,80})")
_TELEGRAM_HOSTS = {"t.me", "telegram.me", "telegram.dog"}
_TRAILING = ".,;:!?)]}»”’'\""
# contact kinds; the scorer weighs a shared contact by kind
STRONG_KINDS = ("telegram", "telegram-invite", "whatsapp-group", "whatsapp-channel", "phone",
                "email", "url")  # fmt: skip


@dataclass(frozen=True, slots=True, order=True)
class Contact:
    kind: str  # telegram, telegram-invite, whatsapp-group, whatsapp-channel, url, mention,
    # phone, email, hashtag
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"

    def __str__(self) -> str:
        shown = {
            "telegram": f"t.me/{self.value}",
            "telegram-invite": f"t.me/+{self.value}",
            "whatsapp-group": f"chat.whatsapp.com/{self.value}",
            "whatsapp-channel": f"whatsapp.com/channel/{self.value}",
            "mention": f"@{self.value}",
            "hashtag": f"#{self.value}",
        }
        return shown.get(self.kind, self.value)


def _url_contact(host: str, path: str) -> Contact | None:
    host = host.casefold().removeprefix("www.").removeprefix("m.")
    path = path.split("#", 1)[0]
    query = ""
    if "?" in path:
        path, query = path.split("?", 1)
    path = path.rstrip(_TRAILING).rstrip("/")
    parts = [p for p in path.split("/") if p]
    if host in _TELEGRAM_HOSTS and parts:
        head = parts[1] if parts[0] == "s" and len(parts) > 1 else parts[0]
        if head.startswith("+"):
            return Contact("telegram-invite", head[1:])
        if head == "joinchat" and len(parts) > 1:
            return Contact("telegram-invite", parts[1])
        return Contact("telegram", head.casefold())
    if host == "chat.whatsapp.com" and parts:
        return Contact("whatsapp-group", parts[0])
    if host == "whatsapp.com" and len(parts) > 1 and parts[0] == "channel":
        return Contact("whatsapp-channel", parts[1])
    if host == "wa.me" and parts:
        return _phone(parts[0]) or Contact("url", f"wa.me/{parts[0]}")
    if host == "youtube.com" and query and not parts:
        return None
    value = host + ("/" + "/".join(parts) if parts else "")
    return Contact("url", value.casefold() if host not in {"whatsapp.com"} else value)


def _phone(text: str) -> Contact | None:
    digits = re.sub(r"[^\d+]", "", text)
    if len(re.sub(r"\D", "", digits)) < 9:
        return None
    candidate = digits if digits.startswith("+") else "+" + digits
    for guess in (candidate, digits):
        try:
            number = phonenumbers.parse(guess, DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return Contact("phone", e164)
    return None


@lru_cache(maxsize=4096)
def _extract(text: str) -> frozenset[Contact]:
    found: set[Contact] = set()
    emails = {m.group(0).casefold() for m in _EMAIL.finditer(text)}
    found.update(Contact("email", e) for e in emails)
    without_emails = _EMAIL.sub(" ", text)
    for m in _URL.finditer(without_emails):
        host, path = m.group(1), m.group(2) or ""
        if "." not in host or host.replace(".", "").isdigit():
            continue
        contact = _url_contact(host, path)
        if contact is not None:
            found.add(contact)
    for match in phonenumbers.PhoneNumberMatcher(without_emails, DEFAULT_REGION):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        found.add(Contact("phone", e164))
    for m in _MENTION.finditer(without_emails):
        found.add(Contact("mention", m.group(1).rstrip(".").casefold()))
    for m in _HASHTAG.finditer(text):
        found.add(Contact("hashtag", m.group(1).casefold()))
    return frozenset(found)


def extract_contacts(bio: str, links: Iterable[str] = ()) -> frozenset[Contact]:
    """Every contact in the bio and the links field, normalised and deduplicated."""
    pieces = [bio[:MAX_TEXT], *(link[:2000] for link in links)]
    text = unicodedata.normalize("NFKC", "\n".join(pieces))
    out: set[Contact] = set(_extract(text))
    for link in links:  # a bare phone number or handle in the links field
        bare = unicodedata.normalize("NFKC", link).strip()
        if bare and not _URL.search(bare):
            phone = _phone(bare)
            if phone is not None:
                out.add(phone)
    return frozenset(out)
