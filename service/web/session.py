"""The moderator's session. Signing in opens a session record in the store (the key's label and
which key it was, never the key; a CSRF token; a fixed expiry) and the cookie carries only its
random id; signing out deletes the record, and revoking the key deletes every record it opened,
so a copied cookie is worth nothing after either, on every replica. Scopes are the key's own, read
from the key ring on each request.

A visitor who has not signed in still gets a session with a CSRF token (in the cookie alone, no
record), so that the sign-in form is protected too; signing in replaces the token (no session
fixation). The cookie is signed (a secret from the settings, else one made once in the store and
shared by every replica), HttpOnly, SameSite=Strict, and Secure when the page came over https."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from service.auth import Principal
from service.config import Settings
from service.store.shared import SharedState
from service.store.websessions import WebSession

COOKIE = "mirrorscan_session"
SECRET_NAME = "web.session-cookie"
_SALT = "mirrorscan.web.session"


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    label: str | None = None  # None: not signed in
    scopes: frozenset[str] = field(default_factory=frozenset)
    sid: str | None = None  # the session record's id (signed in only); kept in the cookie
    key_ref: str = ""

    @property
    def signed_in(self) -> bool:
        return self.label is not None

    def can(self, scope: str) -> bool:
        return self.signed_in and (scope in self.scopes or "admin" in self.scopes)

    def csrf_ok(self, presented: str) -> bool:
        return bool(presented) and hmac.compare_digest(presented.encode(), self.csrf.encode())


def anonymous() -> Session:
    return Session(csrf=secrets.token_urlsafe(32))


def sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SessionCookies:
    """Reads and writes the session cookie, and opens and ends session records in the store.
    The reading and the opening are blocking (store I/O): call them from a thread."""

    def __init__(self, settings: Settings) -> None:
        web = settings.web
        self.max_age_s = web.session_max_age_s
        self.max_per_key = web.max_sessions_per_key
        self._secret = web.session_secret.get_secret_value() if web.session_secret else None
        self._serializer: URLSafeTimedSerializer | None = None

    def serializer(self, shared: SharedState | None) -> URLSafeTimedSerializer | None:
        """The cookie signer; None while the store (which holds the shared secret) is not open."""
        if self._serializer is None:
            secret = self._secret
            if secret is None and shared is not None:
                secret = shared.secret(SECRET_NAME)
            if secret is not None:
                self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        return self._serializer

    def read(self, request: Request, shared: SharedState | None) -> Session | None:
        """The request's session: anonymous (its CSRF token), or a live signed-in record; None
        when absent, forged, expired, signed out or revoked. Scopes are left to the caller."""
        raw = request.cookies.get(COOKIE)
        serializer = self.serializer(shared)
        if not raw or len(raw) > 4096 or serializer is None:
            return None
        try:
            data = serializer.loads(raw, max_age=self.max_age_s)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict):
            return None
        sid = data.get("i")
        if isinstance(sid, str) and shared is not None:
            record = shared.sessions.get(sid_hash(sid))
            if record is None:
                return None
            return Session(csrf=record.csrf, label=record.label, sid=sid, key_ref=record.key_ref)
        csrf = data.get("c")
        if sid is None and isinstance(csrf, str) and csrf:
            return Session(csrf=csrf)
        return None

    def sign_in(self, shared: SharedState, principal: Principal) -> Session:
        """Open a session record for the key's holder; a new id and a new CSRF token."""
        sid = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        record = WebSession(csrf, principal.label, principal.key_ref, time.time() + self.max_age_s)
        shared.sessions.open(sid_hash(sid), record, max_per_key=self.max_per_key)
        return Session(csrf, principal.label, principal.scopes, sid, principal.key_ref)

    def sign_out(self, shared: SharedState, session: Session) -> None:
        if session.sid is not None:
            shared.sessions.close(sid_hash(session.sid))

    def write(self, request: Request, response: Response, session: Session) -> None:
        serializer = self._serializer
        if serializer is None:  # the store is not open yet: nothing to sign with
            return
        claims = {"i": session.sid} if session.sid else {"c": session.csrf}
        response.set_cookie(
            COOKIE,
            serializer.dumps(claims),
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
