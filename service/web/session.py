"""The moderator's session: a signed cookie holding who signed in (the key's label and scopes,
never the key) and the CSRF token that every form must echo back.

A visitor who has not signed in still gets a session with a CSRF token, so that the sign-in form
is protected too; signing in replaces the token (no session fixation), signing out deletes the
cookie. The cookie is HttpOnly, SameSite=Strict, and Secure when the page came over https."""

from __future__ import annotations

import hmac
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from service.config import Settings

COOKIE = "mirrorscan_session"
SECRET_FILE = "web_secret"


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    label: str | None = None  # None: not signed in
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def signed_in(self) -> bool:
        return self.label is not None

    def can(self, scope: str) -> bool:
        return self.signed_in and (scope in self.scopes or "admin" in self.scopes)

    def csrf_ok(self, presented: str) -> bool:
        return bool(presented) and hmac.compare_digest(presented.encode(), self.csrf.encode())


def anonymous() -> Session:
    return Session(csrf=secrets.token_urlsafe(32))


def signed_in(label: str, scopes: frozenset[str]) -> Session:
    return Session(csrf=secrets.token_urlsafe(32), label=label, scopes=scopes)


class SessionCodec:
    """Signs sessions into cookie values and reads them back (expired or forged: None)."""

    def __init__(self, secret: str, max_age_s: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="mirrorscan.web.session")
        self.max_age_s = max_age_s

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionCodec:
        web = settings.web
        if web.session_secret is not None:
            secret = web.session_secret.get_secret_value()
        else:
            secret = load_or_create_secret(settings.data_dir / SECRET_FILE)
        return cls(secret, web.session_max_age_s)

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw or len(raw) > 4096:
            return None
        try:
            data = self._serializer.loads(raw, max_age=self.max_age_s)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        label = data.get("l")
        scopes = data.get("s") or []
        if not (label is None or isinstance(label, str)) or not isinstance(scopes, list):
            return None
        return Session(csrf=data["c"], label=label, scopes=frozenset(map(str, scopes)))

    def write(self, request: Request, response: Response, session: Session) -> None:
        value = self._serializer.dumps(
            {"c": session.csrf, "l": session.label, "s": sorted(session.scopes), "t": time.time()}
        )
        response.set_cookie(
            COOKIE,
            value,
            max_age=self.max_age_s,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    def clear(self, request: Request, response: Response) -> None:
        response.delete_cookie(
            COOKIE,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )


def load_or_create_secret(path: Path) -> str:
    """A random signing secret created once (mode 0600) and reused, so sessions survive a
    restart. Replicas behind one load balancer need the same secret: set it in the settings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)
    return secret


def _read_secret(path: Path) -> str:
    """The existing secret; waits briefly when another process has created but not yet
    written it, and never signs with an empty or short secret."""
    for _ in range(50):
        secret = path.read_text().strip()
        if secret:
            break
        time.sleep(0.02)
    if len(secret) < 32:
        raise ValueError(f"{path} holds no usable secret (under 32 characters); delete it")
    return secret
