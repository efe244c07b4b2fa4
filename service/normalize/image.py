"""Safe decoding of untrusted avatar bytes, and small display thumbnails.

Avatars come from strangers: the decoder accepts only the four web formats, refuses decompression
bombs before any pixel is decoded (the header's size against a pixel cap, and Pillow's own bomb
warning raised as an error), keeps the first frame of animations, applies the EXIF orientation and
returns plain RGB with transparency flattened on white, so that every later stage (PDQ, the
embedding, thumbnails) sees one canonical picture. Every failure is a domain error with a 4xx
status; nothing here raises a bare Pillow exception.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from service.errors import BadImage, PayloadTooLarge, UnsupportedMedia

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MIN_SIDE = 8  # below this there is nothing to hash or to recognise (a 1x1 tracking pixel)
# Every later stage works on at most this many pixels on the long side (PDQ hashes at 320 px, the
# embedding looks at 224 and 448 px): a larger picture is downscaled right after decoding, so no
# stage ever pads, copies or converts more than WORK_SIDE x WORK_SIDE pixels.
WORK_SIDE = 2048
THUMB_SIDE = 128
THUMB_QUALITY = 80

# Magic numbers of formats people do send, so that the refusal names them (415, not 422).
_KNOWN_OTHER = (
    (b"<svg", "SVG"),
    (b"<?xml", "SVG/XML"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"%PDF", "PDF"),
)


def _sniff_other(data: bytes) -> str | None:
    head = data[:512].lstrip()
    for magic, name in _KNOWN_OTHER:
        if head.startswith(magic):
            return name
    if data[4:12] in (b"ftypavif", b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "AVIF/HEIC"
    return None


def decode_image(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    max_side: int = 8192,
    max_aspect: float = 10.0,
) -> Image.Image:
    """Decode untrusted bytes into an RGB image of at most ``WORK_SIDE`` px on its long side, or
    raise a domain error.

    The limits come from ``Settings.limits`` (``max_image_bytes``, ``max_image_pixels``,
    ``max_image_side``, ``max_image_aspect``). The header's size is checked against all of them
    before a pixel is decoded: the pixel cap bounds the decoder's memory, and the side and aspect
    caps refuse the thin "needle" images (8 x 5,000,000) that are cheap to send and costly to pad
    or resize. Raises ``PayloadTooLarge`` (413) over the byte cap, ``UnsupportedMedia`` (415) for
    anything but JPEG/PNG/WEBP/GIF, and ``BadImage`` (422) for empty, truncated, corrupt, tiny,
    needle-shaped or over-large (decompression bomb) images."""
    if not data:
        raise BadImage("the avatar is empty (0 bytes)")
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"the avatar is {len(data):,} bytes; the limit is {max_bytes:,}")
    other = _sniff_other(data)
    if other is not None:
        raise UnsupportedMedia(f"{other} avatars are not accepted; send JPEG, PNG, WEBP or GIF")
    try:
        with warnings.catch_warnings():
            # Pillow warns (and only errors at twice its own limit) on huge images: make it fatal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            width, height = img.size
            if width * height > max_pixels:
                raise BadImage(
                    f"the avatar claims {width}x{height} pixels; the limit is {max_pixels:,} "
                    "pixels (decompression bomb?)"
                )
            if min(width, height) < MIN_SIDE:
                raise BadImage(
                    f"the avatar is {width}x{height} pixels; at least {MIN_SIDE}x{MIN_SIDE} "
                    "is needed"
                )
            if max(width, height) > max_side:
                raise BadImage(
                    f"the avatar is {width}x{height} pixels; its long side may be at most "
                    f"{max_side:,} pixels"
                )
            if max(width, height) > max_aspect * min(width, height):
                raise BadImage(
                    f"the avatar is {width}x{height} pixels; its sides may differ at most "
                    f"{max_aspect:g}:1 (an avatar or a banner, not a strip)"
                )
            img.seek(0)  # first frame of an animation
            if img.format == "JPEG":
                # Decode at a reduced scale when the image is far larger than anything we use.
                img.draft("RGB", (1024, 1024))
            img.load()
            return _flatten_rgb(ImageOps.exif_transpose(img))
    except UnidentifiedImageError as exc:
        raise UnsupportedMedia(
            "the avatar is not a JPEG, PNG, WEBP or GIF image (unrecognised format)"
        ) from exc
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise BadImage(f"the avatar is too large to decode safely: {exc}") from exc
    except BadImage:
        raise
    except Exception as exc:  # untrusted bytes: any decoder failure is a 422
        # Pillow reports truncated and corrupt data as OSError, SyntaxError, ValueError, EOFError,
        # and malformed metadata as struct/Key/Index errors; all mean "this image is broken".
        raise BadImage(f"the avatar could not be decoded (truncated or corrupt): {exc}") from exc


def _flatten_rgb(img: Image.Image) -> Image.Image:
    """RGB with any transparency composited over white (as a profile page shows it).

    The picture is first brought to a compact mode (palette and 16-bit pictures are the cheap
    ways to declare many pixels), then downscaled to ``WORK_SIDE``, and only then flattened: no
    full-size RGBA canvas is made."""
    if img.mode in ("P", "1") and "transparency" in img.info:
        img = img.convert("RGBA")
    elif img.mode.startswith("I;16") or img.mode == "I":
        # 16-bit greyscale: keep the top byte (convert("L") would clip everything to white).
        wide = np.asarray(img)
        img = Image.fromarray((wide >> 8).clip(0, 255).astype(np.uint8))
        del wide
    elif img.mode not in ("RGB", "RGBA", "L", "LA"):
        img = img.convert("RGBA" if img.mode in ("PA", "RGBa", "La") else "RGB")
    img = _shrink(img)
    if img.mode in ("RGBA", "LA"):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return img.convert("RGB") if img.mode != "RGB" else img


def _shrink(img: Image.Image, side: int = WORK_SIDE) -> Image.Image:
    """The picture with its long side at most ``side`` (aspect kept); smaller ones unchanged."""
    if max(img.size) <= side:
        return img
    img.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return img


def thumbnail(img: Image.Image, *, side: int = THUMB_SIDE) -> bytes:
    """A small re-encoded WEBP (at most ``side`` px on the long edge) for moderators' pages.

    It is derived from decoded pixels, so no metadata or payload of the original survives, and
    the original bytes need not be stored."""
    small = img.convert("RGB")
    small.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="WEBP", quality=THUMB_QUALITY, method=4)
    return out.getvalue()
