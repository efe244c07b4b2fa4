"""Avatar comparison features and commonness, on real images with the real encoder."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from service.domain import Avatar
from service.features.image import EfficientNetLite0Encoder
from service.features.pdq import pdq_dihedral
from service.normalize.image import decode_image, thumbnail
from service.scoring.avatar import (
    AvatarCalibration,
    AvatarCommonness,
    Shared,
    compare_avatars,
    default_calibration,
)
from tests.helpers.settings import shared_data

KW = {"max_bytes": 20_000_000, "max_pixels": 40_000_000}


@pytest.fixture(scope="module")
def enc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EfficientNetLite0Encoder]:
    e = EfficientNetLite0Encoder(cache_dir=tmp_path_factory.mktemp("onnx"))
    e.load()
    yield e


def _photo(name: str) -> Image.Image:
    path = shared_data("pdq", "images", "labelme-subset", name)
    return decode_image(path.read_bytes(), **KW)


def banned(enc: EfficientNetLite0Encoder, img: Image.Image) -> Avatar:
    hashes, quality = pdq_dihedral(img)
    return Avatar(hashes, quality, enc.encode([img])[0], thumbnail(img))


def query(enc: EfficientNetLite0Encoder, img: Image.Image) -> Avatar:
    hashes, quality = pdq_dihedral(img)
    views = enc.encode_views([img])[0]
    return Avatar(hashes, quality, views[0], thumbnail(img), views=views)


def _by_name(feats: list) -> dict:
    return {f.name: f for f in feats}


def test_calibration_is_bundled_and_monotone() -> None:
    cal = default_calibration()
    assert cal.p_embedding(0.9) > cal.p_embedding(0.5) > cal.p_embedding(0.1)
    assert cal.p_match(0.3, 1.0) > cal.p_match(0.3, 0.0)
    assert AvatarCalibration(**{k: getattr(cal, k) for k in cal.__slots__}) == cal


@pytest.mark.slow
def test_mirror_flip_is_explained_and_strong(enc: EfficientNetLite0Encoder) -> None:
    img = _photo("q0122.jpg")
    feats = _by_name(compare_avatars(query(enc, ImageOps.mirror(img)), banned(enc, img)))
    assert feats["avatar.pdq"].value > 0.5
    assert "after mirror flip" in feats["avatar.pdq"].detail
    assert feats["avatar.match"].value > 0.95
    assert all(f.signal == "avatar" for f in feats.values())


@pytest.mark.slow
def test_cropped_copy_is_an_edited_copy_by_embedding(enc: EfficientNetLite0Encoder) -> None:
    img = _photo("q0291.jpg")
    w, h = img.size
    cropped = img.crop((int(w * 0.12), int(h * 0.05), w, int(h * 0.9)))
    feats = _by_name(compare_avatars(query(enc, cropped), banned(enc, img)))
    assert feats["avatar.embedding"].value > 0.5
    assert "edited copy?" in feats["avatar.embedding"].detail
    assert feats["avatar.match"].value > 0.5


@pytest.mark.slow
def test_unrelated_photos_give_no_evidence(enc: EfficientNetLite0Encoder) -> None:
    feats = _by_name(
        compare_avatars(query(enc, _photo("q0122.jpg")), banned(enc, _photo("q2821.jpg")))
    )
    assert feats["avatar.pdq"].value == 0.0
    assert "different picture" in feats["avatar.pdq"].detail
    assert feats["avatar.match"].value < 0.05
    assert "avatar.shared" not in feats


@pytest.mark.slow
def test_low_quality_hashes_are_not_used(enc: EfficientNetLite0Encoder) -> None:
    flat = Image.new("RGB", (128, 128), (40, 90, 200))
    q, b = query(enc, flat), banned(enc, flat)
    assert q.pdq_quality < 50
    names = {f.name for f in compare_avatars(q, b)}
    assert "avatar.pdq" not in names and "avatar.embedding" in names


def test_no_embedding_and_no_usable_hash_means_no_features() -> None:
    a = Avatar((), 0, None, b"")
    assert compare_avatars(a, a) == []


@pytest.mark.slow
def test_shared_avatar_weighs_little_and_says_why(enc: EfficientNetLite0Encoder) -> None:
    img = _photo("q1050.jpg")
    q, b = query(enc, img), banned(enc, img)
    plain = _by_name(compare_avatars(q, b))
    common = _by_name(compare_avatars(q, b, Shared(10_000, "flag", "flag: pk")))
    assert plain["avatar.match"].value > 0.95
    assert common["avatar.match"].value < 1e-3
    assert "shared by ~10,000 unrelated accounts (flag: pk)" in common["avatar.shared"].detail


def _flag_like() -> Image.Image:
    """A green-and-white flag with a crescent, drawn here (the real flags are in the bundle)."""
    img = Image.new("RGB", (256, 256), (1, 65, 28))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 64, 256), fill=(255, 255, 255))
    d.ellipse((100, 60, 220, 180), fill=(255, 255, 255))
    d.ellipse((125, 50, 235, 160), fill=(1, 65, 28))
    return img


@pytest.mark.slow
def test_commonness_from_bank_clusters_counts_other_groups(enc: EfficientNetLite0Encoder) -> None:
    logo, other = _photo("q0746.jpg"), _photo("q0003.jpg")
    common = AvatarCommonness(reference=False)
    common.observe(banned(enc, logo), "group-a")
    common.observe(banned(enc, _jpeg(logo)), "group-a")  # same group re-uses its logo: signal
    assert common.estimate(banned(enc, logo), "group-a") == Shared()
    common.observe(banned(enc, _jpeg(logo)), "group-b")
    common.observe(banned(enc, logo), "group-c")
    shared = common.estimate(banned(enc, logo), "group-a")
    assert shared.unrelated == 2 and shared.kind == "bank"
    assert common.estimate(banned(enc, other), "group-a") == Shared()
    again = AvatarCommonness.from_json(common.to_json(), reference=False)
    assert again.estimate(banned(enc, logo), "group-a") == shared


@pytest.mark.slow
def test_reference_population_recognises_its_own_members(enc: EfficientNetLite0Encoder) -> None:
    common = AvatarCommonness()
    with np.load(_common_path()) as z:
        k = list(z["names"]).index("flag:pk")
        flag = Avatar(
            (bytes(z["pdq"][k]),), int(z["quality"][k]), z["embedding"][k].astype(np.float32), b""
        )
    shared = common.estimate(flag)
    assert shared.kind == "flag" and shared.label == "flag: pk" and shared.specificity < 1e-3
    # an ordinary photo and a drawn look-alike flag are not taken for a reference member
    assert common.estimate(banned(enc, _photo("q0004.jpg"))) == Shared()


def _jpeg(img: Image.Image) -> Image.Image:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=60)
    return decode_image(out.getvalue(), **KW)


def _common_path():  # type: ignore[no-untyped-def]
    from importlib import resources

    return resources.files("service") / "data" / "avatar_common.npz"


def test_feature_records_with_the_fake_encoder() -> None:
    from service.features.avatar import banned_avatar, query_avatar
    from service.features.image import FakeImageEncoder

    fake = FakeImageEncoder(dim=16)
    fake.load()
    img = _flag_like()
    b, q = banned_avatar(img, fake), query_avatar(ImageOps.mirror(img), fake)
    assert len(b.pdq) == 8 and b.views is None and b.embedding is not None
    assert q.views is not None and q.views.shape == (1, 16)
    assert Image.open(io.BytesIO(b.thumbnail)).format == "WEBP"
    feats = _by_name(compare_avatars(q, b))
    assert "after mirror flip" in feats["avatar.pdq"].detail


def test_vectors_of_different_encoders_are_not_compared() -> None:
    a = Avatar((), 0, np.ones(4, np.float32) / 2, b"")
    b = Avatar((), 0, np.ones(8, np.float32) / np.sqrt(8), b"")
    assert compare_avatars(a, b) == []
