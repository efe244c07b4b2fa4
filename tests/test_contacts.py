"""Contact extraction: the same contact written differently meets; others do not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain import Profile
from service.features.contacts import Contact, extract_contacts
from service.features.keys import lookup_keys, profile_keys


def kinds(bio: str, links: list[str] | None = None) -> set[str]:
    return {c.key for c in extract_contacts(bio, links or [])}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Telegram: t.me/TTPmedia_official.", "telegram:ttpmedia_official"),
        ("https://telegram.me/s/ttpmedia_official/123", "telegram:ttpmedia_official"),
        ("telegram.dog/TTPMedia_Official", "telegram:ttpmedia_official"),
        ("join https://t.me/+AbCdEf123", "telegram-invite:AbCdEf123"),
        ("https://t.me/joinchat/AbCdEf123", "telegram-invite:AbCdEf123"),
        ("https://chat.whatsapp.com/KxYz12AB", "whatsapp-group:KxYz12AB"),
        ("https://www.whatsapp.com/channel/0029VaABcd", "whatsapp-channel:0029VaABcd"),
        ("call +92 300 1234567", "phone:+923001234567"),
        ("call 0300-1234567", "phone:+923001234567"),
        ("wa.me/923001234567", "phone:+923001234567"),
        ("mail AlAzaim@Proton.me", "email:alazaim@proton.me"),
        ("follow @TTP_Media now", "mention:ttp_media"),
        ("#Khorasan", "hashtag:khorasan"),
        ("www.Example.com/Page/?utm=1", "url:example.com/page"),
    ],
)
def test_contacts_are_normalised(text: str, expected: str) -> None:
    assert expected in kinds(text)


def test_a_bare_phone_in_links_counts() -> None:
    assert "phone:+923001234567" in kinds("", ["+92 300 1234567"])


def test_an_email_is_not_a_mention_or_a_url() -> None:
    found = kinds("write to press@dawn.com")
    assert found == {"email:press@dawn.com"}


def test_numbers_and_abbreviations_are_not_urls() -> None:
    assert kinds("pi is 3.14, e.g. this, 10.5 km") == set()


def test_contact_display() -> None:
    assert str(Contact("telegram", "abc")) == "t.me/abc"
    assert str(Contact("phone", "+923001234567")) == "+923001234567"


def test_keys_store_strong_contacts_and_look_up_mentions() -> None:
    banned = Profile(id="a", platform="x", handle="TTP_Media", bio="t.me/ttpmedia #tag @someone")
    keys = profile_keys(banned)
    assert {"handle:ttp_media", "account:x/ttp_media", "contact:telegram:ttpmedia"} <= keys
    assert not any("hashtag" in k or "someone" in k for k in keys)
    mirror = Profile(id="q", bio="backup of @TTP_Media")
    assert "handle:ttp_media" in lookup_keys(mirror)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.lists(st.text(max_size=60), max_size=5))
def test_extraction_never_raises(bio: str, links: list[str]) -> None:
    for c in extract_contacts(bio, links):
        assert c.kind and isinstance(c.value, str)
