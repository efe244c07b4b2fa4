"""The features stage: a profile's limits checked, its avatar decoded safely, and its vectors,
hashes and keys derived by the loaded encoders. Shared by scoring (``service.pipeline``), bank
writes (``service.bank_writer``) and re-encoding (``service.reencode``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from PIL import Image

from service.config import Settings
from service.domain import Avatar, Features, Profile, StoredAvatar, Timer, Vector
from service.errors import InvalidInput, MirrorscanError
from service.features.avatar import banned_avatar, query_avatar
from service.features.contacts import extract_contacts
from service.features.image import ImageEncoder
from service.features.ngrams import name_vectors
from service.features.text import TextEncoder
from service.normalize.image import THUMB_SIDE, decode_image, thumbnail

COMPARABLE = ("display_name", "handle", "bio", "links", "avatar_b64", "avatar_url")


@dataclass
class Featurizer:
    settings: Settings
    text: TextEncoder
    image: ImageEncoder

    @property
    def encoder_version(self) -> str:
        return f"{self.text.name}:{self.text.dim}|{self.image.name}:{self.image.dim}"

    def validate(self, profile: Profile) -> Profile:
        limits = self.settings.limits
        if not profile.id or len(profile.id) > 200:
            raise InvalidInput("id must be 1 to 200 characters")
        for name in ("platform", "handle", "display_name", "bio"):
            value = getattr(profile, name)
            if len(value) > limits.max_text_chars:
                raise InvalidInput(f"{name} is longer than {limits.max_text_chars} characters")
        if len(profile.links) > limits.max_links:
            raise InvalidInput(f"more than {limits.max_links} links")
        if any(len(link) > 2000 for link in profile.links):
            raise InvalidInput("a link is longer than 2000 characters")
        return replace(profile, handle=profile.handle.strip(), platform=profile.platform.strip())

    def decode_avatar(self, data: bytes) -> Image.Image:
        limits = self.settings.limits
        return decode_image(
            data,
            max_bytes=limits.max_image_bytes,
            max_pixels=limits.max_image_pixels,
            max_side=limits.max_image_side,
            max_aspect=limits.max_image_aspect,
        )

    def derive(
        self, profiles: Sequence[Profile], timer: Timer | None = None, *, bank: bool = False
    ) -> list[Features | MirrorscanError]:
        """Features of each profile, or the error that makes it unusable (a bad avatar). A banned
        account's avatar gets the one vector the index stores; a checked profile's gets its
        region views too (crops, frames and screenshots are found through them)."""
        timer = timer or Timer()
        out: list[Features | MirrorscanError | None] = [None] * len(profiles)
        avatars: dict[int, Avatar] = {}
        for i, p in enumerate(profiles):
            if bank and p.avatar_features is not None:
                try:
                    avatars[i] = self._kept_avatar(p.avatar_features, p.avatar)
                except MirrorscanError as exc:
                    out[i] = exc
                continue
            if not p.avatar:
                continue
            try:
                with timer.stage("decode"):
                    img = self.decode_avatar(p.avatar)
                with timer.stage("hash"):
                    avatars[i] = (banned_avatar if bank else query_avatar)(img, self.image)
            except MirrorscanError as exc:
                out[i] = exc
        with timer.stage("embed"):
            texts = [p.name_text for p in profiles] + [p.bio.strip() for p in profiles]
            vecs = self.text.encode(texts)
            grams = name_vectors([(p.display_name, p.handle) for p in profiles])
        n = len(profiles)
        for i in range(n):
            if out[i] is None:
                out[i] = Features(
                    _nonzero(vecs[i]), _nonzero(vecs[n + i]), avatars.get(i), _nonzero(grams[i])
                )
        return [o for o in out if o is not None]

    def _kept_avatar(self, stored: StoredAvatar, data: bytes | None) -> Avatar:
        """A banned avatar from signals a bank export carried (``bank import``): its PDQ hashes
        as they were derived from the original picture, its embedding too when this image
        encoder made it (else the thumbnail is embedded), and the exported thumbnail kept as it
        is when it is one (a small WEBP), else re-made from the decoded picture."""
        mine = stored.image_model == self._image_model
        if mine and stored.embedding is not None and len(stored.embedding) != self.image.dim:
            raise InvalidInput("avatar_features.embedding is not of the encoder's dimension")
        img = self.decode_avatar(data) if data else None
        thumb = b""
        if img is not None and data is not None:
            webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
            small = webp and max(img.size) <= THUMB_SIDE
            thumb = data if small else thumbnail(img)
        embedding = stored.embedding if mine else None
        if embedding is None and img is not None:
            embedding = self.image.encode([img.convert("RGB")])[0]
        return Avatar(stored.pdq, stored.pdq_quality, embedding, thumb)

    @property
    def _image_model(self) -> str:
        return f"{self.image.name}:{self.image.dim}"

    def thumbnail_of(self, data: bytes) -> bytes:
        """A display thumbnail of untrusted image bytes (decoded safely)."""
        return thumbnail(self.decode_avatar(data))


def _nonzero(vec: Vector) -> Vector | None:
    return vec if vec.any() else None


def comparable(profile: Profile) -> Profile:
    """The profile, when it has something to compare; else the fields that would give it."""
    p = profile
    if p.display_name.strip() or p.handle.strip() or p.bio.strip() or p.links or p.avatar:
        return profile
    given = " (avatar_url is fetched only over the API)" if p.avatar_url else ""
    raise InvalidInput(f"nothing to compare: give at least one of {', '.join(COMPARABLE)}{given}")


def compared(profile: Profile, features: Features) -> tuple[str, ...]:
    """The channels a profile was compared on: those it had something for."""
    out = []
    if profile.display_name.strip() or profile.handle.strip():
        out.append("name")
    if profile.handle.strip():
        out.append("handle")
        if profile.platform.strip():
            out.append("identity")
    if profile.bio.strip():
        out.append("bio")
    if profile.links or extract_contacts(profile.bio, ()):
        out.append("links")
    if features.avatar is not None:
        out.append("avatar")
    return tuple(out)
