"""Where the training and benchmark pictures come from: the npm packages (fetched with ``npm
pack`` into a cache outside git, never committed), how an SVG is rendered and placed on a
background, the render cache, and which emoji count as avatars."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

CACHE = Path.home() / ".cache" / "mirrorscan-bench"
PACKAGES = {
    "simple-icons": "simple-icons@16.37.0",
    "flags": "svg-country-flags@1.2.10",
    "country-flag-icons": "country-flag-icons@1.6.20",
    "twemoji": "@discordapp/twemoji@16.0.1",
}
SIDE = 256
SILHOUETTE_EMOJI = ("1f464", "1f465", "1f5e3")  # bust in silhouette, busts, speaking head
POPULAR_EMOJI = (  # commonly used as avatars; part of the shared-avatar population
    "1f600",
    "1f602",
    "2764",
    "1f525",
    "1f44d",
    "1f60e",
    "1f64f",
    "2b50",
    "1f319",
    "1f338",
    "1f981",
    "1f985",
    "1f43a",
    "1f451",
    "1f30d",
    "1f3b5",
    "1f4f7",
    "1f680",
    "26bd",
    "1f3c6",
)
# More emoji people take as their avatar (the reference population adds these to
# POPULAR_EMOJI, which the benchmark and the training generator keep as it was): religious
# symbols, hearts, flowers, animals, hands, moons and stars, and non-country flags.
AVATAR_EMOJI = POPULAR_EMOJI + (
    "262a",  # star and crescent
    "1f54b",  # kaaba
    "1f54c",  # mosque
    "1f4ff",  # prayer beads
    "1f932",  # palms up together (dua)
    "261d",  # index pointing up
    "1f4d6",  # open book
    "271d",  # latin cross
    "2721",  # star of david
    "1f549",  # om
    "262e",  # peace
    "1f54a",  # dove
    "1f499",  # blue heart
    "1f49a",  # green heart
    "1f49b",  # yellow heart
    "1f49c",  # purple heart
    "1f5a4",  # black heart
    "1f90d",  # white heart
    "1f9e1",  # orange heart
    "1f494",  # broken heart
    "1f495",  # two hearts
    "1f496",  # sparkling heart
    "1f339",  # rose
    "1f337",  # tulip
    "1f33a",  # hibiscus
    "1f33b",  # sunflower
    "1f334",  # palm tree
    "1f31f",  # glowing star
    "2728",  # sparkles
    "2600",  # sun
    "1f308",  # rainbow
    "1f30e",  # globe americas
    "1f30f",  # globe asia
    "1f60a",  # smiling face
    "1f60d",  # heart eyes
    "1f970",  # smiling face with hearts
    "1f607",  # halo
    "1f642",  # slightly smiling face
    "1f4af",  # hundred points
    "1f4aa",  # flexed biceps
    "270c",  # victory hand
    "1f91d",  # handshake
    "1f405",  # tiger
    "1f40e",  # horse
    "1f98b",  # butterfly
    "1f431",  # cat
    "1f436",  # dog
    "1f3cf",  # cricket
    "1f3f3",  # white flag
    "1f3f4",  # black flag
    "1f3f3-fe0f-200d-1f308",  # rainbow flag
)


@dataclass(frozen=True)
class Source:
    name: str  # "logo:github", "flag:pk", "emoji:1f525", "photo:q0003", "default:x"
    kind: str  # logo | flag | emoji | photo | default
    image: Image.Image


def tarball(spec: str) -> Path:
    target = CACHE / "npm"
    target.mkdir(parents=True, exist_ok=True)
    name, _, version = spec.rpartition("@")
    stem = name.lstrip("@").replace("/", "-")
    path = target / f"{stem}-{version}.tgz"
    if not path.exists():
        subprocess.run(
            ["npm", "pack", spec, "--silent"], cwd=target, check=True, stdout=subprocess.DEVNULL
        )
    return path


def members(spec: str, prefix: str, suffix: str = ".svg") -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(tarball(spec)) as tar:
        for m in tar.getmembers():
            if m.isfile() and m.name.startswith(prefix) and m.name.endswith(suffix):
                f = tar.extractfile(m)
                if f is not None:
                    out[m.name[len(prefix) : -len(suffix)]] = f.read()
    return out


def render(svg: bytes, side: int, background: str | None = None) -> Image.Image:
    import resvg_py

    png = resvg_py.svg_to_bytes(
        svg_string=svg.decode("utf-8"), width=side, height=side, background=background
    )
    return Image.open(io.BytesIO(bytes(png))).convert("RGBA")


def on_background(bg: tuple[int, int, int], fg: Image.Image, pad: float) -> Image.Image:
    canvas = Image.new("RGB", (SIDE, SIDE), bg)
    inner = int(SIDE * (1 - 2 * pad))
    fg = fg.resize((inner, inner), Image.Resampling.LANCZOS)
    off = (SIDE - inner) // 2
    canvas.paste(fg, (off, off), fg)
    return canvas


def stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big")


def cached(key: str, make: object) -> Image.Image:
    path = CACHE / "rendered" / f"{key.replace(':', '_').replace('/', '_')}.png"
    if path.exists():
        return Image.open(path).convert("RGB")
    img = make()  # type: ignore[operator]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    img.save(tmp, format="PNG")
    tmp.replace(path)  # atomic: another process never reads a half-written file
    return img  # type: ignore[no-any-return]
