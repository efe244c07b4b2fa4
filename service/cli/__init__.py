"""The ``mirrorscan`` command line (``service.cli.main``); one module per command group."""

from service.cli.main import app, main

__all__ = ["app", "main"]
