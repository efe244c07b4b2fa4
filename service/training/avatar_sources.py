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

import hashlib
import io
import json
import math
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from service.config import Settings

CACHE = Path.home() / ".cache" / "mirrorscan-bench"
PACKAGES = {
    "simple-icons": "simple-icons@16.37.0",
    "flags": "svg-country-flags@1.2.10",
    "country-flag-icons": "country-flag-icons@1.6.20",
    "twemoji": "@discordapp/twemoji@16.0.1",
}
SIDE = 256
SILHOUETTE_EMOJI = ("1f464", "1f465", "1f5e3")  # bust in silhouette, busts, speaking head
POPULAR_EMOJI = (  # commonly used as avatars; part of the shared-avatar population
    "1f600",
    "1f602",
    "2764",
    "1f525",
    "1f44d",
    "1f60e",
    "1f64f",
    "2b50",
    "1f319",
    "1f338",
    "1f981",
    "1f985",
    "1f43a",
    "1f451",
    "1f30d",
    "1f3b5",
    "1f4f7",
    "1f680",
    "26bd",
    "1f3c6",
)
# More emoji people take as their avatar (the reference population adds these to
# POPULAR_EMOJI, which the benchmark and the training generator keep as it was): religious
# symbols, hearts, flowers, animals, hands, moons and stars, and non-country flags.
AVATAR_EMOJI = POPULAR_EMOJI + (
    "262a",  # star and crescent
    "1f54b",  # kaaba
    "1f54c",  # mosque
    "1f4ff",  # prayer beads
    "1f932",  # palms up together (dua)
    "261d",  # index pointing up
    "1f4d6",  # open book
    "271d",  # latin cross
    "2721",  # star of david
    "1f549",  # om
    "262e",  # peace
    "1f54a",  # dove
    "1f499",  # blue heart
    "1f49a",  # green heart
    "1f49b",  # yellow heart
    "1f49c",  # purple heart
    "1f5a4",  # black heart
    "1f90d",  # white heart
    "1f9e1",  # orange heart
    "1f494",  # broken heart
    "1f495",  # two hearts
    "1f496",  # sparkling heart
    "1f339",  # rose
    "1f337",  # tulip
    "1f33a",  # hibiscus
    "1f33b",  # sunflower
    "1f334",  # palm tree
    "1f31f",  # glowing star
    "2728",  # sparkles
    "2600",  # sun
    "1f308",  # rainbow
    "1f30e",  # globe americas
    "1f30f",  # globe asia
    "1f60a",  # smiling face
    "1f60d",  # heart eyes
    "1f970",  # smiling face with hearts
    "1f607",  # halo
    "1f642",  # slightly smiling face
    "1f4af",  # hundred points
    "1f4aa",  # flexed biceps
    "270c",  # victory hand
    "1f91d",  # handshake
    "1f405",  # tiger
    "1f40e",  # horse
    "1f98b",  # butterfly
    "1f431",  # cat
    "1f436",  # dog
    "1f3cf",  # cricket
    "1f3f3",  # white flag
    "1f3f4",  # black flag
    "1f3f3-fe0f-200d-1f308",  # rainbow flag
)


@dataclass(frozen=True)
class Source:
    name: str  # "logo:github", "flag:pk", "emoji:1f525", "photo:q0003", "default:x"
    kind: str  # logo | flag | emoji | photo | default
    image: Image.Image


def _tarball(spec: str) -> Path:
    target = CACHE / "npm"
    target.mkdir(parents=True, exist_ok=True)
    name, _, version = spec.rpartition("@")
    stem = name.lstrip("@").replace("/", "-")
    path = target / f"{stem}-{version}.tgz"
    if not path.exists():
        subprocess.run(
            ["npm", "pack", spec, "--silent"], cwd=target, check=True, stdout=subprocess.DEVNULL
        )
    return path


def _members(spec: str, prefix: str, suffix: str = ".svg") -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(_tarball(spec)) as tar:
        for m in tar.getmembers():
            if m.isfile() and m.name.startswith(prefix) and m.name.endswith(suffix):
                f = tar.extractfile(m)
                if f is not None:
                    out[m.name[len(prefix) : -len(suffix)]] = f.read()
    return out


def _render(svg: bytes, side: int, background: str | None = None) -> Image.Image:
    import resvg_py

    png = resvg_py.svg_to_bytes(
        svg_string=svg.decode("utf-8"), width=side, height=side, background=background
    )
    return Image.open(io.BytesIO(bytes(png))).convert("RGBA")


