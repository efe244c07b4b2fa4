"""Shared symbols drawn with PIL: religious calligraphy, banners and flags that are not
countries, platform default pictures and Telegram-style initials. Many unrelated accounts use
the same ones, banned or not."""

from __future__ import annotations

from PIL import Image, ImageDraw

from .draw import W, fit_text, star

SHAHADA = "لا إله إلا الله محمد رسول الله"
BANNER_TEXT = {"sahaba": "حق چار یار", "hussain": "یا حسین", "labbaik": "لبیک یا رسول اللہ"}


def calligraphy(text: str, style: int) -> Image.Image:
    """Religious calligraphy (e.g. the Kalima) as many unrelated accounts use it."""
    schemes = [
        ((0, 0, 0), (255, 255, 255)),
        ((255, 255, 255), (0, 0, 0)),
        ((10, 90, 40), (230, 190, 80)),
        ((250, 245, 230), (20, 60, 30)),
    ]
    bg, fg = schemes[style % len(schemes)]
    im = Image.new("RGB", (W, W), bg)
    d = ImageDraw.Draw(im)
    words = (text or SHAHADA).split()
    half = (len(words) + 1) // 2
    fit_text(d, (30, 90, W - 30, 190), " ".join(words[:half]), fg, "amiri")
    fit_text(d, (30, 210, W - 30, 310), " ".join(words[half:]), fg, "amiri")
    if style >= 2:
        d.rectangle((14, 14, W - 14, W - 14), outline=fg, width=6)
    return im


def banner(kind: str) -> Image.Image:
    """Flags and banners that are not countries: drawn here, shared by many accounts."""
    if kind in ("shahada_white", "shahada_black"):
        white = kind == "shahada_white"
        bg, fg = ((255, 255, 255), (0, 0, 0)) if white else ((0, 0, 0), (255, 255, 255))
        im = Image.new("RGB", (W, W), bg)
        d = ImageDraw.Draw(im)
        fit_text(d, (20, 110, W - 20, 200), "لا إله إلا الله", fg, "amiri")
        fit_text(d, (40, 205, W - 40, 290), "محمد رسول الله", fg, "amiri")
        return im
    im = Image.new("RGB", (W, W), (255, 255, 255))
    d = ImageDraw.Draw(im)
    if kind == "balochistan":
        d.rectangle((0, 50, W, W / 2), fill=(200, 16, 46))
        d.rectangle((0, W / 2, W, W - 50), fill=(27, 122, 58))
        d.polygon([(0, 50), (170, W / 2), (0, W - 50)], fill=(31, 78, 156))
        star(d, 58, W / 2, 34, (255, 255, 255))
    elif kind == "sindhudesh":
        d.rectangle((0, 50, W, W - 50), fill=(200, 16, 46))
        d.ellipse((W / 2 - 80, W / 2 - 80, W / 2 + 80, W / 2 + 80), fill=(255, 255, 255))
        d.polygon(
            [
                (W / 2 - 25, W / 2 + 55),
                (W / 2 - 25, W / 2 - 40),
                (W / 2, W / 2 - 65),
                (W / 2 + 25, W / 2 - 40),
                (W / 2 + 25, W / 2 + 55),
            ],
            fill=(20, 20, 20),
        )
    else:
        bg = {"sahaba": (0, 0, 0), "hussain": (10, 10, 10), "labbaik": (0, 132, 61)}.get(
            kind, (40, 40, 40)
        )
        fg = {"hussain": (200, 20, 20)}.get(kind, (255, 255, 255))
        d.rectangle((0, 0, W, W), fill=bg)
        fit_text(d, (30, 120, W - 30, 280), BANNER_TEXT.get(kind, kind), fg, "amiri")
    return im


def default_avatar(platform: str) -> Image.Image:
    """A platform's blank profile picture: a grey person on a plain field."""
    bg, fg = {
        "x": ((204, 214, 221), (255, 255, 255)),
        "facebook": ((200, 204, 209), (255, 255, 255)),
        "instagram": ((219, 219, 219), (255, 255, 255)),
        "tiktok": ((230, 230, 230), (190, 190, 190)),
        "youtube": ((100, 100, 100), (220, 220, 220)),
        "whatsapp": ((223, 229, 231), (255, 255, 255)),
        "telegram": ((120, 160, 210), (255, 255, 255)),
    }.get(platform, ((210, 210, 210), (255, 255, 255)))
    im = Image.new("RGB", (W, W), bg)
    d = ImageDraw.Draw(im)
    d.ellipse((W * 0.33, W * 0.18, W * 0.67, W * 0.52), fill=fg)
    d.ellipse((W * 0.15, W * 0.58, W * 0.85, W * 1.25), fill=fg)
    return im


def initials(text: str, color: int) -> Image.Image:
    """Telegram's picture for an account without one: initials on a coloured gradient."""
    palette = [
        ((255, 136, 94), (255, 81, 106)),
        ((114, 213, 253), (42, 158, 241)),
        ((130, 177, 255), (102, 93, 245)),
        ((160, 222, 126), (84, 203, 104)),
        ((83, 237, 214), (40, 201, 183)),
        ((229, 202, 119), (255, 168, 92)),
        ((224, 163, 242), (214, 105, 237)),
    ]
    top, bottom = palette[color % len(palette)]
    im = Image.new("RGB", (W, W))
    d = ImageDraw.Draw(im)
    for y in range(W):
        t = y / W
        d.line(
            (0, y, W, y), fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    fit_text(d, (90, 120, W - 90, 280), text, (255, 255, 255), "sans_bold", 150)
    return im
