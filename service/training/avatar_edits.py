"""The edits evaders apply to a group's logo before re-uploading it, each a function of (image,
random generator, overlay emoji) -> encoded bytes, as the upload would arrive."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

Edit = Callable[[Image.Image, random.Random, Image.Image], bytes]


def _jpeg(img: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def jpeg_q30(img: Image.Image, rng: random.Random, _e: Image.Image) -> bytes:
    return _jpeg(img, 30)


def resize_96(img: Image.Image, rng: random.Random, _e: Image.Image) -> bytes:
    return _jpeg(img.resize((96, 96), Image.Resampling.BILINEAR), 85)


def crop(img: Image.Image, rng: random.Random, _e: Image.Image) -> bytes:
    """Remove 10-20% of the width and of the height, split at random between the two sides."""
    w, h = img.size
    cw, ch = int(w * rng.uniform(0.10, 0.20)), int(h * rng.uniform(0.10, 0.20))
    left, top = rng.randint(0, cw), rng.randint(0, ch)
    return _jpeg(img.crop((left, top, left + w - cw, top + h - ch)))


def circle(img: Image.Image, rng: random.Random, _e: Image.Image) -> bytes:
    """Circle-masked, transparent outside (as a PNG): the decoder flattens it on white."""
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, img.width - 1, img.height - 1), fill=255)
    rgba = img.convert("RGBA")
    rgba.putalpha(mask)
    return _png(rgba)


def border(img: Image.Image, rng: random.Random, _e: Image.Image) -> bytes:
    pad = int(img.width * rng.uniform(0.05, 0.12))
    colour = tuple(rng.randint(0, 255) for _ in range(3))
    return _jpeg(ImageOps.expand(img, border=pad, fill=colour))


def banner(img: Image.Image, rng: random.Random, _e: Image.Image) -> bytes:
    out = img.copy()
    d = ImageDraw.Draw(out)
    h = int(out.height * rng.uniform(0.14, 0.22))
    top = out.height - h if rng.random() < 0.7 else 0
    fill = rng.choice([(220, 20, 20), (0, 0, 0), (20, 90, 200)])
    d.rectangle((0, top, out.width, top + h), fill=fill)
    text = rng.choice(["NEW ACCOUNT", "BACKUP", "OFFICIAL", "FOLLOW NEW"])
    font = ImageFont.load_default(size=max(10, int(h * 0.55)))
    tw = d.textlength(text, font=font)
    d.text(((out.width - tw) / 2, top + h * 0.18), text, fill=(255, 255, 255), font=font)
    return _jpeg(out)


def mirror(img: Image.Image, rng: random.Random, _e: Image.Image) -> bytes:
    return _jpeg(ImageOps.mirror(img))


def rotate(img: Image.Image, rng: random.Random, _e: Image.Image) -> bytes:
    angle = rng.uniform(3, 8) * rng.choice([-1, 1])
    return _jpeg(img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255)))


def colour_jitter(img: Image.Image, rng: random.Random, _e: Image.Image) -> bytes:
    out = ImageEnhance.Brightness(img).enhance(rng.uniform(0.75, 1.25))
    out = ImageEnhance.Contrast(out).enhance(rng.uniform(0.75, 1.25))
    out = ImageEnhance.Color(out).enhance(rng.uniform(0.6, 1.4))
    hsv = out.convert("HSV")
    hch, s, v = hsv.split()
    shift = rng.randint(-20, 20)
    hch = hch.point(lambda x: (x + shift) % 256)
    return _jpeg(Image.merge("HSV", (hch, s, v)).convert("RGB"))


def emoji_overlay(img: Image.Image, rng: random.Random, emoji: Image.Image) -> bytes:
    out = img.copy()
    side = int(out.width * rng.uniform(0.22, 0.32))
    sticker = emoji.resize((side, side), Image.Resampling.LANCZOS)
    x = rng.choice([0, out.width - side]) + rng.randint(-4, 4)
    y = rng.choice([0, out.height - side]) + rng.randint(-4, 4)
    out.paste(sticker, (max(0, x), max(0, y)))
    return _jpeg(out)


def greyscale(img: Image.Image, rng: random.Random, _e: Image.Image) -> bytes:
    return _jpeg(ImageOps.grayscale(img))


def screenshot(img: Image.Image, rng: random.Random, _e: Image.Image) -> bytes:
    """The avatar inside a screenshot of a profile page: a canvas with a header bar and text
    lines, the avatar at 55-75% of the canvas height, cropped loosely around it."""
    cw, ch = rng.randint(360, 460), rng.randint(300, 380)
    dark = rng.random() < 0.3
    canvas = Image.new("RGB", (cw, ch), (21, 32, 43) if dark else (255, 255, 255))
    d = ImageDraw.Draw(canvas)
    bar = (29, 155, 240) if rng.random() < 0.5 else (60, 60, 60)
    d.rectangle((0, 0, cw, int(ch * 0.12)), fill=bar)
    side = int(ch * rng.uniform(0.55, 0.75))
    x, y = rng.randint(8, 24), int(ch * 0.15)
    canvas.paste(img.resize((side, side), Image.Resampling.BILINEAR), (x, y))
    ink = (200, 200, 200) if dark else (40, 40, 40)
    for i in range(4):
        ty = y + 10 + i * 28
        room = max(41, cw - (x + side + 16) - 8)
        d.rectangle((x + side + 16, ty, x + side + 16 + rng.randint(40, room), ty + 12), fill=ink)
    return _png(canvas)


EDITS: dict[str, Edit] = {
    "jpeg_q30": jpeg_q30,
    "resize_96": resize_96,
    "crop": crop,
    "circle": circle,
    "border": border,
    "banner": banner,
    "mirror": mirror,
    "rotate": rotate,
    "colour_jitter": colour_jitter,
    "emoji_overlay": emoji_overlay,
    "greyscale": greyscale,
    "screenshot": screenshot,
}


def reupload(img: Image.Image) -> bytes:
    """An unedited re-upload (platform re-encode): how a shared avatar reaches another account."""
    return _jpeg(img, 85)
