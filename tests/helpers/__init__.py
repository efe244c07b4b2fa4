"""Shared test helpers. Test modules import these, never each other (nor conftest)."""
