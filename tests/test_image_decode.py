"""Safe decoding: the four web formats decode to RGB; every bad image is a clear 4xx error."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from service.config import Settings
from service.errors import BadImage, PayloadTooLarge, UnsupportedMedia
from service.normalize.image import decode_image, thumbnail

LIMITS = Settings().limits
KW = {"max_bytes": LIMITS.max_image_bytes, "max_pixels": LIMITS.max_image_pixels}


def _encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **kw)
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width x height`` and whose data is a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_the_four_web_formats_decode_to_rgb(fmt: str) -> None:
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    out = decode_image(_encode(img, fmt), **KW)
    assert out.mode == "RGB" and out.size == (64, 48)
    r, g, b = out.getpixel((10, 10))  # type: ignore[misc]
    assert r > 150 and g < 80 and b < 80


def test_transparency_is_flattened_on_white() -> None:
    img = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    img.paste((10, 10, 200, 255), (8, 8, 24, 24))
    out = decode_image(_encode(img, "PNG"), **KW)
    assert out.getpixel((0, 0)) == (255, 255, 255)
    assert out.getpixel((16, 16)) == (10, 10, 200)


def test_first_frame_of_an_animation() -> None:
    frames = [Image.new("RGB", (32, 32), c) for c in ((255, 0, 0), (0, 0, 255))]
    data = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    r, _, b = decode_image(data, **KW).getpixel((5, 5))  # type: ignore[misc]
    assert r > 200 and b < 50


def test_exif_orientation_is_applied() -> None:
    img = Image.new("RGB", (60, 30), (0, 200, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    out = decode_image(_encode(img, "JPEG", exif=exif.tobytes()), **KW)
    assert out.size == (30, 60)


def test_sixteen_bit_greyscale_keeps_its_tones() -> None:
    import numpy as np

    grey = Image.fromarray(np.full((16, 16), 40000, dtype=np.uint16))
    out = decode_image(_encode(grey, "PNG"), **KW)
    assert out.getpixel((0, 0)) == (156, 156, 156)


def test_svg_is_unsupported_media() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    with pytest.raises(UnsupportedMedia, match="SVG"):
        decode_image(svg, **KW)


def test_tiff_is_unsupported_media() -> None:
    with pytest.raises(UnsupportedMedia, match="TIFF") as err:
        decode_image(_encode(Image.new("RGB", (32, 32)), "TIFF"), **KW)
    assert err.value.status == 415


def test_unknown_bytes_are_unsupported_media() -> None:
    with pytest.raises(UnsupportedMedia):
        decode_image(b"definitely not an image" * 10, **KW)


def test_truncated_file_is_a_bad_image() -> None:
    data = _encode(Image.effect_mandelbrot((200, 200), (-2, -1.5, 1, 1.5), 50), "JPEG")
    with pytest.raises(BadImage, match="truncated or corrupt") as err:
        decode_image(data[: len(data) // 2], **KW)
    assert err.value.status == 422


def test_truncated_png_is_a_bad_image() -> None:
    data = _encode(Image.effect_mandelbrot((200, 200), (-2, -1.5, 1, 1.5), 50), "PNG")
    with pytest.raises(BadImage):
        decode_image(data[: len(data) // 3], **KW)


def test_one_pixel_image_is_refused() -> None:
    with pytest.raises(BadImage, match="1x1"):
        decode_image(_encode(Image.new("RGB", (1, 1)), "PNG"), **KW)


def test_header_claiming_20000_square_is_refused_before_decoding() -> None:
    with pytest.raises(BadImage, match="20000x20000|too large") as err:
        decode_image(_png_header_only(20_000, 20_000), **KW)
    assert err.value.status == 422


def test_header_over_our_pixel_cap_but_under_pillows_is_refused() -> None:
    with pytest.raises(BadImage, match="limit"):
        decode_image(_png_header_only(8_000, 6_000), **KW)  # 48 Mpx > 40 Mpx


def test_decompression_bomb_is_refused() -> None:
    # 10 kB of zlib that inflates to 12000 x 12000 white pixels (144 Mpx: Pillow's own warning).
    bomb = _encode(Image.new("1", (12_000, 12_000), 1), "PNG", optimize=True)
    assert len(bomb) < 100_000
    with pytest.raises(BadImage, match="limit|too large"):
        decode_image(bomb, max_bytes=LIMITS.max_image_bytes, max_pixels=10**9)


def test_over_the_byte_cap_is_payload_too_large() -> None:
    data = _encode(Image.new("RGB", (64, 64)), "PNG")
    with pytest.raises(PayloadTooLarge) as err:
        decode_image(data, max_bytes=len(data) - 1, max_pixels=LIMITS.max_image_pixels)
    assert err.value.status == 413


def test_empty_bytes_are_a_bad_image() -> None:
    with pytest.raises(BadImage, match="empty"):
        decode_image(b"", **KW)


def test_thumbnail_is_a_small_webp_without_the_original_metadata() -> None:
    img = Image.effect_mandelbrot((600, 400), (-2, -1.5, 1, 1.5), 50).convert("RGB")
    exif = Image.Exif()
    exif[0x010E] = "secret description"
    original = _encode(img, "JPEG", exif=exif.tobytes(), quality=95)
    thumb = thumbnail(decode_image(original, **KW))
    back = Image.open(io.BytesIO(thumb))
    assert back.format == "WEBP" and max(back.size) <= 128
    assert len(thumb) < len(original) / 4
    assert b"secret description" not in thumb
