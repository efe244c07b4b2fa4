"""The hard negatives of the training data: legitimate accounts that collide with a bank
(journalists and researchers who name the groups, news outlets, legitimate parties with similar
names, namesakes of members, accounts watching a group, accounts with the same flag or default
avatar, ordinary people)."""

from __future__ import annotations

import random
from typing import Any

from PIL import Image

from service.training import evasions as ev
from service.training.sources import LEGITIMATE, NEWS, Group
from service.training.splits import Images, Split, jpeg
from service.training.vocabulary import (
    JOURNALIST,
    LEGIT_BIO,
    MONITOR_BIO,
    NEGATIVE_FAMILIES,
    NEWS_BIO,
    PLATFORMS,
    REGIONS,
    People,
    sibling_name,
    stable_hash,
)


class NegativeFamilies(People):
    """The generator's negatives; it sets the pictures these draw from."""

    images: Images | None
    free_personal: list[Image.Image]
    _source_images: dict[str, Image.Image | None]

    # --- hard negatives -------------------------------------------------------------------

    def negative(
        self,
        split: Split,
        groups: list[Group],
        bank: list[dict[str, Any]],
        rng: random.Random,
        n: int,
    ) -> dict[str, Any]:
        family = rng.choice(NEGATIVE_FAMILIES)
        g = rng.choice(groups)
        names = g.names
        fill = {
            "news": rng.choice(NEWS),
            "group": rng.choice(names[:3]),
            "alias": rng.choice(names),
            "alias2": rng.choice(rng.choice(groups).names),
            "region": rng.choice(REGIONS),
        }
        img: Image.Image | None = None
        links: list[str] = []
        if family in ("journalist", "researcher"):
            name = self.person(rng)
            bio = rng.choice(JOURNALIST).format(**fill)
            if self.images and rng.random() < 0.6:
                img = rng.choice(self.free_personal)
        elif family == "news":
            name = fill["news"]
            bio = rng.choice(NEWS_BIO).format(**fill)
            links = [f"https://www.{name.lower().replace(' ', '')}.com"]
            if self.images and rng.random() < 0.7:
                img = self.free_personal[stable_hash(name) % len(self.free_personal)]
        elif family == "legit-org":
            name = rng.choice(LEGITIMATE)
            bio = rng.choice(LEGIT_BIO).format(org=name)
            if self.images and rng.random() < 0.6:
                img = rng.choice(self.free_personal)
        elif family == "namesake":
            members = [
                b for b in bank if " " in b["display_name"] and not b["display_name"].isupper()
            ]
            base = rng.choice(members)["display_name"] if members else self.person(rng)
            first = base.split()[0]
            surname = self.latin_person(rng).split()[-1]
            while surname.casefold() == base.split()[-1].casefold():  # same first name only
                surname = self.latin_person(rng).split()[-1]
            name = f"{first} {surname}"
            bio = self.ordinary_bio(rng)
        elif family == "namesake-full":
            # a private person with a banned member's full name, in its own script, a handle
            # made from it the usual way, and nothing else in common
            members = [
                b
                for b in bank
                if " " in b["display_name"].strip()
                and not b["display_name"].isupper()
                and not any(w in b["display_name"] for w in (" Media", " Official"))
            ]
            name = rng.choice(members)["display_name"] if members else self.person(rng)
            bio = self.ordinary_bio(rng) if rng.random() < 0.8 else ""
            if self.images and rng.random() < 0.6:
                img = rng.choice(self.free_personal)
        elif family == "monitor":  # accounts that watch a group, named after it
            initials = ev.acronym(rng.choice(names[:2]))
            name = f"{initials} {rng.choice(['Watch', 'Monitor', 'Tracker', 'Observer'])}"
            bio = rng.choice(MONITOR_BIO).format(**fill)
            if self.images and rng.random() < 0.5:
                img = rng.choice(self.free_personal)
        elif family == "shared-avatar":
            name = self.person(rng)
            bio = self.ordinary_bio(rng)
            if self.images:
                common_in_bank = [
                    self._source_images[b["id"]]
                    for b in bank
                    if self._source_images.get(b["id"]) is not None
                    and any(self._source_images[b["id"]] is c for c in self.images.common)
                ]
                img = rng.choice(common_in_bank or self.images.common)
        elif family == "similar-name":
            name = sibling_name(rng.choice(names[:3]), rng)
            bio = rng.choice(LEGIT_BIO).format(org=name) if rng.random() < 0.5 else ""
        else:
            name = self.person(rng)
            bio = self.ordinary_bio(rng)
            if self.images and rng.random() < 0.5:
                img = rng.choice(self.free_personal + self.images.common)
        if family in ("journalist", "researcher", "shared-avatar", "ordinary"):
            name = self._not_banned_name(name, bank, rng)
        platform = rng.choice(PLATFORMS)
        handle = ev.handle_of(name, rng)
        if family == "namesake-full" and rng.random() < 0.5:
            handle = handle.replace("_", "")[:12] + str(rng.randrange(10, 99))
        taken = {(b["platform"], b["handle"].casefold()) for b in bank}
        while (platform, handle.casefold()) in taken:  # a platform's handles are unique
            handle = f"{handle[:27]}{rng.randint(0, 99)}"
        cid = f"n:{split.name}/{n}"
        split.labels.append({"id": cid, "account_id": None, "group": None, "family": family})
        avatar = None
        if img is not None:
            edit = (
                rng.choice(sorted(self.images.edits))
                if self.images and rng.random() < 0.3
                else None
            )
            avatar = split.add_avatar(
                self.images.edits[edit](img, rng) if edit and self.images else jpeg(img)
            )
        return {
            "id": cid,
            "platform": platform,
            "handle": handle,
            "display_name": name,
            "bio": bio,
            "links": links,
            "avatar_path": avatar,
            "avatar_url": None,
        }

    def _not_banned_name(self, name: str, bank: list[dict[str, Any]], rng: random.Random) -> str:
        """A person drawn for an unrelated account must not be, by chance, a banned member's
        exact full name (a small name pool repeats): that would be a namesake of another kind,
        labelled as if it were merely an ordinary account."""
        banned = {b["display_name"].casefold() for b in bank}
        while name.casefold() in banned:
            name = self.person(rng)
        return name
