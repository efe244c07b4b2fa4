"""The Debian packages are listed once (scripts/system-packages.txt): scripts/install, .ci/run and
the Dockerfile read that list, and the README's apt-get line is the list's."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "scripts" / "system-packages.txt"


def packages(mode: str, *stages: str) -> list[str]:
    out = subprocess.run(
        [str(ROOT / "scripts" / "system-packages"), mode, *stages],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_every_line_names_a_package_its_stages_and_a_check() -> None:
    for line in LIST.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        package, stages, check = line.split(maxsplit=2)
        assert set(stages.split(",")) <= {"build", "run", "fonts", "test"}, line
        assert check.strip(), line


def test_the_known_needs_are_listed() -> None:
    build = packages("list", "build")
    assert {"g++", "pkg-config", "libicu-dev", "python3-venv", "python3-dev"} <= set(build)
    assert {"python3", "libicu72"} <= set(packages("list", "run"))
    assert {"postgresql", "chromium"} <= set(packages("list", "test"))
    # what the browser tests draw emoji and Arabic-script names with (issue 15)
    assert {"fonts-noto-color-emoji", "fonts-noto-core"} <= set(packages("list", "test"))
    # and what the image's pages serve as webfonts (issue 15, item 7)
    assert {"fonts-noto-color-emoji", "fonts-noto-core"} <= set(packages("list", "fonts"))


def test_missing_is_a_subset_of_the_list() -> None:
    assert set(packages("missing", "build", "run")) <= set(packages("list", "build", "run"))


def test_install_ci_and_dockerfile_read_the_list() -> None:
    assert "scripts/system-packages missing build run" in (ROOT / "scripts/install").read_text()
    assert "scripts/system-packages missing build run test" in (ROOT / ".ci/run").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "system-packages list build fonts)" in dockerfile
    assert "system-packages list run)" in dockerfile


def test_the_image_serves_the_webfonts_the_stylesheet_names() -> None:
    from service.web.routes.fonts import FONTS

    dockerfile = (ROOT / "Dockerfile").read_text()
    css = (ROOT / "service" / "web" / "static" / "style.css").read_text()
    for name in FONTS:
        assert f"/usr/share/fonts/truetype/noto/{name}" in dockerfile, name
        assert f'url("/fonts/{name}")' in css, name
    assert "MIRRORSCAN_WEB__FONTS_DIR=/opt/mirrorscan/fonts" in dockerfile


def test_the_readme_names_the_same_packages() -> None:
    line = " ".join(packages("list", "build", "run"))
    readme = (ROOT / "README.md").read_text()
    assert f"apt-get install -y --no-install-recommends {line}\n" in readme
