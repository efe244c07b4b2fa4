"""The text model on ONNX Runtime instead of torch: the same transformer exported once to ONNX
(mean pooling inside the graph), run on one thread, tokenised with the model's own
``tokenizer.json``. fp32 gives the torch vectors to float rounding (cosine >= 0.9999 measured),
about twice as fast; ``int8`` (dynamic quantisation of the weights) is faster still but moves the
vectors (cosine ~0.98-0.99 to fp32), so it is a separate model version, used only where the
evaluation says it does no harm (``benchmarks/encoder_quality.py``).

The export needs torch once (``torch.onnx``, TorchScript exporter); serving needs only
``onnxruntime`` and ``tokenizers``. Exports are written beside a temporary name and renamed, so a
half-written file is never loaded."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from service.domain import Vector

log = logging.getLogger(__name__)
Precision = Literal["fp32", "int8"]
MAX_TOKENS = 512
BATCH = 32


def export_onnx(model_folder: Path, precision: Precision) -> Path:
    """``model_folder/onnx/model-<precision>.onnx``, exported (and quantised) if absent."""
    out_dir = model_folder / "onnx"
    target = out_dir / f"model-{precision}.onnx"
    if target.exists():
        return target
    out_dir.mkdir(exist_ok=True)
    if precision == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        fp32 = export_onnx(model_folder, "fp32")
        tmp = _temp(out_dir)
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
    else:
        tmp = _temp(out_dir)
        _export_fp32(model_folder, tmp)
    os.replace(tmp, target)
    log.info("exported %s", target)
    return target


def _temp(folder: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=".export-", suffix=".onnx", dir=folder)
    os.close(fd)
    return Path(name)


def _export_fp32(model_folder: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    model = AutoModel.from_pretrained(str(model_folder)).eval()

    class Pooled(torch.nn.Module):
        """The transformer with sentence-transformers' mean pooling over real tokens."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled: torch.Tensor = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return pooled

    ids = torch.tensor([[0, 100, 2], [0, 101, 2]], dtype=torch.long)
    mask = torch.ones_like(ids)
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the exporter's deprecation and tracing notes
        torch.onnx.export(
            Pooled(model),
            (ids, mask),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["pooled"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "pooled": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )


class OnnxTextEncoder:
    """A sentence-transformers folder's transformer on ONNX Runtime (see the module doc)."""

    def __init__(self, name: str, folder: Path, prefix: str, precision: Precision) -> None:
        self.name = name
        self.dim = 0
        self._folder = folder
        self._prefix = prefix
        self._precision = precision
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            path = export_onnx(self._folder, self._precision)
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1  # one thread per worker, like torch
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            tokenizer = Tokenizer.from_file(str(self._folder / "tokenizer.json"))
            tokenizer.enable_truncation(MAX_TOKENS)
            tokenizer.no_padding()
            config = json.loads((self._folder / "config.json").read_text())
            self.dim = int(config["hidden_size"])
            self._tokenizer = tokenizer
            self._session = session

    def encode(self, texts: Sequence[str]) -> Vector:
        if self._session is None:
            self.load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        keep = [i for i, t in enumerate(texts) if t.strip()]
        if not keep:
            return out
        encoded = self._tokenizer.encode_batch([self._prefix + texts[i] for i in keep])
        lengths = [len(e.ids) for e in encoded]
        for group in length_groups(lengths, BATCH):
            width = max(lengths[j] for j in group)
            ids = np.zeros((len(group), width), dtype=np.int64)
            mask = np.zeros((len(group), width), dtype=np.int64)
            for row, j in enumerate(group):
                ids[row, : lengths[j]] = encoded[j].ids
                mask[row, : lengths[j]] = 1
            pooled = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[[keep[j] for j in group]] = pooled / norms
        return out


def length_groups(lengths: Sequence[int], batch: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, so a short text (a name) is not padded
    to a long one (a bio) - padding costs as much as real tokens. A batch holds at most
    ``batch`` texts whose longest is at most twice its shortest (plus 8 tokens)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups: list[list[int]] = []
    for i in order:
        current = groups[-1] if groups else None
        if current and len(current) < batch and lengths[i] <= 2 * lengths[current[0]] + 8:
            current.append(i)
        else:
            groups.append([i])
    return groups
