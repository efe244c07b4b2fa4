"""Hostile image shapes: thin, tall, wide, palette, 16-bit, animated, at sizes an attacker picks.

Each is either refused before decoding (a 4xx domain error) or processed in bounded memory: the
peak RSS growth of a worker that decodes it and derives every avatar feature (PDQ, both
embedding inputs, the thumbnail) stays under ``RSS_BOUND_MB``. The measurement runs in a fresh
subprocess, whose high-water mark is not polluted by the rest of the suite."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from service.app import create_app
from service.config import Settings
from service.errors import BadImage, MirrorscanError
from service.normalize.image import WORK_SIDE, decode_image
from tests.helpers.http import wait_ready
from tests.helpers.settings import SCORE_KEY, fake_settings

LIMITS = Settings().limits
KW = {
    "max_bytes": LIMITS.max_image_bytes,
    "max_pixels": LIMITS.max_image_pixels,
    "max_side": LIMITS.max_image_side,
    "max_aspect": LIMITS.max_image_aspect,
}
# The documented bound on one avatar's image work (README "Limits"): a 4096 x 4096 palette PNG
# with transparency is the worst accepted case (64 MB RGBA while flattening, then 2048 px).
RSS_BOUND_MB = 300


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def needle_png(width: int, height: int) -> bytes:
    """A real, fully decodable 1-bit PNG of ``width x height`` (tiny once compressed)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\xaa" * ((width + 7) // 8)
    raw = zlib.compressobj(9)
    body = b"".join(raw.compress(row) for _ in range(height)) + raw.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")
    )


def _save(img: Image.Image, fmt: str, **kw: object) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **kw)
    return out.getvalue()


def hostile_images() -> dict[str, bytes]:
    rng = np.random.default_rng(7)
    blocks = rng.integers(0, 4, (64, 64), dtype=np.uint8)
    palette = Image.fromarray(blocks, "P").resize((4096, 4096), Image.Resampling.NEAREST)
    palette.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * 756)
    frames = [Image.new("RGB", (2000, 2000), (i * 40 % 255, 0, 0)) for i in range(6)]
    return {
        "needle 8x4999999": needle_png(8, 4_999_999),  # the one that killed the server
        "needle 8x2000000 (under the pixel cap)": needle_png(8, 2_000_000),
        "thin 64x16000": needle_png(64, 16_000),
        "tall 410x4096": needle_png(410, 4096),
        "wide 8192x820": needle_png(8192, 820),
        "square 4096 palette + transparency": _save(palette, "PNG", transparency=0),
        "16-bit greyscale 4000x4000": _save(
            Image.fromarray(np.full((4000, 4000), 40000, np.uint16)), "PNG"
        ),
        "animated GIF 2000x2000, 6 frames": _save(
            frames[0], "GIF", save_all=True, append_images=frames[1:]
        ),
        "JPEG 4096x4096": _save(Image.new("RGB", (4096, 4096), (10, 120, 200)), "JPEG"),
    }


def test_needle_images_are_refused_before_decoding() -> None:
    for name in ("needle 8x4999999", "needle 8x2000000 (under the pixel cap)", "thin 64x16000"):
        with pytest.raises(BadImage, match="limit|differ at most|long side") as err:
            decode_image(hostile_images()[name], **KW)
        assert err.value.status == 422


def test_accepted_images_are_downscaled_to_the_working_side() -> None:
    for name, data in hostile_images().items():
        try:
            img = decode_image(data, **KW)
        except MirrorscanError as exc:
            assert 400 <= exc.status < 500, name
            continue
        assert max(img.size) <= WORK_SIDE, name
        assert img.mode == "RGB"


_PROBE = """
import json, os, sys
from pathlib import Path
from PIL import Image
from service.errors import MirrorscanError
from service.features.avatar import query_avatar
from service.features.image import FakeImageEncoder, square_pad, to_input
from service.normalize.image import decode_image

def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

def work(name, data, limits):
    if name == "unbounded pad":  # what the service did before the caps: pad to the long side
        square_pad(Image.new("RGB", (64, 16000)))
        return "processed"
    try:
        img = decode_image(data, **limits)
        query_avatar(img, enc)
        to_input(img, 224), to_input(img, 448)
        return "processed"
    except MirrorscanError as exc:
        return f"refused {exc.status}"

folder, limits = Path(sys.argv[1]), json.loads(sys.argv[2])
enc = FakeImageEncoder()
enc.load()
out, growth = {}, 0.0
for path in sorted(folder.iterdir()):
    data = path.read_bytes()
    read, write = os.pipe()
    if os.fork() == 0:  # a fresh high-water mark: the child's starts at its RSS at fork
        start = status("VmRSS")
        result = work(path.stem[3:], data, limits)
        os.write(write, json.dumps([result, status("VmHWM") - start]).encode())
        os._exit(0)
    os.close(write)
    os.wait()
    result, grew = json.loads(os.read(read, 4096))
    out[path.stem[3:]] = result
    growth = max(growth, grew)
print(json.dumps({"results": out, "growth_mb": growth}))
"""


def probe(folder: Path, names: list[str], limits: dict[str, float]) -> dict[str, object]:
    """Decode and derive each of ``names`` in a process forked for it: the results and the
    largest peak RSS growth (MB). The images are written to files first: building them is not
    the worker's cost."""
    folder.mkdir()
    images = hostile_images() | {"unbounded pad": b""}
    for i, name in enumerate(names):
        (folder / f"{i:02d} {name}").write_bytes(images[name])
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(folder), json.dumps(limits)],
        cwd=root, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_hostile_images_stay_in_bounded_memory(tmp_path: Path) -> None:
    report = probe(tmp_path / "all", list(hostile_images()), KW)
    results = report["results"]
    assert isinstance(results, dict)
    for name in ("needle 8x4999999", "needle 8x2000000 (under the pixel cap)", "thin 64x16000"):
        assert results[name] == "refused 422", name
    for name in ("tall 410x4096", "wide 8192x820", "square 4096 palette + transparency",
                 "16-bit greyscale 4000x4000", "animated GIF 2000x2000, 6 frames",
                 "JPEG 4096x4096"):  # fmt: skip
        assert results[name] == "processed", name
    assert isinstance(report["growth_mb"], float) and report["growth_mb"] < RSS_BOUND_MB, report


def test_the_measurement_sees_an_unbounded_pad(tmp_path: Path) -> None:
    """Padding a 64 x 16,000 picture to its long side, as the service did before the caps, grows
    the worker past the bound: the measurement above can fail."""
    report = probe(tmp_path / "pad", ["unbounded pad"], KW)
    assert report["results"] == {"unbounded pad": "processed"}
    assert isinstance(report["growth_mb"], float) and report["growth_mb"] > RSS_BOUND_MB, report


def test_the_needle_png_gets_a_problem_over_http(tmp_path: Path) -> None:
    import base64

    with TestClient(create_app(fake_settings(tmp_path))) as client:
        wait_ready(client)
        data = needle_png(8, 4_999_999)
        assert len(data) < 200_000
        r = client.post(
            "/v1/score",
            headers={"X-API-Key": SCORE_KEY},
            json={"id": "n", "handle": "x", "avatar_b64": base64.b64encode(data).decode()},
        )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "limit" in r.json()["detail"] or "differ at most" in r.json()["detail"]
