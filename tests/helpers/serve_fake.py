"""``mirrorscan serve`` for the replica tests: the same settings, preflight, first key and
uvicorn (``service.cli.main.run_server``), without the refusal of the fake encoders that
``serve`` rightly makes (they score nothing real; these tests are about the store).

    python -m tests.helpers.serve_fake --host 127.0.0.1 --port 8000
"""

from __future__ import annotations

import argparse
import sys

import typer

from service.cli.common import settings_for
from service.cli.main import run_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    try:
        settings = settings_for(None)
        if not settings.models.fake:
            print("serve_fake is for the fake encoders only; use mirrorscan serve", file=sys.stderr)
            return 2
        run_server(settings, args.host, args.port)
    except typer.Exit as exc:
        return int(exc.exit_code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
