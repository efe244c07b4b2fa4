"""mirrorscan: detects mirror accounts, re-creations of banned accounts of proscribed groups."""

__version__ = "0.1.0"
