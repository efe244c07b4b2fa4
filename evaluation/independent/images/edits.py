"""The evaders' edits on a re-uploaded avatar, written for this generator.

Each op is a JSON list ``[name, *args]`` so an avatar is fully described by its base picture and
its ops; `apply` runs one on an RGB image.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from .draw import fit_text, rgb

Op = list[Any]


def _jpeg(im: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=int(quality))
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def _scale(im: Image.Image, factor: float) -> Image.Image:
    w, h = im.size
    small = im.resize((max(8, int(w * factor)), max(8, int(h * factor))), Image.Resampling.BILINEAR)
    return small.resize((w, h), Image.Resampling.BICUBIC)


def _crop(im: Image.Image, x0: float, y0: float, x1: float, y1: float) -> Image.Image:
    w, h = im.size
    box = (int(x0 * w), int(y0 * h), int(x1 * w), int(y1 * h))
    return im.crop(box).resize((w, h), Image.Resampling.LANCZOS)


def _circle(im: Image.Image, bg: str) -> Image.Image:
    w, h = im.size
    mask = Image.new("L", (w * 2, h * 2), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, w * 2 - 1, h * 2 - 1), fill=255)
    out = Image.new("RGB", (w, h), rgb(bg))
    out.paste(im, (0, 0), mask.resize((w, h), Image.Resampling.LANCZOS))
    return out


def _border(im: Image.Image, frac: float, color: str) -> Image.Image:
    w, h = im.size
    b = int(w * frac)
    inner = im.resize((w - 2 * b, h - 2 * b), Image.Resampling.LANCZOS)
    out = Image.new("RGB", (w, h), rgb(color))
    out.paste(inner, (b, b))
    return out


def _ring(im: Image.Image, c1: str, c2: str) -> Image.Image:
    """An Instagram-story style gradient ring around a circular picture."""
    w, h = im.size
    grad = Image.linear_gradient("L").resize((w, h)).rotate(45)
    ring = Image.composite(
        Image.new("RGB", (w, h), rgb(c1)), Image.new("RGB", (w, h), rgb(c2)), grad
    )
    out = Image.new("RGB", (w, h), (255, 255, 255))
    m = Image.new("L", (w, h), 0)
    ImageDraw.Draw(m).ellipse((0, 0, w - 1, h - 1), fill=255)
    out.paste(ring, (0, 0), m)
    b = int(w * 0.07)
    ImageDraw.Draw(out).ellipse((b - 4, b - 4, w - b + 4, h - b + 4), fill=(255, 255, 255))
    inner = _circle(im.resize((w - 2 * b, h - 2 * b), Image.Resampling.LANCZOS), "#ffffff")
    m2 = Image.new("L", inner.size, 0)
    ImageDraw.Draw(m2).ellipse((0, 0, inner.size[0] - 1, inner.size[1] - 1), fill=255)
    out.paste(inner, (b, b), m2)
    return out


def _banner(im: Image.Image, text: str, pos: str, color: str) -> Image.Image:
    w, h = im.size
    out = im.copy()
    d = ImageDraw.Draw(out)
    bh = int(h * 0.2)
    y0 = h - bh if pos == "bottom" else 0
    d.rectangle((0, y0, w, y0 + bh), fill=rgb(color))
    fg = (255, 255, 255) if sum(rgb(color)) < 400 else (0, 0, 0)
    fit_text(d, (w * 0.06, y0 + bh * 0.12, w * 0.94, y0 + bh * 0.88), text, fg, "sans_bold")
    return out


def _text(im: Image.Image, text: str, corner: str, color: str) -> Image.Image:
    w, h = im.size
    out = im.copy()
    d = ImageDraw.Draw(out)
    box = {
        "tl": (4, 4, w * 0.55, h * 0.14),
        "br": (w * 0.45, h * 0.86, w - 4, h - 4),
        "bl": (4, h * 0.86, w * 0.55, h - 4),
        "tr": (w * 0.45, 4, w - 4, h * 0.14),
    }[corner]
    fit_text(d, box, text, rgb(color), "sans_bold")
    return out


def _rotate(im: Image.Image, deg: float, fill: str) -> Image.Image:
    """A slight rotation; `fill` colours the corners, or "crop" zooms them away."""
    out = im.rotate(
        deg,
        resample=Image.Resampling.BICUBIC,
        expand=False,
        fillcolor=rgb(fill) if fill != "crop" else (0, 0, 0),
    )
    k = 1 + abs(deg) / 45
    return (
        _crop(out, 0.5 - 0.5 / k, 0.5 - 0.5 / k, 0.5 + 0.5 / k, 0.5 + 0.5 / k)
        if fill == "crop"
        else out
    )


def _hsv(im: Image.Image, dh: float, ds: float, dv: float) -> Image.Image:
    """Hue rotation (fraction of a turn), saturation and value scaled by 1 + ds, 1 + dv."""
    hsv = np.asarray(im.convert("HSV"), float)
    hsv[..., 0] = (hsv[..., 0] + dh * 256) % 256
    hsv[..., 1] = np.clip(hsv[..., 1] * (1 + ds), 0, 255)
    hsv[..., 2] = np.clip(hsv[..., 2] * (1 + dv), 0, 255)
    return Image.fromarray(hsv.astype(np.uint8), "HSV").convert("RGB")


def _screenshot(im: Image.Image, seed: int, name: str) -> Image.Image:
    """The picture as it appears in a phone screenshot of the old profile."""
    rng = random.Random(seed)
    w, h = im.size
    dark = rng.random() < 0.4
    bg, fg = ((0, 0, 0), (230, 230, 230)) if dark else ((255, 255, 255), (20, 20, 20))
    out = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(out)
    d.rectangle((0, 0, w, int(h * 0.06)), fill=(30, 30, 30) if dark else (245, 245, 245))
    fit_text(
        d, (w * 0.03, 2, w * 0.25, h * 0.055), f"{rng.randint(1, 12)}:{rng.randint(10, 59)}", fg
    )
    side = int(w * rng.uniform(0.5, 0.66))
    x0, y0 = int(w * rng.uniform(0.05, 0.3)), int(h * rng.uniform(0.1, 0.18))
    out.paste(
        _circle(
            im.resize((side, side), Image.Resampling.LANCZOS), "#000000" if dark else "#ffffff"
        ),
        (x0, y0),
    )
    fit_text(d, (w * 0.05, y0 + side + 8, w * 0.95, y0 + side + h * 0.1), name, fg, "sans_bold")
    d.rounded_rectangle((w * 0.08, h * 0.9, w * 0.92, h * 0.98), radius=12, fill=(29, 155, 240))
    return out


def _pad(im: Image.Image, frac: float, color: str) -> Image.Image:
    w, h = im.size
    side = int(w * (1 - frac))
    bg = (
        im.resize((w, h)).filter(ImageFilter.GaussianBlur(12))
        if color == "blur"
        else Image.new("RGB", (w, h), rgb(color))
    )
    bg.paste(im.resize((side, side), Image.Resampling.LANCZOS), ((w - side) // 2, (h - side) // 2))
    return bg


def _noise(im: Image.Image, sigma: float, seed: int) -> Image.Image:
    arr = np.asarray(im, float)
    arr = arr + np.random.default_rng(seed).normal(0, sigma, arr.shape)
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def _sticker(im: Image.Image, hexcode: str, corner: str) -> Image.Image:
    from .render import emoji_image

    w, h = im.size
    s = int(w * 0.3)
    e = emoji_image(hexcode, s)
    out = im.copy()
    x = 4 if corner in ("tl", "bl") else w - s - 4
    y = 4 if corner in ("tl", "tr") else h - s - 4
    out.paste(e, (x, y), e)
    return out


OPS: dict[str, Callable[..., Image.Image]] = {
    "jpeg": _jpeg,
    "scale": _scale,
    "crop": _crop,
    "circle": _circle,
    "border": _border,
    "ring": _ring,
    "banner": _banner,
    "text": _text,
    "flip": lambda im: ImageOps.mirror(im),
    "rotate": _rotate,
    "hsv": _hsv,
    "gray": lambda im: ImageOps.grayscale(im).convert("RGB"),
    "contrast": lambda im, f: ImageEnhance.Contrast(im).enhance(f),
    "bright": lambda im, f: ImageEnhance.Brightness(im).enhance(f),
    "screenshot": _screenshot,
    "pad": _pad,
    "noise": _noise,
    "sticker": _sticker,
    "resize": lambda im, n: im.resize((int(n), int(n)), Image.Resampling.LANCZOS),
    "blur": lambda im, r: im.filter(ImageFilter.GaussianBlur(r)),
}


def apply(im: Image.Image, op: Op) -> Image.Image:
    return OPS[op[0]](im, *op[1:]).convert("RGB")
