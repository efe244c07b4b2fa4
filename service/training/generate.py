"""Labelled data for training and evaluating the scorer: banks of banned accounts built from real
proscribed groups, mirrors made from them by realistic evasion families, and hard negatives
(journalists, researchers and news outlets that name the groups, legitimate parties that share
their words, namesakes, accounts with the same flag or default avatar). Groups are split into
train / validation / test, so a test group is never seen in training. Fixed seeds.

A split is written in the format ``mirrorscan eval`` reads: ``bank.jsonl``, ``candidates.jsonl``,
``labels.jsonl`` (``{"id", "account_id", "group", "family"}``) and ``avatars/``."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from PIL import Image

from service.training import evasions as ev
from service.training.negatives import NegativeFamilies
from service.training.sources import Group
from service.training.splits import SPLITS, ImageEdit, Images, Split, jpeg, png, split_of
from service.training.vocabulary import (
    BIO_EN,
    BIO_ROMAN,
    BIO_UR,
    EVASION_LINES,
    INVITE_CHARS,
    KIND_UR,
    KINDS,
    NTH_LINES,
    PLATFORMS,
    POSITIVE_FAMILIES,
    TAGLINES,
    detail,
    handle_lookalike,
    near_link,
)

__all__ = ["Generator", "ImageEdit", "Images", "Split"]


class Generator(NegativeFamilies):
    def __init__(
        self,
        groups: Sequence[Group],
        images: Images | None,
        urdu: dict[str, str],
        seed: int = 7,
        mirrors_per_account: float = 2.0,
        negatives_ratio: float = 1.0,
    ) -> None:
        self.groups = list(groups)
        self.images = images
        self.urdu = urdu
        self.seed = seed
        self.mirrors_per_account = mirrors_per_account
        self.negatives_ratio = negatives_ratio
        self._source_images: dict[str, Image.Image | None] = {}
        # banned accounts' personal pictures and everyone else's are disjoint: two unrelated
        # accounts share a picture only when it is a common one (a flag, a default, an emoji
        # many people use), which is what the shared-avatar negatives exercise
        personal = images.personal if images else []
        self.bank_personal = personal[::2]
        self.free_personal = personal[1::2] or personal
        super().__init__(seed)

    def _avatar(self, split: Split, img: Image.Image | None, rng: random.Random) -> str | None:
        if img is None:
            return None
        return split.add_avatar(
            jpeg(img, rng.choice([80, 88, 95])) if rng.random() < 0.5 else png(img)
        )

    # --- banned accounts ------------------------------------------------------------------

    def bio_for(self, group: Group, rng: random.Random, lang: str | None = None) -> str:
        lang = lang or rng.choice(["en"] * 5 + ["ur", "roman", "roman"])
        names = group.names
        fill = {
            "group": rng.choice(names[:3]),
            "alias": rng.choice(names),
            "kind": rng.choice(KINDS),
            "kind_ur": rng.choice(KIND_UR),
        }
        if lang == "ur" and group.original:
            fill["group"] = fill["alias"] = group.original
            return rng.choice(BIO_UR).format(**fill)
        if lang == "ur":
            urdu = ev.transliterate_to_urdu(fill["group"], self.urdu)
            if urdu:
                fill["group"] = fill["alias"] = urdu
                return rng.choice(BIO_UR).format(**fill)
        table = BIO_ROMAN if lang == "roman" else BIO_EN
        return rng.choice(table).format(**fill)

    def links_for(self, handle: str, rng: random.Random) -> list[str]:
        out = []
        if rng.random() < 0.55:
            channel = handle if rng.random() < 0.6 else handle + rng.choice(["_ch", "news", "1"])
            out.append(f"https://t.me/{channel}")
        if rng.random() < 0.15:
            out.append(f"+92 3{rng.randrange(10, 50)} {rng.randrange(1000000, 9999999)}")
        if rng.random() < 0.12:
            domain = rng.choice(["proton.me", "gmail.com", "tutanota.com"])
            out.append(f"{handle.replace('_', '')}@{domain}")
        if rng.random() < 0.08:
            invite = "".join(rng.choices(INVITE_CHARS, k=22))
            out.append(f"https://chat.whatsapp.com/{invite}")
        return out

    def banned_accounts(
        self, group: Group, gi: int, split: Split, rng: random.Random
    ) -> list[dict[str, Any]]:
        logo = self.images.logos[gi % len(self.images.logos)] if self.images else None
        n = rng.choice([1, 2, 2, 3, 3, 4])
        out = []
        for k in range(n):
            if k == 0 or (k == 1 and rng.random() < 0.5):
                base = rng.choice(group.names[:3])
                if rng.random() < 0.3:
                    base = ev.acronym(base)
                display = base + rng.choice(["", "", " Media", " Official", " News", " TV"])
                role = "media"
            else:
                if group.members and rng.random() < 0.7:
                    member = rng.choice(group.members)
                    display = member.name
                    if member.original and rng.random() < 0.2:
                        display = member.original
                else:
                    display = self.latin_person(rng)
                role = "member"
            handle = ev.handle_of(
                display
                if role == "member" or rng.random() < 0.5
                else ev.acronym(display) + " media",
                rng,
            )
            avatar_img: Image.Image | None = None
            if self.images:
                r = rng.random()
                if role == "media" and r < 0.8 or role == "member" and r < 0.35:
                    avatar_img = logo
                elif r < 0.88:
                    avatar_img = rng.choice(self.bank_personal)
                elif r < 0.95:
                    avatar_img = rng.choice(self.images.common)
            bio = self.bio_for(group, rng) if rng.random() < 0.85 else ""
            if bio and rng.random() < 0.6:
                bio += " " + " ".join(rng.sample(TAGLINES, rng.randint(1, 2)))
            if bio and rng.random() < 0.35:
                bio += " " + " ".join(detail(rng) for _ in range(rng.randint(1, 3)))
            row = {
                "id": f"{group.key}/{k}",
                "platform": rng.choice(PLATFORMS),
                "handle": handle,
                "display_name": display,
                "bio": bio,
                "links": self.links_for(handle, rng),
                "avatar_path": self._avatar(split, avatar_img, rng),
                "avatar_url": None,
                "group": group.name,
            }
            out.append(row)
            self._source_images[str(row["id"])] = avatar_img
        return out

    # --- mirrors --------------------------------------------------------------------------

    def mirror(
        self, src: dict[str, Any], group: Group, split: Split, rng: random.Random, n: int
    ) -> dict[str, Any]:
        family = rng.choice(POSITIVE_FAMILIES)
        name, handle, platform = src["display_name"], src["handle"], src["platform"]
        bio, links = src["bio"], list(src["links"])
        img = self._source_images.get(src["id"])
        new_name = False
        if family == "reactivation":
            if rng.random() < 0.5:
                name = ev.name_affix(name, rng)
        elif family == "cross-platform":
            platform = rng.choice([p for p in PLATFORMS if p != platform])
        elif family == "handle-affix":
            handle = ev.handle_affix(handle, rng)
            if rng.random() < 0.4:
                name = ev.name_affix(name, rng)
        elif family == "homoglyph":
            name = ev.homoglyph(name, rng)
            handle = (
                ev.handle_affix(handle, rng)
                if rng.random() < 0.5
                else handle_lookalike(handle, rng)
            )
        elif family == "leet":
            handle = ev.leet(handle, rng)
            if rng.random() < 0.5:
                name = ev.leet(name, rng)
        elif family == "decorated":
            name = ev.decorate(name, rng)
            if rng.random() < 0.3:
                name = ev.zero_width(name, rng)
            handle = ev.handle_affix(handle, rng)
        elif family == "typo":
            name = ev.typo(name, rng)
            handle = ev.typo(handle, rng)
        elif family == "transliterated":
            urdu = ev.transliterate_to_urdu(name, self.urdu) or group.original
            if urdu:
                name = urdu
            else:
                family = "separators"
            if rng.random() < 0.6:
                bio = self.bio_for(group, rng, "ur")
            handle = ev.handle_affix(handle, rng)
        elif family == "alias" and len(group.names) > 1:
            name = rng.choice(group.names[1:])
            handle = ev.handle_of(name, rng)
        elif family == "acronym":  # the group's initials: "TTP Media"
            initials = ev.acronym(rng.choice(group.names[:2]))
            name = initials + rng.choice(["", " Media", " Official", " 2", " News"])
            handle = ev.handle_affix(initials.lower(), rng)
        elif family in ("new-name-same-avatar", "new-name-same-link"):
            new_name = True
            name = (
                self.person(rng)
                if rng.random() < 0.5
                else rng.choice(group.names) + " " + rng.choice(["Fans", "Voice", "Ummah", "Lions"])
            )
            handle = ev.handle_of(name, rng)
            bio = self.bio_for(group, rng) if rng.random() < 0.6 else ""
        elif family == "reworded":
            bio = self.bio_for(group, rng)
            links = self.links_for(handle, rng)
        elif family == "handle-sequel":  # same platform, the next handle, often a new name
            handle = ev.handle_sequel(handle, rng)
            r = rng.random()
            if r < 0.5:
                new_name = True
                name = self.person(rng) if rng.random() < 0.5 else self.latin_person(rng)
            elif r < 0.7:
                name = ev.name_affix(name, rng)
            if rng.random() < 0.5:
                bio = self.bio_for(group, rng) if rng.random() < 0.5 else ""
        elif family == "bio-copy":  # the bio verbatim under a new name and handle
            if not bio:
                bio = self.bio_for(group, rng) + " " + detail(rng)
            new_name = True
            name = self.person(rng) if rng.random() < 0.6 else self.latin_person(rng)
            handle = ev.handle_of(name, rng)
            if rng.random() < 0.5:
                platform = rng.choice(PLATFORMS)
        elif family == "nth-account":
            if rng.random() < 0.6:
                name = ev.name_affix(name, rng)
            handle = (
                ev.handle_sequel(handle, rng)
                if rng.random() < 0.5
                else ev.handle_affix(handle, rng)
            )
            line = rng.choice(NTH_LINES)
            bio = f"{line} {bio}".strip() if rng.random() < 0.6 else line
        else:  # separators, minimal, or alias without aliases
            family = family if family in ("separators", "minimal") else "separators"
            name = ev.separators(name, rng)
            handle = ev.separators(handle, rng).replace(" ", "_")[:30]
        if family in ("separators", "typo", "homoglyph") and rng.random() < 0.3:
            name = ev.recase(name, rng)
        # other channels: copied, reworded, or dropped
        if family == "minimal":
            bio, links, img = "", [], None
        elif family == "bio-copy":
            links = [] if rng.random() < 0.6 else self.links_for(handle, rng)
            img = None if rng.random() < 0.7 else img
        elif family in ("handle-sequel", "nth-account"):
            links = self._mirror_links(links, handle, rng)
            if rng.random() < 0.4:
                img = None
        elif family != "new-name-same-link":
            r = rng.random()
            if r < 0.35 and bio:
                bio = (
                    f"{rng.choice(EVASION_LINES)} {bio}"
                    if rng.random() < 0.5
                    else f"{bio} {rng.choice(EVASION_LINES)}"
                )
            elif r < 0.55:
                bio = self.bio_for(group, rng)
            elif r < 0.7:
                bio = ""
            links = self._mirror_links(links, handle, rng)
        else:
            links = self._mirror_links(links, handle, rng, keep=True) or [
                f"https://t.me/{src['handle']}"
            ]
        avatar_path = self._mirror_avatar(split, img, family, rng)
        if family in ("handle-sequel", "bio-copy"):
            name, bio, links, avatar_path, new_name = self._bare(
                family, src, n, name, bio, links, avatar_path, new_name
            )
        cid = f"m:{src['id']}/{n}"
        split.labels.append(
            {"id": cid, "account_id": src["id"], "group": src["group"], "family": family}
        )
        return {
            "id": cid, "platform": platform, "handle": handle, "display_name": name, "bio": bio,
            "links": links, "avatar_path": avatar_path, "avatar_url": None, "new_name": new_name,
        }  # fmt: skip

    def _bare(
        self,
        family: str,
        src: dict[str, Any],
        n: int,
        name: str,
        bio: str,
        links: list[str],
        avatar_path: str | None,
        new_name: bool,
    ) -> tuple[str, str, list[str], str | None, bool]:
        """Re-creations seen in public data that carry one signal only (issue 12): the next
        handle on the same platform under a new display name, with no bio (or only a "new
        account" line), no links and no picture; or a long bio copied verbatim under a new name,
        with nothing else. Drawn from a generator of their own, so the main sequence (and every
        edited picture it makes) is the same as without them."""
        side = random.Random(f"{self.seed}:bare:{src['id']}:{n}")
        if side.random() >= 0.4:
            return name, bio, links, avatar_path, new_name
        if family == "bio-copy" and not str(src.get("bio") or "").strip():
            # a bio copy of an account without a bio, stripped of the rest, would carry no
            # signal at all: a positive no feature can tell (label noise), not a re-creation
            return name, bio, links, avatar_path, new_name
        if family == "handle-sequel":
            name = self.person(side) if side.random() < 0.5 else self.latin_person(side)
            bio = side.choice(EVASION_LINES) if side.random() < 0.3 else ""
            return name, bio, [], None, True
        return name, bio, [], None, new_name

    def _mirror_links(
        self, links: list[str], handle: str, rng: random.Random, keep: bool = False
    ) -> list[str]:
        r = rng.random()
        if keep or r < 0.35:
            return links
        if r < 0.55:
            return [near_link(x, rng) for x in links]
        if r < 0.75:
            return self.links_for(handle, rng)
        return []

    def _mirror_avatar(
        self, split: Split, img: Image.Image | None, family: str, rng: random.Random
    ) -> str | None:
        if self.images is None or img is None:
            return None
        keep = 0.95 if family == "new-name-same-avatar" else 0.7
        r = rng.random()
        if r < keep:
            edit_name = rng.choice(sorted(self.images.edits))
            return split.add_avatar(self.images.edits[edit_name](img, rng))
        if r < keep + 0.15:
            return split.add_avatar(png(rng.choice(self.free_personal)))
        return None

    # --- splits ---------------------------------------------------------------------------

    def build(self, max_groups: int | None = None) -> dict[str, Split]:
        self._source_images = {}
        rng = random.Random(self.seed)
        by_split: dict[str, list[tuple[int, Group]]] = {name: [] for name, _ in SPLITS}
        groups = sorted(self.groups, key=lambda g: g.key)
        for gi, g in enumerate(groups):
            by_split[split_of(g, self.seed)].append((gi, g))
        out = {}
        for name, _ in SPLITS:
            items = by_split[name]
            if max_groups is not None:
                items = items[: max(1, int(max_groups * dict(SPLITS)[name]))]
            split = Split(name)
            for gi, g in items:
                split.bank.extend(self.banned_accounts(g, gi, split, rng))
            by_id = {g.name: g for _, g in items}
            for row in split.bank:
                k = int(self.mirrors_per_account) + (
                    1 if rng.random() < self.mirrors_per_account % 1 else 0
                )
                for j in range(k):
                    cand = self.mirror(row, by_id[row["group"]], split, rng, j)
                    cand.pop("new_name")
                    split.candidates.append(cand)
            n_neg = int(len(split.candidates) * self.negatives_ratio)
            groups_here = [g for _, g in items]
            for j in range(n_neg):
                split.candidates.append(self.negative(split, groups_here, split.bank, rng, j))
            out[name] = split
        return out
