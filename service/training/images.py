"""Images for generated training data. ``drawn_images`` makes simple emblems without any
download (for tests and for machines without the npm registry); the real sets come from
``real_images`` (logos, flags, emoji, photos fetched into a cache)."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageOps

from service.training import avatar_sources
from service.training.splits import ImageEdit, Images


def _emblem(rng: random.Random, side: int = 256) -> Image.Image:
    bg = tuple(rng.randrange(256) for _ in range(3))
    img = Image.new("RGB", (side, side), bg)
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(3, 7)):
        fg = tuple(rng.randrange(256) for _ in range(3))
        x0, y0 = rng.randrange(side - 40), rng.randrange(side - 40)
        x1, y1 = x0 + rng.randint(30, side - x0), y0 + rng.randint(30, side - y0)
        shape = rng.randrange(3)
        if shape == 0:
            draw.ellipse((x0, y0, x1, y1), fill=fg)
        elif shape == 1:
            draw.rectangle((x0, y0, x1, y1), fill=fg)
        else:
            draw.polygon([(x0, y1), ((x0 + x1) // 2, y0), (x1, y1)], fill=fg)
    return img


def _jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def basic_edits() -> dict[str, ImageEdit]:
    def recompress(img: Image.Image, rng: random.Random) -> bytes:
        return _jpeg(img, rng.randint(30, 70))

    def crop(img: Image.Image, rng: random.Random) -> bytes:
        w, h = img.size
        m = int(w * rng.uniform(0.05, 0.15))
        return _jpeg(img.crop((m, m, w - m, h - m)).resize(img.size), 85)

    def mirror(img: Image.Image, rng: random.Random) -> bytes:
        return _jpeg(ImageOps.mirror(img), 85)

    def border(img: Image.Image, rng: random.Random) -> bytes:
        return _jpeg(ImageOps.expand(img, border=int(img.width * 0.08), fill="white"), 85)

    return {"recompress": recompress, "crop": crop, "mirror": mirror, "border": border}


def drawn_images(seed: int, logos: int = 400) -> Images:
    rng = random.Random(seed)
    return Images(
        logos=[_emblem(rng) for _ in range(logos)],
        common=[_emblem(rng) for _ in range(8)],
        personal=[_emblem(rng) for _ in range(100)],
        edits=basic_edits(),
    )


def _stable_index(text: str, n: int) -> int:
    import hashlib

    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big") % n


def real_images(seed: int, personal: int = 600) -> Images:
    """Real images fetched with ``npm pack`` into a cache (``avatar_sources``): simple-icons
    logos as the groups' logos; flags, platform default silhouettes and popular emoji as the
    shared avatars; other emoji and Meta's PDQ photos as personal avatars; and the evaders'
    edits of the avatar benchmark (an emoji overlay picks a random emoji)."""
    from service.training import avatar_edits

    rng = random.Random(seed)
    logos = [s.image for s in avatar_sources.logos()]
    rng.shuffle(logos)
    popular = set(avatar_sources.POPULAR_EMOJI) | set(avatar_sources.SILHOUETTE_EMOJI)
    common = [s.image for s in avatar_sources.flags()]
    # the same flags as other packages draw them, laid out as people do (letterboxed, circled,
    # small): a shared avatar is common however it was rendered
    layouts = avatar_sources.LAYOUTS
    for source in ("country-flag-icons", "twemoji"):
        for i, flag in enumerate(avatar_sources.flag_sources(source)):
            layout = layouts[_stable_index(f"{source}:{flag.name}", len(layouts))]
            if i % 2 == 0:
                common.append(avatar_sources.avatar_layouts(flag.image, (layout,))[layout])
    common += [s.image for s in avatar_sources.emblems()]
    common += [s.image for s in avatar_sources.default_avatars()]
    common += [s.image for s in avatar_sources.emoji(tuple(avatar_sources.POPULAR_EMOJI))]
    others = _one_per_base(
        [
            s
            for s in avatar_sources.emoji(limit=personal * 8)
            if s.name[6:] not in popular
            and avatar_sources.twemoji_flag_code(s.name[6:]) is None
            and not s.name[6:].startswith(("1f3f3", "1f3f4"))  # white, black and tag flags
        ]
    )
    rng.shuffle(others)
    mine = [s.image for s in others[:personal]] + [s.image for s in avatar_sources.photos()]
    overlays = [s.image for s in others[personal : personal + 50]] or mine[:10]

    def bind(edit: avatar_edits.Edit) -> ImageEdit:
        return lambda img, r: edit(img, r, r.choice(overlays))

    edits = {name: bind(fn) for name, fn in avatar_edits.EDITS.items()}
    return Images(logos=logos, common=common, personal=mine, edits=edits)


# skin tones, zero-width joiners, variation selectors and gender signs: an emoji's variants are
# the same picture, so a set of distinct avatars keeps one of them
_MODIFIERS = {"1f3fb", "1f3fc", "1f3fd", "1f3fe", "1f3ff", "200d", "fe0f", "2640", "2642"}


def _one_per_base(sources: list[avatar_sources.Source]) -> list[avatar_sources.Source]:
    seen: set[str] = set()
    out = []
    for source in sources:
        parts = [p for p in source.name.split(":", 1)[-1].split("-") if p not in _MODIFIERS]
        base = parts[0] if parts else source.name
        if base not in seen:
            seen.add(base)
            out.append(source)
    return out
