"""A parsed HTML page and the generic readers every platform shares: meta tags (``property=`` and
``name=`` alike), JSON-LD ``ProfilePage`` entities, embedded JSON blobs and text cleaning."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


@dataclass
class Fields:
    """What one extractor found. ``None`` means "not found here" (a fallback may fill it);
    ``""`` means "found to be empty" (e.g. a bio that was only follower counts)."""

    display_name: str | None = None
    handle: str | None = None
    bio: str | None = None
    avatar_url: str | None = None
    account_id: str | None = None
    links: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    expansions: dict[str, str] = field(default_factory=dict)  # short link -> the address shown

    def fill(self, other: Fields) -> None:
        """Take ``other``'s values where this one found nothing."""
        self.display_name = (
            self.display_name if self.display_name is not None else (other.display_name)
        )
        self.handle = self.handle if self.handle is not None else other.handle
        self.bio = self.bio if self.bio is not None else other.bio
        self.avatar_url = self.avatar_url if self.avatar_url is not None else other.avatar_url
        self.account_id = self.account_id if self.account_id is not None else other.account_id
        self.links.extend(other.links)
        self.notes.extend(other.notes)
        self.expansions = {**other.expansions, **self.expansions}


class Page:
    """One parse of the HTML, shared by the generic and the platform readers."""

    def __init__(self, html: str, url: str) -> None:
        self.html = html
        self.url = url
        self.tree = LexborHTMLParser(html)
        self._meta: dict[str, str] = {}
        for node in self.tree.css("meta[content]"):
            attrs = node.attributes
            key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
            content = attrs.get("content")
            if key and content and content.strip() and key.lower() not in self._meta:
                self._meta[key.lower()] = content

    def meta(self, *keys: str) -> str | None:
        """The first non-empty content among ``keys`` (matched case-insensitively)."""
        for key in keys:
            value = self._meta.get(key.lower())
            if value:
                return value
        return None

    @property
    def title(self) -> str | None:
        node = self.tree.css_first("title")
        return node.text() if node is not None else None

    def text_of(self, selector: str) -> str | None:
        node = self.tree.css_first(selector)
        return node_text(node) if node is not None else None

    def attr_of(self, selector: str, attribute: str) -> str | None:
        node = self.tree.css_first(selector)
        return node.attributes.get(attribute) if node is not None else None

    def json_ld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object on the page (lists flattened); malformed blocks are skipped.
        Non-strict parsing: real pages put raw newlines inside strings."""
        out: list[dict[str, Any]] = []
        for node in self.tree.css('script[type="application/ld+json"]'):
            try:
                data = json.loads(node.text(), strict=False)
            except ValueError:
                continue
            for item in data if isinstance(data, list) else [data]:
                if isinstance(item, dict):
                    out.append(item)
        return out

    def script_json(self, selector: str) -> Any:
        """The JSON body of a ``<script>`` found by CSS selector, or None."""
        node = self.tree.css_first(selector)
        if node is None:
            return None
        try:
            return json.loads(node.text(), strict=False)
        except ValueError:
            return None

    def assigned_json(self, marker: str) -> Any:
        """The JSON value assigned after ``marker`` in a script (``var ytInitialData = {…}``)."""
        start = self.html.find(marker)
        if start < 0:
            return None
        try:
            value, _ = json.JSONDecoder(strict=False).raw_decode(self.html, start + len(marker))
        except ValueError:
            return None
        return value

    def absolute(self, url: str | None) -> str | None:
        """An absolute http(s) URL, or None for anything else (data:, javascript:, …)."""
        if not url:
            return None
        url = urljoin(self.url, url.strip())
        return url if url.startswith(("https://", "http://")) else None


def node_text(node: LexborNode) -> str:
    """Visible text with ``<br>`` and block breaks kept as newlines."""
    for br in node.css("br"):
        br.replace_with("\n")
    return clean(node.text(separator="", strip=False))


def clean(text: str | None) -> str:
    """Whitespace normalised: lines stripped, runs of spaces collapsed, blank lines squeezed."""
    if not text:
        return ""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def urls_in(text: str | None) -> list[str]:
    """http(s) URLs written in free text, trailing punctuation removed."""
    return [m.rstrip(".,;:!?)]}»”’") for m in _URL.findall(text or "")]


def person(page: Page) -> dict[str, Any] | None:
    """The ``mainEntity`` of a JSON-LD ``ProfilePage`` (X, Bluesky and TikTok publish one)."""
    for item in page.json_ld():
        if item.get("@type") == "ProfilePage" and isinstance(item.get("mainEntity"), dict):
            entity: dict[str, Any] = item["mainEntity"]
            entity.setdefault("relatedLink", item.get("relatedLink"))
            return entity
    return None


def image_url(value: Any) -> str | None:
    """A JSON-LD ``image``: a string, an ImageObject or a list of either."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("contentUrl", "url"):
            if isinstance(value.get(key), str):
                return str(value[key])
    if isinstance(value, list) and value:
        return image_url(value[0])
    return None


def strings(value: Any) -> list[str]:
    """A JSON value that should be a string or a list of strings, as a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def generic(page: Page) -> Fields:
    """OpenGraph / twitter-card / JSON-LD / <title>: the fallback under every platform reader."""
    fields = Fields()
    entity = person(page)
    if entity is not None:
        fields.display_name = _str(entity.get("name"))
        fields.bio = _str(entity.get("description"))
        fields.avatar_url = image_url(entity.get("image"))
        alias = _str(entity.get("alternateName")) or _str(entity.get("additionalName"))
        fields.handle = alias.lstrip("@") if alias else None
        fields.account_id = _str(entity.get("identifier"))
        for key in ("sameAs", "relatedLink"):  # not "url": that is the profile itself
            fields.links.extend(strings(entity.get(key)))
    fields.fill(
        Fields(
            display_name=page.meta("og:title", "twitter:title") or page.title,
            bio=page.meta("og:description", "twitter:description", "description"),
            avatar_url=page.meta(
                "og:image", "og:image:secure_url", "twitter:image", "twitter:image:src"
            ),
        )
    )
    fields.links.extend(urls_in(fields.bio))
    return fields


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def text(value: Any) -> str:
    """A JSON value that should be a string (or a number, for ids), else ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""
