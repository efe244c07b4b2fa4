"""Fonts from Debian packages (fonts-dejavu, fonts-noto-core, fonts-hosny-amiri), with fallbacks."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

_CANDIDATES = {
    "sans": ["truetype/dejavu/DejaVuSans.ttf"],
    "sans_bold": ["truetype/dejavu/DejaVuSans-Bold.ttf"],
    "serif_bold": ["truetype/dejavu/DejaVuSerif-Bold.ttf", "truetype/dejavu/DejaVuSans-Bold.ttf"],
    "condensed": [
        "truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
        "truetype/dejavu/DejaVuSans-Bold.ttf",
    ],
    "mono": ["truetype/dejavu/DejaVuSansMono-Bold.ttf", "truetype/dejavu/DejaVuSans.ttf"],
    "naskh": [
        "truetype/noto/NotoNaskhArabic-Bold.ttf",
        "opentype/fonts-hosny-amiri/Amiri-Bold.ttf",
        "truetype/dejavu/DejaVuSans-Bold.ttf",
    ],
    "nastaliq": [
        "truetype/noto/NotoNastaliqUrdu-Regular.ttf",
        "truetype/noto/NotoNaskhArabic-Regular.ttf",
        "truetype/dejavu/DejaVuSans.ttf",
    ],
    "kufi": [
        "truetype/noto/NotoKufiArabic-Bold.ttf",
        "truetype/noto/NotoSansArabic-Bold.ttf",
        "truetype/dejavu/DejaVuSans-Bold.ttf",
    ],
    "amiri": [
        "opentype/fonts-hosny-amiri/Amiri-Bold.ttf",
        "truetype/noto/NotoNaskhArabic-Bold.ttf",
        "truetype/dejavu/DejaVuSans-Bold.ttf",
    ],
}
ROOT = Path("/usr/share/fonts")


@cache
def font_path(kind: str) -> str | None:
    for rel in _CANDIDATES[kind]:
        p = ROOT / rel
        if p.exists():
            return str(p)
    return None


@lru_cache(maxsize=512)
def font(kind: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_path(kind)
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def is_arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff" for c in text)


def used() -> dict[str, str | None]:
    return {k: font_path(k) for k in _CANDIDATES}