def _on(bg: tuple[int, int, int], fg: Image.Image, pad: float) -> Image.Image:
    canvas = Image.new("RGB", (SIDE, SIDE), bg)
    inner = int(SIDE * (1 - 2 * pad))
    fg = fg.resize((inner, inner), Image.Resampling.LANCZOS)
    off = (SIDE - inner) // 2
    canvas.paste(fg, (off, off), fg)
    return canvas


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big")


def _cached(key: str, make: object) -> Image.Image:
    path = CACHE / "rendered" / f"{key.replace(':', '_').replace('/', '_')}.png"
    if path.exists():
        return Image.open(path).convert("RGB")
    img = make()  # type: ignore[operator]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    img.save(tmp, format="PNG")
    tmp.replace(path)  # atomic: another process never reads a half-written file
    return img  # type: ignore[no-any-return]


def logos(limit: int | None = None) -> list[Source]:
    svgs = _members(PACKAGES["simple-icons"], "package/icons/")
    with tarfile.open(_tarball(PACKAGES["simple-icons"])) as tar:
        f = tar.extractfile("package/data/simple-icons.json")
        meta = json.load(f) if f else []
    colours = {m["slug"]: m["hex"] for m in meta if "slug" in m}
    out = []
    for slug in sorted(svgs)[:limit]:
        hexc = colours.get(slug, "333333")
        rgb = tuple(int(hexc[i : i + 2], 16) for i in (0, 2, 4))

        def make(slug: str = slug, hexc: str = hexc, rgb: tuple[int, ...] = rgb) -> Image.Image:
            svg = svgs[slug].replace(b"<svg ", f'<svg fill="#{hexc}" '.encode(), 1)
            if _stable(slug) % 2 == 0 and sum(rgb) < 600:  # white logo on its brand colour
                svg = svgs[slug].replace(b"<svg ", b'<svg fill="#ffffff" ', 1)
                return _on(rgb, _render(svg, SIDE), 0.18)  # type: ignore[arg-type]
            return _on((255, 255, 255), _render(svg, SIDE), 0.15)

        out.append(Source(f"logo:{slug}", "logo", _cached(f"logo:{slug}", make)))
    return out


def flags() -> list[Source]:
    svgs = _members(PACKAGES["flags"], "package/svg/")
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
            out.append(Source(f"flag:{code}", "flag", _cached(f"flag:{code}", make)))
        except ValueError:  # an SVG resvg cannot render
            continue
    return out


def emoji(names: tuple[str, ...] | None = None, limit: int | None = None) -> list[Source]:
    svgs = _members(PACKAGES["twemoji"], "package/dist/svg/")
    keys = [k for k in sorted(svgs) if names is None or k in names][:limit]
    out = []
    for key in keys:
        bg = (235, 240, 245) if _stable(key) % 2 else (255, 255, 255)

        def make(key: str = key, bg: tuple[int, int, int] = bg) -> Image.Image:
            return _on(bg, _render(svgs[key], SIDE), 0.12)

        out.append(Source(f"emoji:{key}", "emoji", _cached(f"emoji:{key}", make)))
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
        return _members(PACKAGES["flags"], "package/svg/")
    if source in ("country-flag-icons", "country-flag-icons-1x1"):
        shape = "1x1" if source.endswith("1x1") else "3x2"  # 1x1: the package's square designs
        raw = _members(PACKAGES["country-flag-icons"], f"package/{shape}/")
        return {k.lower().replace("_", "-"): v for k, v in raw.items()}
    if source == "twemoji":
        out = {}
        for key, svg in _members(PACKAGES["twemoji"], "package/dist/svg/").items():
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
        glyph = _render(svg, 4 * SIDE)
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
            img = _cached(f"flagsrc:{source}:{code}", lambda c=code: _render_flag(source, svgs[c]))
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
    svgs = _members(PACKAGES["twemoji"], "package/dist/svg/")
    return [
        Source(f"emoji:{k}", "emoji", _render(svgs[k], SIDE)) for k in sorted(svgs) if k in names
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
        out[name] = _on(bg, rgba, pad)
    out["circle"] = _circle(_on((235, 240, 245), rgba, 0.12))
    out["small"] = _small(_on((255, 255, 255), rgba, 0.12))
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
