"""Real avatar-like images for the avatar benchmark, fetched at run time into a cache outside git.

Sources (all fetched with ``npm pack`` from the npm registry, never committed):
- logos: ``simple-icons`` (CC0), each icon rendered with ``resvg-py`` in its brand colour, either
  on white or in white on its brand colour (both styles occur as real avatars);
- flags: ``svg-country-flags`` (public-domain flag artwork), centre-cropped square as avatars are;
  for the commonness reference also ``country-flag-icons`` (MIT) and twemoji's flag emoji: three
  independent drawings of every country's flag (``flag_sources``), each laid out as avatars are
  (``avatar_layouts``: square crop, letterboxed on white or grey, circle-masked, small upscaled);
- emoji: ``@discordapp/twemoji`` (CC-BY 4.0 graphics), on a pale background;
- photos: Meta's PDQ test images from ``../shared/data/pdq/images`` when present.
Default silhouettes (the platform's "no avatar" picture) come from twemoji's bust-in-silhouette
glyphs plus two drawn in the style of X's and Facebook's defaults.
"""

from __future__ import annotations

import io
import json
import math
import tarfile
from pathlib import Path

from PIL import Image, ImageDraw

from service.config import Settings
from service.training.image_assets import AVATAR_EMOJI as AVATAR_EMOJI
from service.training.image_assets import CACHE as CACHE
from service.training.image_assets import PACKAGES as PACKAGES
from service.training.image_assets import POPULAR_EMOJI as POPULAR_EMOJI
from service.training.image_assets import SIDE as SIDE
from service.training.image_assets import SILHOUETTE_EMOJI as SILHOUETTE_EMOJI
from service.training.image_assets import Source as Source
from service.training.image_assets import (
    cached,
    members,
    on_background,
    render,
    stable_hash,
    tarball,
)


def logos(limit: int | None = None) -> list[Source]:
    svgs = members(PACKAGES["simple-icons"], "package/icons/")
    with tarfile.open(tarball(PACKAGES["simple-icons"])) as tar:
        f = tar.extractfile("package/data/simple-icons.json")
        meta = json.load(f) if f else []
    colours = {m["slug"]: m["hex"] for m in meta if "slug" in m}
    out = []
    for slug in sorted(svgs)[:limit]:
        hexc = colours.get(slug, "333333")
        rgb = tuple(int(hexc[i : i + 2], 16) for i in (0, 2, 4))

        def make(slug: str = slug, hexc: str = hexc, rgb: tuple[int, ...] = rgb) -> Image.Image:
            svg = svgs[slug].replace(b"<svg ", f'<svg fill="#{hexc}" '.encode(), 1)
            if stable_hash(slug) % 2 == 0 and sum(rgb) < 600:  # white logo on its brand colour
                svg = svgs[slug].replace(b"<svg ", b'<svg fill="#ffffff" ', 1)
                return on_background(rgb, render(svg, SIDE), 0.18)  # type: ignore[arg-type]
            return on_background((255, 255, 255), render(svg, SIDE), 0.15)

        out.append(Source(f"logo:{slug}", "logo", cached(f"logo:{slug}", make)))
    return out


