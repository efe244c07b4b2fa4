"""Real avatar-like images for the avatar benchmark, fetched at run time into a cache outside git.

Sources (all fetched with ``npm pack`` from the npm registry, never committed):
- logos: ``simple-icons`` (CC0), each icon rendered with ``resvg-py`` in its brand colour, either
  on white or in white on its brand colour (both styles occur as real avatars);
- flags: ``svg-country-flags`` (public-domain flag artwork), centre-cropped square as avatars are;
- emoji: ``@discordapp/twemoji`` (CC-BY 4.0 graphics), on a pale background;
- photos: Meta's PDQ test images from ``../shared/data/pdq/images`` when present.
Default silhouettes (the platform's "no avatar" picture) come from twemoji's bust-in-silhouette
glyphs plus two drawn in the style of X's and Facebook's defaults.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

CACHE = Path.home() / ".cache" / "mirrorscan-bench"
PACKAGES = {
    "simple-icons": "simple-icons@16.37.0",
    "flags": "svg-country-flags@1.2.10",
    "twemoji": "@discordapp/twemoji@16.0.1",
}
SIDE = 256
PDQ_IMAGES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pdq" / "images"
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


def photos() -> list[Source]:
    if not PDQ_IMAGES.exists():
        return []
    out = []
    for path in sorted(PDQ_IMAGES.rglob("*")):
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
