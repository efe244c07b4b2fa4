"""Turn an avatar spec (base picture + edits) into a file."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

import cairosvg
from PIL import Image

from . import draw, edits, photos, sources, symbols
from .draw import W, rgb


def _svg(path: Path, width: int, height: int) -> Image.Image:
    png = cairosvg.svg2png(url=str(path), output_width=width, output_height=height)
    return Image.open(io.BytesIO(png)).convert("RGBA")


@lru_cache(maxsize=256)
def flag_image(code: str, layout: str) -> Image.Image:
    """A flag-icons flag: the square design, or the 4:3 one on a white, black or blurred field."""
    if layout == "1x1":
        return _svg(sources.flag_svg(code, "1x1"), W, W).convert("RGB")
    im = _svg(sources.flag_svg(code, "4x3"), W, W * 3 // 4).convert("RGB")
    if layout == "fill":  # cropped to the square as a profile picture crops it
        return im.resize((W * 4 // 3, W), Image.Resampling.LANCZOS).crop((W // 6, 0, W // 6 + W, W))
    bg = {
        "white": Image.new("RGB", (W, W), (255, 255, 255)),
        "black": Image.new("RGB", (W, W), (0, 0, 0)),
    }.get(layout)
    if bg is None:
        from PIL import ImageFilter

        bg = im.resize((W, W)).filter(ImageFilter.GaussianBlur(20))
    bg.paste(im, (0, W // 8))
    return bg


@lru_cache(maxsize=256)
def emoji_image(hexcode: str, size: int) -> Image.Image:
    return _svg(sources.emoji_svg(hexcode), size, size)


def _base(base: tuple[Any, ...]) -> Image.Image:
    """The base picture; photos are unique per account, everything else is shared and cached."""
    if base[0] == "photo":
        return photos.photo(str(base[1]), int(base[2]))
    return _shared_base(base)


@lru_cache(maxsize=256)
def _shared_base(base: tuple[Any, ...]) -> Image.Image:
    kind, *args = base
    if kind == "flag":
        return flag_image(str(args[0]), str(args[1]))
    if kind == "emoji":
        hexcode, bg = args
        out = Image.new("RGB", (W, W), rgb(str(bg)))
        e = emoji_image(str(hexcode), int(W * 0.78))
        out.paste(e, (int(W * 0.11), int(W * 0.11)), e)
        return out
    if kind == "logo":
        style, seed, main, sub, palette = args
        return draw.logo(str(style), int(seed), str(main), str(sub), list(palette))
    if kind == "banner":
        return symbols.banner(str(args[0]))
    if kind == "calligraphy":
        return symbols.calligraphy(str(args[0]), int(args[1]))
    if kind == "default":
        return symbols.default_avatar(str(args[0]))
    if kind == "initials":
        return symbols.initials(str(args[0]), int(args[1]))
    if kind == "solid":
        return Image.new("RGB", (W, W), rgb(str(args[0])))
    raise ValueError(f"unknown avatar base {kind!r}")


def _freeze(x: Any) -> Any:
    return tuple(_freeze(v) for v in x) if isinstance(x, list | tuple) else x


def render(spec: dict[str, Any]) -> Image.Image:
    im = _base(_freeze(spec["base"])).copy()
    for op in spec["ops"]:
        im = edits.apply(im, op)
    size = int(spec["size"])
    return im.resize((size, size), Image.Resampling.LANCZOS) if im.size != (size, size) else im


def save(spec: dict[str, Any], path: Path) -> None:
    im = render(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    if spec["fmt"] == "jpg":
        im.save(path, "JPEG", quality=88)
    else:
        im.save(path, "PNG", optimize=False, compress_level=6)