def flags() -> list[Source]:
    svgs = members(PACKAGES["flags"], "package/svg/")
    out = []
    for code in sorted(svgs):

        def make(code: str = code) -> Image.Image:
            import resvg_py

            png = resvg_py.svg_to_bytes(svg_string=svgs[code].decode("utf-8"), height=SIDE)
            img = Image.open(io.BytesIO(bytes(png))).convert("RGB")
            w, h = img.size
            left = max(0, (w - h) // 2)
            return img.crop((left, 0, left + min(w, h), min(w, h))).resize((SIDE, SIDE))

        try:
            out.append(Source(f"flag:{code}", "flag", cached(f"flag:{code}", make)))
        except ValueError:  # an SVG resvg cannot render
            continue
    return out


def emoji(names: tuple[str, ...] | None = None, limit: int | None = None) -> list[Source]:
    svgs = members(PACKAGES["twemoji"], "package/dist/svg/")
    keys = [k for k in sorted(svgs) if names is None or k in names][:limit]
    out = []
    for key in keys:
        bg = (235, 240, 245) if stable_hash(key) % 2 else (255, 255, 255)

        def make(key: str = key, bg: tuple[int, int, int] = bg) -> Image.Image:
            return on_background(bg, render(svgs[key], SIDE), 0.12)

        out.append(Source(f"emoji:{key}", "emoji", cached(f"emoji:{key}", make)))
    return out


def photos(folder: Path | None = None) -> list[Source]:
    """The photos of the PDQ test images under the shared reference data (none if absent)."""
    folder = folder or Settings().shared_data / "pdq" / "images"
    if not folder.exists():
        return []
    out = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in (".jpg", ".png") or "dih" in path.parts:
            continue
        if "bridge-mods" in path.parts and path.name != "aaa-orig.jpg":
            continue  # edits of one photo are not distinct images
        img = Image.open(path).convert("RGB")
        side = min(img.size)
        if side < 64:
            continue
        left, top = (img.width - side) // 2, (img.height - side) // 2
        img = img.crop((left, top, left + side, top + side)).resize((SIDE, SIDE))
        out.append(Source(f"photo:{path.stem}", "photo", img))
    return out


def default_avatars() -> list[Source]:
    """Platform "no avatar" pictures: twemoji silhouettes and two drawn in the platforms' style."""
    out = [Source(f"default:{s.name}", "default", s.image) for s in emoji(SILHOUETTE_EMOJI)]
    for name, bg, fg in (
        ("x", (207, 217, 222), (255, 255, 255)),
        ("facebook", (200, 204, 209), (240, 242, 245)),
    ):
        img = Image.new("RGB", (SIDE, SIDE), bg)
        d = ImageDraw.Draw(img)
        d.ellipse((88, 48, 168, 128), fill=fg)  # head
        d.ellipse((48, 140, 208, 300), fill=fg)  # shoulders
        out.append(Source(f"default:{name}", "default", img))
    return out


# --- the commonness reference: shared pictures from several independent sources ---------------

FLAG_SOURCES = ("svg-country-flags", "country-flag-icons", "twemoji")
_REGIONAL_A = 0x1F1E6  # regional indicator symbol letter A
_TAG_A = 0xE0061  # tag latin small letter a


def twemoji_flag_code(key: str) -> str | None:
    """ISO code of a twemoji flag file name: ``1f1f5-1f1f0`` -> ``pk``, England's tag sequence
    ``1f3f4-e0067-e0062-e0065-e006e-e0067-e007f`` -> ``gb-eng``; None for any other emoji."""
    parts = [int(p, 16) for p in key.split("-")]
    if len(parts) == 2 and all(_REGIONAL_A <= p < _REGIONAL_A + 26 for p in parts):
        return "".join(chr(ord("a") + p - _REGIONAL_A) for p in parts)
    if len(parts) > 3 and parts[0] == 0x1F3F4 and parts[-1] == 0xE007F:
        letters = "".join(chr(ord("a") + p - _TAG_A) for p in parts[1:-1])
        return f"{letters[:2]}-{letters[2:]}"
    return None


def _flag_svgs(source: str) -> dict[str, bytes]:
    """Lower-case ISO code (``pk``, ``gb-eng``) -> SVG of that country's flag in ``source``."""
    if source == "svg-country-flags":
        return members(PACKAGES["flags"], "package/svg/")
    if source in ("country-flag-icons", "country-flag-icons-1x1"):
        shape = "1x1" if source.endswith("1x1") else "3x2"  # 1x1: the package's square designs
        raw = members(PACKAGES["country-flag-icons"], f"package/{shape}/")
        return {k.lower().replace("_", "-"): v for k, v in raw.items()}
    if source == "twemoji":
        out = {}
        for key, svg in members(PACKAGES["twemoji"], "package/dist/svg/").items():
            code = twemoji_flag_code(key)
            if code is not None:
                out[code] = svg
        return out
    raise ValueError(f"unknown flag source {source!r}; known: {', '.join(FLAG_SOURCES)}")


def _flatten(img: Image.Image, bg: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    rgba = img.convert("RGBA")
    out = Image.new("RGB", rgba.size, bg)
    out.paste(rgba, (0, 0), rgba)
    return out


def _render_flag(source: str, svg: bytes) -> Image.Image:
    """The flag itself at its own aspect ratio, ``SIDE`` px high (twemoji's glyph is cut to the
    flag's box: its rounded corners stay, on white)."""
    import resvg_py

    if source == "twemoji":
        glyph = render(svg, 4 * SIDE)
        box = glyph.getchannel("A").point(lambda a: 255 if a > 8 else 0).getbbox()
        flag = _flatten(glyph.crop(box) if box else glyph)
        return flag.resize((round(SIDE * flag.width / flag.height), SIDE), Image.Resampling.LANCZOS)
    png = resvg_py.svg_to_bytes(svg_string=svg.decode("utf-8"), height=SIDE)
    return _flatten(Image.open(io.BytesIO(bytes(png))))


def flag_sources(source: str, codes: tuple[str, ...] | None = None) -> list[Source]:
    """Every country's flag (or those of ``codes``) as drawn by one package (``FLAG_SOURCES``),
    at its own aspect ratio; ``avatar_layouts`` makes avatars of them. Named ``flag:<code>``."""
    svgs = _flag_svgs(source)
    out = []
    for code in sorted(c for c in svgs if codes is None or c in codes):
        try:
            img = cached(f"flagsrc:{source}:{code}", lambda c=code: _render_flag(source, svgs[c]))
        except ValueError:  # an SVG resvg cannot render
            continue
        out.append(Source(f"flag:{code}", "flag", img))
    return out


def _square_crop(img: Image.Image) -> Image.Image:
    side = min(img.size)
    left, top = (img.width - side) // 2, (img.height - side) // 2
    return img.crop((left, top, left + side, top + side)).resize((SIDE, SIDE))


def _letterbox(img: Image.Image, bg: tuple[int, int, int], pad: float = 0.0) -> Image.Image:
    canvas = Image.new("RGB", (SIDE, SIDE), bg)
    inner = SIDE * (1 - 2 * pad)
    scale = inner / max(img.size)
    fit = img.convert("RGB").resize(
        (max(1, round(img.width * scale)), max(1, round(img.height * scale))),
        Image.Resampling.LANCZOS,
    )
    canvas.paste(fit, ((SIDE - fit.width) // 2, (SIDE - fit.height) // 2))
    return canvas


def _circle(img: Image.Image) -> Image.Image:
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, img.width - 1, img.height - 1), fill=255)
    out = Image.new("RGB", img.size, (255, 255, 255))
    out.paste(img.convert("RGB"), (0, 0), mask)
    return out


def _small(img: Image.Image, side: int = 40) -> Image.Image:
    """A small avatar shown large: downscaled to ``side`` px and upscaled back (blurred)."""
    tiny = img.resize((side, side), Image.Resampling.BILINEAR)
    return tiny.resize((SIDE, SIDE), Image.Resampling.BILINEAR)


LAYOUTS = ("crop", "fit-white", "fit-grey", "circle", "small")


def avatar_layouts(img: Image.Image, layouts: tuple[str, ...] = LAYOUTS) -> dict[str, Image.Image]:
    """How one picture (a flag at its own aspect ratio, an emoji glyph) is laid out as a square
    avatar: centre-cropped square, letterboxed on white or on grey, the crop circle-masked, and
    the crop at 40 px upscaled (a small upload)."""
    makers = {
        "crop": lambda: _square_crop(img),
        "fit-white": lambda: _letterbox(img, (255, 255, 255)),
        "fit-grey": lambda: _letterbox(img, (225, 228, 232), 0.06),
        "fit-dark": lambda: _letterbox(img, (21, 32, 43), 0.06),
        "circle": lambda: _circle(_square_crop(img)),
        "small": lambda: _small(_square_crop(img)),
        "stretch": lambda: img.convert("RGB").resize((SIDE, SIDE), Image.Resampling.LANCZOS),
    }
    return {k: makers[k]() for k in layouts}


def emoji_glyphs(names: tuple[str, ...]) -> list[Source]:
    """Twemoji glyphs (RGBA, transparent around the glyph), for ``emoji_layouts``."""
    svgs = members(PACKAGES["twemoji"], "package/dist/svg/")
    return [
        Source(f"emoji:{k}", "emoji", render(svgs[k], SIDE)) for k in sorted(svgs) if k in names
    ]


def emoji_layouts(glyph: Image.Image) -> dict[str, Image.Image]:
    """An emoji as an avatar: small or large on white, on a pale or a saturated colour, circled."""
    rgba = glyph.convert("RGBA")
    out = {}
    for name, bg, pad in (
        ("white-12", (255, 255, 255), 0.12),
        ("pale-12", (235, 240, 245), 0.12),
        ("white-25", (255, 255, 255), 0.25),
        ("white-0", (255, 255, 255), 0.0),
        ("blue-15", (29, 155, 240), 0.15),
        ("black-15", (0, 0, 0), 0.15),
    ):
        out[name] = on_background(bg, rgba, pad)
    out["circle"] = _circle(on_background((235, 240, 245), rgba, 0.12))
    out["small"] = _small(on_background((255, 255, 255), rgba, 0.12))
    return out


def _silhouette(
    bg: tuple[int, int, int], fg: tuple[int, int, int], scale: float = 1.0
) -> Image.Image:
    img = Image.new("RGB", (SIDE, SIDE), bg)
    d = ImageDraw.Draw(img)
    c, s = SIDE / 2, scale
    d.ellipse((c - 40 * s, 88 - 40 * s, c + 40 * s, 88 + 40 * s), fill=fg)  # head
    d.ellipse((c - 80 * s, 220 - 80 * s, c + 80 * s, 220 + 80 * s), fill=fg)  # shoulders
    return img


def more_default_avatars() -> list[Source]:
    """Further "no avatar" pictures in the styles of the platforms (light and dark silhouettes,
    WhatsApp's and Instagram's greys) and each circle-masked."""
    out = []
    for name, bg, fg, scale in (
        ("x-dark", (51, 54, 61), (110, 118, 125), 1.0),
        ("whatsapp", (223, 229, 231), (255, 255, 255), 0.9),
        ("instagram", (219, 219, 219), (255, 255, 255), 0.8),
        ("linkedin", (201, 206, 212), (112, 119, 128), 0.9),
        ("generic-blue", (196, 213, 235), (110, 140, 180), 1.0),
        ("generic-grey", (240, 240, 240), (160, 160, 160), 0.85),
    ):
        img = _silhouette(bg, fg, scale)
        out.append(Source(f"default:{name}", "default", img))
        out.append(Source(f"default:{name}", "default", _circle(img)))
    return out


GREEN, WHITE, RED, BLACK, BLUE, YELLOW = (
    (1, 102, 51),
    (255, 255, 255),
    (206, 17, 38),
    (0, 0, 0),
    (0, 82, 155),
    (252, 209, 22),
)


RGB = tuple[int, int, int]


def _crescent_star(
    d: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fg: RGB, bg: RGB
) -> None:
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fg)
    d.ellipse((cx - r * 0.55, cy - r * 0.95, cx + r * 1.2, cy + r * 0.8), fill=bg)
    sx, sy, sr = cx + r * 0.55, cy - r * 0.15, r * 0.32
    pts = []
    for k in range(10):
        ang = -1.5708 + k * 3.14159 / 5
        rad = sr if k % 2 == 0 else sr * 0.42
        pts.append((sx + rad * math.cos(ang), sy + rad * math.sin(ang)))
    d.polygon(pts, fill=fg)


def emblems() -> list[Source]:
    """State- and party-style flags drawn here: two or three stripes (horizontal or vertical) in
    the colours such flags use, with a crescent and star on the field or on a hoist band. Many
    supporters use flags like these, so matching one proves little."""
    palettes = (
        (GREEN, WHITE),
        (RED, WHITE),
        (BLACK, RED, GREEN),
        (GREEN, WHITE, BLACK),
        (RED, GREEN),
        (GREEN, RED, GREEN),
        (BLUE, WHITE),
        (RED, WHITE, GREEN),
    )
    out = []
    for k, colours in enumerate(palettes):
        for vertical in (False, True):
            w, h = 3 * SIDE // 2, SIDE
            img = Image.new("RGB", (w, h), colours[0])
            d = ImageDraw.Draw(img)
            n = len(colours)
            for i, c in enumerate(colours):
                if vertical:
                    d.rectangle((i * w / n, 0, (i + 1) * w / n, h), fill=c)
                else:
                    d.rectangle((0, i * h / n, w, (i + 1) * h / n), fill=c)
            field = colours[n // 2]
            emblem = WHITE if field != WHITE else GREEN
            _crescent_star(d, w / 2, h / 2, h * 0.22, emblem, field)
            name = f"emblem:{'v' if vertical else 'h'}{k}"
            for layout, im in avatar_layouts(img, ("crop", "fit-white")).items():
                out.append(Source(f"{name}-{layout}", "emblem", im))
    return out
