"""Procedural "photo-like" pictures for ordinary people and members: portraits in silhouette,
landscapes, skylines, flowers and abstract gradients, with lighting, blur and sensor noise."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

W = 400
SKIN = [
    (241, 194, 125),
    (224, 172, 105),
    (198, 134, 66),
    (141, 85, 36),
    (232, 190, 150),
    (210, 160, 120),
    (175, 120, 80),
]
CLOTH = [
    (30, 30, 30),
    (240, 240, 240),
    (40, 60, 120),
    (120, 30, 30),
    (60, 90, 60),
    (150, 130, 100),
    (90, 90, 100),
    (200, 180, 150),
]
PHOTO_KINDS = ("portrait", "portrait", "landscape", "skyline", "flower", "abstract", "car")


def _gradient(top: tuple[int, ...], bottom: tuple[int, ...]) -> np.ndarray:
    t = np.linspace(0, 1, W)[:, None, None]
    a, b = np.array(top, float)[None, None], np.array(bottom, float)[None, None]
    return np.broadcast_to(a + (b - a) * t, (W, W, 3)).copy()


_YY, _XX = np.mgrid[0:W, 0:W].astype(np.float32)
_VIGNETTE_CLIPPED = np.clip(
    1 - 0.35 * (((_XX - W / 2) ** 2 + (_YY - W / 2) ** 2) / (W / 2) ** 2), 0.5, 1
)[..., None].astype(np.float32)


def _bokeh(arr: np.ndarray, rng: random.Random, n: int) -> None:
    """Soft out-of-focus discs, each blended only inside its own bounding box."""
    for _ in range(n):
        cx, cy, r = rng.uniform(0, W), rng.uniform(0, W), rng.uniform(15, 60)
        col = np.array([rng.randint(120, 255) for _ in range(3)], np.float32)
        x0, x1 = max(0, int(cx - r)), min(W, int(cx + r) + 1)
        y0, y1 = max(0, int(cy - r)), min(W, int(cy + r) + 1)
        if x0 >= x1 or y0 >= y1:
            continue
        yy, xx = _YY[y0:y1, x0:x1], _XX[y0:y1, x0:x1]
        mask = np.clip(1 - ((xx - cx) ** 2 + (yy - cy) ** 2) / r**2, 0, 1)[..., None] * 0.35
        arr[y0:y1, x0:x1] = arr[y0:y1, x0:x1] * (1 - mask) + col * mask


def _finish(arr: np.ndarray, rng: random.Random) -> Image.Image:
    arr = arr.astype(np.float32) * (_VIGNETTE_CLIPPED * np.float32(rng.uniform(0.85, 1.1)))
    gen = np.random.default_rng(rng.randrange(2**32))
    arr += gen.standard_normal(arr.shape, dtype=np.float32) * np.float32(rng.uniform(2, 7))
    im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return im.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.2)))


def _portrait(rng: random.Random) -> Image.Image:
    top = tuple(rng.randint(60, 230) for _ in range(3))
    bottom = tuple(max(0, c - rng.randint(20, 80)) for c in top)
    arr = _gradient(top, bottom)
    _bokeh(arr, rng, rng.randint(0, 8))
    im = Image.fromarray(arr.astype(np.uint8))
    d = ImageDraw.Draw(im)
    skin, cloth = rng.choice(SKIN), rng.choice(CLOTH)
    cx = W / 2 + rng.uniform(-50, 50)
    head = rng.uniform(58, 85)
    cy = W * rng.uniform(0.36, 0.46)
    d.ellipse(
        (cx - W * 0.42, cy + head * 1.1, cx + W * 0.42, cy + head * 1.1 + W * 0.7), fill=cloth
    )
    d.rectangle((cx - head * 0.35, cy + head * 0.6, cx + head * 0.35, cy + head * 1.3), fill=skin)
    d.ellipse((cx - head * 0.8, cy - head, cx + head * 0.8, cy + head), fill=skin)
    hair = rng.choice([(20, 15, 10), (50, 35, 20), (230, 230, 230), (15, 15, 15)])
    style = rng.randrange(4)
    if style == 0:  # hair
        d.chord(
            (cx - head * 0.85, cy - head * 1.08, cx + head * 0.85, cy + head * 0.4),
            180,
            360,
            fill=hair,
        )
    elif style == 1:  # cap or turban
        d.ellipse(
            (cx - head * 0.95, cy - head * 1.25, cx + head * 0.95, cy - head * 0.1),
            fill=rng.choice(CLOTH),
        )
    elif style == 2:  # scarf
        d.ellipse(
            (cx - head * 1.05, cy - head * 1.15, cx + head * 1.05, cy + head * 1.3),
            outline=rng.choice(CLOTH),
            width=int(head * 0.35),
        )
    if rng.random() < 0.45:  # beard
        d.chord(
            (cx - head * 0.75, cy - head * 0.1, cx + head * 0.75, cy + head * 1.05),
            0,
            180,
            fill=hair,
        )
    if rng.random() < 0.25:  # sunglasses
        d.rectangle(
            (cx - head * 0.6, cy - head * 0.25, cx + head * 0.6, cy + head * 0.05),
            fill=(10, 10, 10),
        )
    return _finish(np.asarray(im, float), rng)


def _landscape(rng: random.Random) -> Image.Image:
    sky = (rng.randint(80, 160), rng.randint(140, 200), rng.randint(200, 255))
    if rng.random() < 0.35:
        sky = (rng.randint(220, 255), rng.randint(120, 180), rng.randint(60, 120))
    arr = _gradient(sky, (235, 235, 240))
    im = Image.fromarray(arr.astype(np.uint8))
    d = ImageDraw.Draw(im)
    if rng.random() < 0.6:
        sx, sy, sr = rng.uniform(60, 340), rng.uniform(50, 160), rng.uniform(18, 40)
        d.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=(255, 240, 200))
    for layer in range(rng.randint(2, 4)):
        base = W * (0.45 + 0.12 * layer)
        shade = 120 - layer * 25
        col = (
            shade // 2 + rng.randint(0, 40),
            shade + rng.randint(0, 40),
            shade // 2 + rng.randint(0, 30),
        )
        pts: list[tuple[float, float]] = [(0.0, float(W))]
        x = 0.0
        while x <= W:
            pts.append((x, base - rng.uniform(0, 110 - layer * 20)))
            x += rng.uniform(40, 110)
        pts += [(W, base), (W, W)]
        d.polygon(pts, fill=col)
    return _finish(np.asarray(im, float), rng)


def _skyline(rng: random.Random) -> Image.Image:
    night = rng.random() < 0.5
    arr = _gradient(
        (10, 20, 50) if night else (120, 170, 230), (60, 60, 90) if night else (230, 230, 230)
    )
    im = Image.fromarray(arr.astype(np.uint8))
    d = ImageDraw.Draw(im)
    x = 0.0
    while x < W:
        w, h = rng.uniform(25, 70), rng.uniform(80, 260)
        col = (30, 30, 40) if night else tuple(rng.randint(90, 170) for _ in range(3))
        d.rectangle((x, W - h, x + w, W), fill=col)
        if rng.random() < 0.3:  # minaret
            d.rectangle((x + w / 2 - 4, W - h - 60, x + w / 2 + 4, W - h), fill=col)
            d.ellipse((x + w / 2 - 9, W - h - 75, x + w / 2 + 9, W - h - 57), fill=col)
        for wy in range(int(W - h + 8), W - 8, 14):
            for wx in range(int(x + 5), int(x + w - 8), 12):
                if rng.random() < 0.4:
                    d.rectangle(
                        (wx, wy, wx + 5, wy + 7), fill=(250, 220, 120) if night else (200, 220, 240)
                    )
        x += w + rng.uniform(0, 10)
    return _finish(np.asarray(im, float), rng)


def _flower(rng: random.Random) -> Image.Image:
    arr = _gradient((rng.randint(20, 80), rng.randint(80, 140), rng.randint(20, 60)), (20, 40, 20))
    _bokeh(arr, rng, 6)
    im = Image.fromarray(arr.astype(np.uint8))
    d = ImageDraw.Draw(im)
    petal = tuple(rng.randint(150, 255) for _ in range(3))
    cx, cy, n, r = (
        W / 2 + rng.uniform(-40, 40),
        W / 2 + rng.uniform(-40, 40),
        rng.randint(5, 9),
        rng.uniform(60, 110),
    )
    for i in range(n):
        a = 2 * np.pi * i / n
        px, py = cx + r * 0.6 * np.cos(a), cy + r * 0.6 * np.sin(a)
        d.ellipse((px - r * 0.45, py - r * 0.45, px + r * 0.45, py + r * 0.45), fill=petal)
    d.ellipse((cx - r * 0.3, cy - r * 0.3, cx + r * 0.3, cy + r * 0.3), fill=(240, 200, 40))
    return _finish(np.asarray(im, float), rng)


def _abstract(rng: random.Random) -> Image.Image:
    arr = _gradient(
        tuple(rng.randint(0, 255) for _ in range(3)), tuple(rng.randint(0, 255) for _ in range(3))
    )
    _bokeh(arr, rng, rng.randint(10, 25))
    return _finish(arr, rng)


def _car(rng: random.Random) -> Image.Image:
    arr = _gradient((150, 180, 210), (90, 90, 90))
    im = Image.fromarray(arr.astype(np.uint8))
    d = ImageDraw.Draw(im)
    body = tuple(rng.randint(20, 230) for _ in range(3))
    y = rng.uniform(200, 250)
    d.rounded_rectangle((50, y, 350, y + 80), radius=25, fill=body)
    d.polygon([(110, y), (150, y - 55), (270, y - 55), (310, y)], fill=body)
    d.polygon([(125, y - 3), (157, y - 47), (205, y - 47), (205, y - 3)], fill=(180, 210, 230))
    for wx in (110, 290):
        d.ellipse((wx - 32, y + 50, wx + 32, y + 114), fill=(20, 20, 20))
        d.ellipse((wx - 14, y + 68, wx + 14, y + 96), fill=(160, 160, 160))
    return _finish(np.asarray(im, float), rng)


def photo(kind: str, seed: int) -> Image.Image:
    rng = random.Random(seed)
    return {
        "portrait": _portrait,
        "landscape": _landscape,
        "skyline": _skyline,
        "flower": _flower,
        "abstract": _abstract,
        "car": _car,
    }[kind](rng)
