"""Secrets made once for every replica on one store (the session cookie's signing key): the
first process to ask creates it, every later one reads the same."""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from service.store.shared_schema import SecretRow


def shared_secret(sessions: sessionmaker[Session], name: str, nbytes: int = 48) -> str:
    with sessions() as s:
        row = s.get(SecretRow, name)
        if row is not None:
            return row.value
    try:
        with sessions.begin() as s:
            s.add(SecretRow(name=name, value=secrets.token_urlsafe(nbytes)))
    except IntegrityError:
        pass  # another process created it first: use that one
    with sessions() as s:
        row = s.get(SecretRow, name)
        assert row is not None
        return row.value
