"""Regenerates the demo bank's avatars: simple drawn emblems (fictional, no real logos).
Run from the repo root: ``python demo/make_demo.py``."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).parent
EMBLEMS = {
    "ttp": ((20, 20, 20), (240, 240, 240), "star"),
    "iskp": ((0, 0, 0), (230, 230, 230), "ring"),
    "bla": ((30, 90, 40), (220, 40, 40), "diamond"),
    "blf": ((120, 20, 20), (250, 210, 0), "bars"),
    "news": ((20, 60, 140), (255, 255, 255), "square"),
}


def emblem(bg: tuple[int, int, int], fg: tuple[int, int, int], shape: str) -> Image.Image:
    img = Image.new("RGB", (256, 256), bg)
    d = ImageDraw.Draw(img)
    if shape == "star":
        d.regular_polygon((128, 128, 90), 5, rotation=18, fill=fg)
        d.ellipse((108, 108, 148, 148), fill=bg)
    elif shape == "ring":
        d.ellipse((40, 40, 216, 216), outline=fg, width=22)
        d.rectangle((118, 60, 138, 196), fill=fg)
    elif shape == "diamond":
        d.polygon([(128, 30), (226, 128), (128, 226), (30, 128)], fill=fg)
        d.rectangle((100, 100, 156, 156), fill=bg)
    elif shape == "bars":
        for i in range(4):
            d.rectangle((40 + i * 48, 50, 64 + i * 48, 206), fill=fg)
    else:
        d.rectangle((50, 50, 206, 206), outline=fg, width=16)
        d.line((50, 50, 206, 206), fill=fg, width=16)
    return img


if __name__ == "__main__":
    for name, (bg, fg, shape) in EMBLEMS.items():
        emblem(bg, fg, shape).save(HERE / "avatars" / f"{name}.png", optimize=True)
    # a re-upload of the TTP emblem: circle-cropped and re-compressed, as evaders do
    src = emblem(*EMBLEMS["ttp"])
    mask = Image.new("L", src.size, 0)
    ImageDraw.Draw(mask).ellipse((8, 8, 248, 248), fill=255)
    circled = Image.new("RGB", src.size, (255, 255, 255))
    circled.paste(src, mask=mask)
    circled.resize((200, 200)).save(HERE / "avatars" / "ttp-reupload.jpg", quality=40)
