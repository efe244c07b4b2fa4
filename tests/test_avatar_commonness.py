"""Avatar commonness generalises: a flag is common however it was drawn, a group's logo is not.

The flags here are drawn with PIL from their colours and proportions, a renderer the reference
population (``service/data/avatar_common.npz``, three flag packages) was not built from."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from service.domain import Avatar
from service.features.image import EfficientNetLite0Encoder
from service.features.pdq import pdq_dihedral
from service.normalize.image import decode_image
from service.scoring.avatar import AvatarCommonness, Shared, whitening_digest
from tests.helpers.settings import shared_data

W, H = 300, 200
GREEN = (1, 65, 28)
WHITE = (255, 255, 255)


@pytest.fixture(scope="module")
def enc() -> Iterator[EfficientNetLite0Encoder]:
    e = EfficientNetLite0Encoder(fine=False)  # torch, one 224 px pass: no export, fast enough
    e.load()
    yield e


@pytest.fixture(scope="module")
def common() -> AvatarCommonness:
    return AvatarCommonness()


def banned(enc: EfficientNetLite0Encoder, img: Image.Image) -> Avatar:
    hashes, quality = pdq_dihedral(img)
    return Avatar(hashes, quality, enc.encode([img])[0], b"")


def _vec(v: np.ndarray) -> Avatar:
    return Avatar((), 0, v, b"")


def _star(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill: tuple) -> None:
    pts = [
        (
            cx + (r if k % 2 == 0 else r * 0.4) * math.cos(-math.pi / 2 + k * math.pi / 5),
            cy + (r if k % 2 == 0 else r * 0.4) * math.sin(-math.pi / 2 + k * math.pi / 5),
        )
        for k in range(10)
    ]
    d.polygon(pts, fill=fill)


def pakistan() -> Image.Image:
    img = Image.new("RGB", (W, H), GREEN)
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, W // 4, H), fill=WHITE)
    d.ellipse((125, 45, 235, 155), fill=WHITE)
    d.ellipse((140, 30, 250, 140), fill=GREEN)
    _star(d, 215, 75, 18, WHITE)
    return img


def stripes(colours: list[tuple[int, int, int]], vertical: bool) -> Image.Image:
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)
    n = len(colours)
    for i, c in enumerate(colours):
        box = (i * W / n, 0, (i + 1) * W / n, H) if vertical else (0, i * H / n, W, (i + 1) * H / n)
        d.rectangle(box, fill=c)
    return img


def disc(field: tuple[int, int, int], dot: tuple[int, int, int], cx: float) -> Image.Image:
    img = Image.new("RGB", (W, H), field)
    ImageDraw.Draw(img).ellipse((cx - 60, 40, cx + 60, 160), fill=dot)
    return img


DRAWN_FLAGS = {
    "pk": pakistan,
    "de": lambda: stripes([(0, 0, 0), (221, 0, 0), (255, 206, 0)], vertical=False),
    "fr": lambda: stripes([(0, 35, 149), WHITE, (237, 41, 57)], vertical=True),
    "bd": lambda: disc((0, 106, 78), (244, 42, 65), 135),
    "jp": lambda: disc(WHITE, (188, 0, 45), 150),
}


def square(img: Image.Image) -> Image.Image:
    """Centre-cropped square, as an avatar is."""
    side = min(img.size)
    left = (img.width - side) // 2
    return img.crop((left, 0, left + side, side)).resize((256, 256))


def letterbox(img: Image.Image) -> Image.Image:
    out = Image.new("RGB", (W, W), WHITE)
    out.paste(img, (0, (W - H) // 2))
    return out


def jpeg(img: Image.Image, quality: int = 40) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return decode_image(buf.getvalue(), max_bytes=10_000_000, max_pixels=10_000_000)


@pytest.mark.slow
@pytest.mark.parametrize("code", sorted(DRAWN_FLAGS))
def test_a_flag_drawn_by_another_renderer_is_common(
    enc: EfficientNetLite0Encoder, common: AvatarCommonness, code: str
) -> None:
    flag = DRAWN_FLAGS[code]()
    for avatar in (square(flag), jpeg(letterbox(flag))):
        shared = common.estimate(banned(enc, avatar))
        assert shared.kind == "flag", (code, shared)
        assert shared.specificity < 1e-3


@pytest.mark.slow
def test_the_drawn_pakistan_flag_is_named_as_such(
    enc: EfficientNetLite0Encoder, common: AvatarCommonness
) -> None:
    assert common.estimate(banned(enc, square(pakistan()))).label == "flag: pk"


def group_logo() -> Image.Image:
    """A distinctive logo of the kind an armed group uses: a seal with lettering on a banner."""
    img = Image.new("RGB", (256, 256), (0, 0, 0))
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=26)
    d.ellipse((48, 48, 208, 208), outline=(255, 255, 255), width=10)
    d.polygon([(128, 70), (150, 128), (128, 186), (106, 128)], fill=(200, 160, 40))
    d.text((30, 8), "TEHREEK MEDIA", fill=(255, 255, 255), font=font)
    d.text((62, 218), "OFFICIAL", fill=(255, 255, 255), font=font)
    return img


@pytest.mark.slow
def test_a_distinctive_logo_is_not_common(
    enc: EfficientNetLite0Encoder, common: AvatarCommonness
) -> None:
    logo = group_logo()
    assert common.estimate(banned(enc, logo)) == Shared()
    assert common.estimate(banned(enc, jpeg(logo, 60))) == Shared()


@pytest.mark.slow
def test_ordinary_photos_are_not_common(
    enc: EfficientNetLite0Encoder, common: AvatarCommonness
) -> None:
    folder = shared_data("pdq", "images", "labelme-subset")
    for name in ("q0004.jpg", "q0122.jpg", "q0746.jpg"):
        img = decode_image(
            (folder / name).read_bytes(), max_bytes=20_000_000, max_pixels=40_000_000
        )
        assert common.estimate(banned(enc, img)) == Shared(), name


TWEMOJI = Path.home() / ".cache" / "mirrorscan-bench" / "npm" / "discordapp-twemoji-16.0.1.tgz"


@pytest.mark.slow
def test_twemoji_flags_are_common_without_twemoji_in_the_reference(
    enc: EfficientNetLite0Encoder,
) -> None:
    if not TWEMOJI.exists():
        pytest.skip(
            f"{TWEMOJI} is absent: fetch it with `npm pack @discordapp/twemoji@16.0.1` there "
            "(benchmarks/avatar_reference.py does)"
        )
    pytest.importorskip("resvg_py", reason="resvg-py renders the SVG flags")
    from service.training import avatar_sources as data

    held = AvatarCommonness(held_out=("twemoji",))
    codes = ("pk", "af", "ir", "sa", "tr", "ps", "bd", "in", "cn", "us", "gb", "eg")
    flags = {s.name: s for s in data.flag_sources("twemoji", codes)}
    avatars = [data.avatar_layouts(flags[f"flag:{c}"].image, ("crop",))["crop"] for c in codes]
    vectors = enc.encode(avatars)
    missed = [
        c for c, v in zip(codes, vectors, strict=True) if held.estimate(_vec(v)).kind != "flag"
    ]
    # held out, twemoji's square-cropped flags are recognised at 0.91 (avatar_reference measure)
    assert len(missed) <= 2, missed


def test_the_reference_holds_every_flag_from_several_sources() -> None:
    ref = resources.files("service") / "data" / "avatar_common.npz"
    with resources.as_file(ref) as path, np.load(path) as z:
        size = path.stat().st_size
        assert str(z["whitening"]) == whitening_digest()  # embeddings of the bundled whitening
        kinds, sources, names = z["kinds"], z["sources"], z["names"]
        assert z["embedding"].dtype == np.float16 and z["pdq"].shape[1] == 32
    assert size < 5_000_000
    flag = kinds == "flag"
    per_source = {s: set(names[flag & (sources == s)]) for s in set(sources[flag])}
    assert len(per_source) >= 2
    common = set.intersection(*(v for v in per_source.values() if len(v) > 200))
    assert {"flag:pk", "flag:af", "flag:ir", "flag:sa", "flag:in", "flag:us"} <= common
    assert len(common) >= 240
    assert {"default", "emoji", "emblem"} <= set(kinds)
    assert "emoji:262a" in set(names) and "emoji:1f54b" in set(names)  # ☪ and the Kaaba
