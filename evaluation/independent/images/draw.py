"""Pictures drawn with PIL for this generator: logos in several styles (groups, outlets,
parties, organisations all use the same drawer), banners, calligraphy, default avatars."""

from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw

from .fonts import font, is_arabic

W = 400


def rgb(hexcode: str) -> tuple[int, int, int]:
    h = hexcode.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def fit_text(
    d: ImageDraw.ImageDraw,
    box: tuple[float, float, float, float],
    text: str,
    fill: tuple[int, int, int],
    kind: str = "sans_bold",
    max_size: int = 160,
) -> None:
    """Draw text as large as fits in the box, centred."""
    if not text:
        return
    if is_arabic(text) and kind not in ("naskh", "nastaliq", "kufi", "amiri"):
        kind = "naskh"
    x0, y0, x1, y1 = box
    size = max_size
    while size > 8:
        f = font(kind, size)
        left, top, right, bottom = d.textbbox((0, 0), text, font=f)
        if right - left <= x1 - x0 and bottom - top <= y1 - y0:
            break
        size = int(size * 0.9)
    f = font(kind, size)
    d.text(((x0 + x1) / 2, (y0 + y1) / 2), text, font=f, fill=fill, anchor="mm")


def star(
    d: ImageDraw.ImageDraw,
    cx: float,
    cy: float,
    r: float,
    fill: tuple[int, int, int],
    points: int = 5,
    rot: float = -90,
) -> None:
    pts = []
    for i in range(points * 2):
        rr = r if i % 2 == 0 else r * 0.42
        a = math.radians(rot + i * 180 / points)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    d.polygon(pts, fill=fill)


def crescent(
    d: ImageDraw.ImageDraw,
    cx: float,
    cy: float,
    r: float,
    fg: tuple[int, int, int],
    bg: tuple[int, int, int],
    shift: float = 0.28,
) -> None:
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fg)
    o = r * shift
    d.ellipse((cx - r + o, cy - r - o * 0.4, cx + r * 0.92 + o, cy + r * 0.92 - o * 0.4), fill=bg)


def _symbol(
    d: ImageDraw.ImageDraw,
    kind: int,
    cx: float,
    cy: float,
    r: float,
    fg: tuple[int, int, int],
    bg: tuple[int, int, int],
) -> None:
    """A small central emblem: crescent and star, sun, mountains, book, mic, globe, chevrons."""
    if kind == 0:
        crescent(d, cx - r * 0.1, cy, r, fg, bg)
        star(d, cx + r * 0.55, cy - r * 0.25, r * 0.3, fg)
    elif kind == 1:
        for i in range(16):
            a = math.radians(i * 22.5)
            d.line(
                (cx, cy, cx + r * 1.1 * math.cos(a), cy + r * 1.1 * math.sin(a)),
                fill=fg,
                width=max(2, int(r / 10)),
            )
        d.ellipse((cx - r * 0.5, cy - r * 0.5, cx + r * 0.5, cy + r * 0.5), fill=fg)
    elif kind == 2:
        d.polygon(
            [
                (cx - r, cy + r * 0.6),
                (cx - r * 0.3, cy - r * 0.7),
                (cx + r * 0.1, cy),
                (cx + r * 0.45, cy - r * 0.4),
                (cx + r, cy + r * 0.6),
            ],
            fill=fg,
        )
    elif kind == 3:
        d.polygon(
            [
                (cx - r, cy - r * 0.5),
                (cx, cy - r * 0.3),
                (cx, cy + r * 0.7),
                (cx - r, cy + r * 0.5),
            ],
            fill=fg,
        )
        d.polygon(
            [
                (cx + r, cy - r * 0.5),
                (cx + r * 0.08, cy - r * 0.3),
                (cx + r * 0.08, cy + r * 0.7),
                (cx + r, cy + r * 0.5),
            ],
            fill=fg,
        )
    elif kind == 4:
        d.rounded_rectangle(
            (cx - r * 0.35, cy - r, cx + r * 0.35, cy + r * 0.2), radius=r * 0.35, fill=fg
        )
        d.arc(
            (cx - r * 0.6, cy - r * 0.5, cx + r * 0.6, cy + r * 0.5),
            0,
            180,
            fill=fg,
            width=max(3, int(r / 8)),
        )
        d.line((cx, cy + r * 0.5, cx, cy + r), fill=fg, width=max(3, int(r / 8)))
    elif kind == 5:
        w = max(2, int(r / 12))
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=fg, width=w)
        d.ellipse((cx - r * 0.45, cy - r, cx + r * 0.45, cy + r), outline=fg, width=w)
        d.line((cx - r, cy, cx + r, cy), fill=fg, width=w)
        d.line((cx, cy - r, cx, cy + r), fill=fg, width=w)
    else:
        for k in range(3):
            y = cy - r * 0.6 + k * r * 0.5
            d.line((cx - r, y, cx, y + r * 0.45, cx + r, y), fill=fg, width=max(4, int(r / 5)))


