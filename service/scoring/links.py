"""Links and contacts: a shared exact contact (Telegram link, WhatsApp group, phone, e-mail) is
strong evidence; a near-shared one (t.me/xyz ↔ t.me/xyz2) is weaker; a bio that mentions the
banned account's own handle is strong; shared hashtags are weak."""

from __future__ import annotations

from rapidfuzz import fuzz

from service.domain import PairFeature
from service.features.contacts import STRONG_KINDS, Contact, extract_contacts
from service.features.keys import handle_key
from service.normalize.names import analyse_handle

NEAR = 0.8
_NEAR_KINDS = {"telegram", "url", "email", "mention", "whatsapp-channel"}


def compare_links(
    query_bio: str, query_links: tuple[str, ...], cand_bio: str, cand_links: tuple[str, ...],
    cand_handle: str,
) -> list[PairFeature]:  # fmt: skip
    q = extract_contacts(query_bio, query_links)
    c = extract_contacts(cand_bio, cand_links)
    out: list[PairFeature] = []
    handle = handle_key(cand_handle)
    if handle and Contact("mention", handle) in q:
        out.append(
            PairFeature(
                "links",
                "links.mentions_account",
                1.0,
                f"bio mentions @{handle}, the banned account's own handle",
            )
        )
    elif handle and Contact("telegram", handle) in q:
        out.append(
            PairFeature(
                "links",
                "links.mentions_account",
                1.0,
                f"links to t.me/{handle}, the banned account's own handle",
            )
        )
    q_strong = {x for x in q if x.kind in STRONG_KINDS}
    c_strong = {x for x in c if x.kind in STRONG_KINDS}
    shared = sorted(q_strong & c_strong)
    if shared:
        shown = ", ".join(str(x) for x in shared[:3])
        out.append(
            PairFeature(
                "links",
                "links.shared_contact",
                float(min(len(shared), 3)),
                f"same contact: {shown}",
            )
        )
    elif q_strong and c_strong:
        near = _nearest(q_strong, c_strong)
        if near is not None:
            ratio, a, b = near
            out.append(
                PairFeature(
                    "links", "links.near_contact", ratio, f"near-identical contact: {a} ≈ {b}"
                )
            )
        else:
            out.append(
                PairFeature(
                    "links", "links.no_shared_contact", 1.0, "both list contacts; none shared"
                )
            )
    tags = sorted(x for x in q & c if x.kind == "hashtag")
    if tags:
        out.append(
            PairFeature(
                "links",
                "links.shared_hashtag",
                float(min(len(tags), 3)),
                "same hashtags: " + ", ".join(str(t) for t in tags[:3]),
            )  # fmt: skip
        )
    return out


def _nearest(q: set[Contact], c: set[Contact]) -> tuple[float, Contact, Contact] | None:
    """The most alike pair of contacts of one kind: equal once handle affixes are stripped
    (t.me/xyz_backup, t.me/xyz2 ~ t.me/xyz) counts 1.0; else their edit similarity."""
    best: tuple[float, Contact, Contact] | None = None
    for a in q:
        if a.kind not in _NEAR_KINDS:
            continue
        for b in c:
            if b.kind != a.kind:
                continue
            ratio = fuzz.ratio(a.value, b.value) / 100.0
            if _core(a.value) and _core(a.value) == _core(b.value):
                ratio = 1.0
            if ratio >= NEAR and (best is None or ratio > best[0]):
                best = (ratio, a, b)
    return best


def _core(value: str) -> str:
    """A contact's handle part without evasion affixes (``xyz_backup2`` -> ``xyz``)."""
    return analyse_handle(value.split("/")[-1].split("@")[0]).joined
