"""The image encoders: the protocol, the fake, and the real EfficientNet-Lite0 on real photos."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from service.errors import NotReady
from service.features.image import (
    EfficientNetLite0Encoder,
    FakeImageEncoder,
    ImageEncoder,
    Whitening,
    bank_views,
    gem,
    query_view_count,
    regions,
)
from service.normalize.image import decode_image
from tests.helpers.settings import shared_data

KW = {"max_bytes": 20_000_000, "max_pixels": 40_000_000}


def _drawn(seed: int) -> Image.Image:
    """A synthetic logo: coloured shapes on white (used where no reference photos are needed)."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (256, 256), (255, 255, 255))
    d = ImageDraw.Draw(img)
    for _ in range(4):
        box = sorted(rng.integers(20, 236, 2).tolist()) + sorted(rng.integers(20, 236, 2).tolist())
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        d.ellipse((box[0], box[2], box[1] + 8, box[3] + 8), fill=colour)
    return img


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return decode_image(out.getvalue(), **KW)


def test_fake_implements_the_protocol_and_is_deterministic() -> None:
    enc = FakeImageEncoder(dim=32)
    assert isinstance(enc, ImageEncoder)
    with pytest.raises(NotReady):
        enc.encode([_drawn(1)])
    enc.load()
    enc.load()  # idempotent
    a = enc.encode([_drawn(1), _drawn(2)])
    b = FakeImageEncoder(dim=32)
    b.load()
    assert a.shape == (2, 32) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(a, b.encode([_drawn(1), _drawn(2)]))
    assert enc.encode([]).shape == (0, 32)
    assert enc.encode_views([_drawn(1)])[0].shape == (1, 32)


def test_whitening_fit_decorrelates_and_round_trips(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((400, 40)) @ rng.standard_normal((40, 40))).astype(np.float32)
    white = Whitening.fit(x, 16)
    y = white(x)
    assert y.shape == (400, 16) and np.allclose(np.linalg.norm(y, axis=1), 1.0, atol=1e-5)
    white.save(tmp_path / "w.npz")
    again = Whitening.load(tmp_path / "w.npz")
    assert np.allclose(again(x), y, atol=2e-2)  # stored as float16


def test_regions_equal_gem_of_each_window() -> None:
    fmap = (np.random.default_rng(1).random((8, 7, 9)) * 3 - 1).astype(np.float32)
    fast = regions(fmap, (3, 4, 5))
    naive = [
        gem(fmap[:, i : i + k, j : j + k])
        for k in (3, 4, 5)
        for i in range(7 - k + 1)
        for j in range(9 - k + 1)
    ]
    assert fast.shape == (35 + 24 + 15, 8)
    assert np.allclose(fast, np.stack(naive), atol=1e-5)
    assert regions(fmap, (8,)).shape == (0, 8)


def test_bank_views_are_the_picture_its_circle_and_its_centre() -> None:
    views = bank_views(_drawn(3))
    assert [v.size for v in views] == [(256, 256), (256, 256), (206, 206)]
    assert views[1].getpixel((0, 0)) == (255, 255, 255)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EfficientNetLite0Encoder]:
    enc = EfficientNetLite0Encoder(cache_dir=tmp_path_factory.mktemp("onnx"))
    enc.load()
    yield enc


def _photos() -> list[Image.Image]:
    root = shared_data("pdq", "images", "labelme-subset")
    return [decode_image(p.read_bytes(), **KW) for p in sorted(root.glob("*.jpg"))]


@pytest.mark.slow
def test_real_encoder_shapes_and_idempotent_load(real: EfficientNetLite0Encoder) -> None:
    real.load()
    assert real.backend == "onnxruntime" and real.dim == 256
    out = real.encode([_drawn(1), _drawn(2)])
    assert out.shape == (2, 256) and out.dtype == np.float32
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    views = real.encode_views([_drawn(1)])[0]
    assert views.shape == (1 + 50 + 194, 256)
    assert len(views) == query_view_count()  # what the avatar channel and the benchmark count


@pytest.mark.slow
def test_onnx_export_agrees_with_torch(real: EfficientNetLite0Encoder) -> None:
    torch_enc = EfficientNetLite0Encoder(cache_dir=None, fine=False)
    torch_enc.load()
    assert torch_enc.backend == "torch"
    imgs = [_drawn(5), _drawn(6)]
    a, b = real.encode(imgs), torch_enc.encode(imgs)
    assert (a * b).sum(axis=1).min() > 0.999


@pytest.mark.slow
def test_edited_copies_of_real_photos_find_their_source(real: EfficientNetLite0Encoder) -> None:
    photos = _photos()
    bank = real.encode(photos)
    edited = [
        _jpeg(photos[0], 30),
        ImageOps.mirror(photos[1]),
        ImageOps.expand(photos[2], border=40, fill=(250, 200, 0)),
        photos[3].crop((30, 30, photos[3].width - 10, photos[3].height - 20)),
        ImageOps.grayscale(photos[4]).convert("RGB"),
    ]
    for k, views in enumerate(real.encode_views(edited)):
        sims = (views @ bank.T).max(axis=0)
        assert int(np.argmax(sims)) == k, (k, sims.round(2))


@pytest.mark.slow
def test_a_screenshot_view_finds_the_avatar_inside_it(real: EfficientNetLite0Encoder) -> None:
    photos = _photos()
    bank = real.encode(photos)
    canvas = Image.new("RGB", (440, 320), (255, 255, 255))
    ImageDraw.Draw(canvas).rectangle((0, 0, 440, 40), fill=(29, 155, 240))
    canvas.paste(photos[5].resize((200, 200)), (16, 56))
    views = real.encode_views([canvas])[0]
    assert int(np.argmax((views @ bank.T).max(axis=0))) == 5
    # the whole-picture view alone is weaker than the best region
    assert (views[1:] @ bank[5]).max() > views[0] @ bank[5]
