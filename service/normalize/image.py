"""Safe image decoding: only JPEG, PNG, WEBP and GIF; byte and pixel caps; first frame; EXIF
orientation; RGB with alpha flattened on white."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from service.errors import BadImage, PayloadTooLarge, UnsupportedMedia

FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


def decode_image(data: bytes, *, max_bytes: int, max_pixels: int) -> Image.Image:
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"image is {len(data)} bytes; the limit is {max_bytes}")
    if not data:
        raise BadImage("image is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data), formats=FORMATS)
            if img.width * img.height > max_pixels:
                raise PayloadTooLarge(
                    f"image is {img.width}x{img.height} pixels; the limit is {max_pixels}"
                )
            img.seek(0)
            img.load()
            img = ImageOps.exif_transpose(img)
    except UnidentifiedImageError as exc:
        raise UnsupportedMedia(f"not a JPEG, PNG, WEBP or GIF image: {exc}") from exc
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise PayloadTooLarge(f"image refused as a decompression bomb: {exc}") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise BadImage(f"image could not be decoded: {exc}") from exc
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return img.convert("RGB")


def thumbnail(img: Image.Image, size: int = 128) -> bytes:
    """A small re-encoded WEBP for display; the original bytes are never kept."""
    small = img.copy()
    small.thumbnail((size, size))
    out = io.BytesIO()
    small.save(out, format="WEBP", quality=80)
    return out.getvalue()
