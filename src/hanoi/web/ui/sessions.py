"""UI sessions in signed cookies, and the CSRF token that every form carries.

The cookie is signed with a key derived (HKDF-SHA256) from the node's signing
key, so no new secret is stored or configured. It is HttpOnly, SameSite=Lax,
scoped to ``/ui``, and Secure unless the request came over plain HTTP to a
loopback address (the sandbox). Its signature expires ``SESSION_MAX_AGE``
seconds after the session last changed.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import MutableMapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from hanoi.errors import PermissionDenied

SESSION_COOKIE = "hanoi_ui_session"
SESSION_INFO = b"hanoi ui session v1"
SESSION_MAX_AGE = 8 * 60 * 60  # a working day
CSRF_FIELD = "csrf_token"
_CSRF_KEY = "csrf"

Session = MutableMapping[str, Any]


class CsrfRejected(PermissionDenied):
    """A form without this session's CSRF token (answered with the 403 page)."""

    title = "Form rejected"
    type_slug = "csrf-rejected"


def session_secret(signing_key: Ed25519PrivateKey) -> str:
    """The cookie-signing secret: HKDF-SHA256 of the node's signing key, fixed info."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SESSION_INFO).derive(
        signing_key.private_bytes_raw()
    )
    return derived.hex()


def is_loopback_http(scope: Scope) -> bool:
    """True for plain HTTP to 127.0.0.0/8, ::1 or localhost: the only place without Secure."""
    if scope.get("scheme") != "http":
        return False
    server = scope.get("server")
    host = server[0] if server else None
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


class UiSessionMiddleware:
    """Starlette's signed-cookie sessions, for paths under ``prefix`` only."""

    def __init__(self, app: ASGIApp, *, secret_key: str, prefix: str) -> None:
        self._app = app
        self._prefix = prefix
        self._secure = SessionMiddleware(
            app,
            secret_key=secret_key,
            session_cookie=SESSION_COOKIE,
            max_age=SESSION_MAX_AGE,
            path=prefix,
            same_site="lax",
            https_only=True,
        )
        self._loopback = SessionMiddleware(
            app,
            secret_key=secret_key,
            session_cookie=SESSION_COOKIE,
            max_age=SESSION_MAX_AGE,
            path=prefix,
            same_site="lax",
            https_only=False,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not under(scope["path"], self._prefix):
            await self._app(scope, receive, send)
            return
        chosen = self._loopback if is_loopback_http(scope) else self._secure
        await chosen(scope, receive, send)


def csrf_token(session: Session) -> str:
    """This session's CSRF token, made on first use."""
    token = session.get(_CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[_CSRF_KEY] = token
    return token


def check_csrf(session: Session, submitted: object) -> None:
    """Raise :class:`CsrfRejected` unless ``submitted`` is this session's token."""
    expected = session.get(_CSRF_KEY)
    if not isinstance(expected, str) or not isinstance(submitted, str):
        raise CsrfRejected("the form has no valid CSRF token")
    if not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise CsrfRejected("the form's CSRF token does not match the session")


def renew(session: Session, *, keep: tuple[str, ...] = ()) -> None:
    """Start a new session (on login and logout), keeping only the ``keep`` keys."""
    kept = {key: session[key] for key in keep if key in session}
    session.clear()
    session.update(kept)
    session[_CSRF_KEY] = secrets.token_urlsafe(32)