def logo(style: str, seed: int, main: str, sub: str, palette: list[str]) -> Image.Image:
    """One logo. `style` picks the layout; `seed` its details (proportions, symbol, font)."""
    rng = random.Random(seed)
    c0, c1, c2 = (rgb(c) for c in palette)
    im = Image.new("RGB", (W, W), c0)
    d = ImageDraw.Draw(im)
    kind = rng.choice(("sans_bold", "serif_bold", "condensed", "sans_bold"))
    sym = rng.randrange(7)
    if style == "roundel":
        ring = rng.randint(14, 34)
        d.ellipse((20, 20, W - 20, W - 20), fill=c1)
        d.ellipse((20 + ring, 20 + ring, W - 20 - ring, W - 20 - ring), fill=c0)
        for i in range(rng.choice((0, 8, 12, 24))):
            a = math.radians(i * 360 / max(1, rng.choice((8, 12, 24))))
            star(
                d,
                W / 2 + (W / 2 - 20 - ring / 2) * math.cos(a),
                W / 2 + (W / 2 - 20 - ring / 2) * math.sin(a),
                ring * 0.35,
                c2,
            )
        _symbol(d, sym, W / 2, W * 0.36, W * 0.12, c2, c0)
        fit_text(d, (80, 215, W - 80, 280), main, c1, kind)
        fit_text(d, (95, 285, W - 95, 320), sub, c2, "sans")
    elif style == "shield":
        d.rectangle((0, 0, W, W), fill=c2)
        d.polygon(
            [(60, 40), (W - 60, 40), (W - 60, 220), (W / 2, 370), (60, 220)],
            fill=c0,
            outline=c1,
            width=rng.randint(6, 14),
        )
        d.rectangle((60, 140, W - 60, 150 + rng.randint(0, 30)), fill=c1)
        _symbol(d, sym, W / 2, 95, 38, c1, c0)
        fit_text(d, (90, 165, W - 90, 235), main, c1, kind)
        fit_text(d, (125, 245, W - 125, 285), sub, c1, "sans")
    elif style == "wordmark":
        band = rng.randint(0, 1)
        if band:
            d.rectangle((0, W * 0.62, W, W), fill=c1)
        fit_text(d, (30, 90, W - 30, 230), main, c1 if not band else c2, kind)
        d.rectangle((40, 240, W - 40, 240 + rng.randint(6, 16)), fill=c2)
        fit_text(d, (40, 275, W - 40, 340), sub, c0 if band else c1, "sans")
    elif style == "emblem":
        for i in range(rng.randint(36, 72)):
            a = math.radians(i * 360 / 72)
            x, y = W / 2 + 170 * math.cos(a), W / 2 + 170 * math.sin(a)
            d.ellipse((x - 5, y - 5, x + 5, y + 5), fill=c1)
        _symbol(d, sym, W / 2, W * 0.4, W * 0.2, c1, c0)
        fit_text(d, (70, 270, W - 70, 330), main, c2, kind)
    elif style == "split":
        d.polygon([(0, 0), (W, 0), (0, W)], fill=c1)
        d.rectangle((50, 140, W - 50, 260), fill=c2)
        fit_text(d, (60, 150, W - 60, 250), main, c0, kind)
        fit_text(d, (60, 280, W - 60, 330), sub, c2, "sans")
    elif style == "badge":
        n = rng.choice((6, 8, 12))
        pts = [
            (
                W / 2 + 180 * math.cos(math.radians(i * 360 / n)),
                W / 2 + 180 * math.sin(math.radians(i * 360 / n)),
            )
            for i in range(n)
        ]
        d.polygon(pts, fill=c1)
        d.ellipse((70, 70, W - 70, W - 70), fill=c0)
        fit_text(d, (95, 140, W - 95, 230), main, c1, kind)
        fit_text(d, (110, 240, W - 110, 275), sub, c2, "sans")
    elif style == "stripes":
        k = rng.choice((2, 3))
        cols = [c0, c1, c2][:k]
        for i, c in enumerate(cols):
            if rng.random() < 0.5:
                d.rectangle((0, i * W / k, W, (i + 1) * W / k), fill=c)
            else:
                d.rectangle((i * W / k, 0, (i + 1) * W / k, W), fill=c)
        _symbol(d, sym, W / 2, W / 2 - 40, 70, (255, 255, 255) if sum(c1) < 400 else (0, 0, 0), c1)
        under = im.convert("L").getpixel((W // 2, 315))
        ink = (255, 255, 255) if isinstance(under, int) and under < 150 else (20, 20, 20)
        fit_text(d, (60, 280, W - 60, 350), main, ink, kind)
    else:  # "calligraphic": Urdu or Latin text in a frame
        m = rng.randint(18, 40)
        d.rectangle((m, m, W - m, W - m), outline=c1, width=rng.randint(4, 10))
        fit_text(
            d, (m + 25, 90, W - m - 25, 250), main, c1, "nastaliq" if is_arabic(main) else kind
        )
        fit_text(d, (m + 30, 270, W - m - 30, 320), sub, c2, "sans")
    return im
