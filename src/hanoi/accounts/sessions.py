"""Signed-in UI sessions that the server can end: logout, "sign out everywhere", expiry.

A session is a random secret in the browser's (signed) cookie and a row, named by the
secret's SHA-256, in the database. The cookie alone proves nothing: a page is served to
a signed-in user only while the row exists and has not expired, so deleting the row ends
the session at once in every server process, whatever copies of the cookie exist.

Sessions last :data:`SESSION_LIFETIME` from sign-in, however busy (a stolen cookie has a
bounded life). ``last_seen_at`` is written at most every :data:`TOUCH_EVERY`, so that
reading pages does not become a write per page.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from hanoi.accounts.model import User
from hanoi.accounts.ports import SessionStore
from hanoi.clock import Clock

SESSION_LIFETIME = timedelta(hours=8)  # a working day
TOUCH_EVERY = timedelta(minutes=1)
_SECRET_BYTES = 32
_MAX_SECRET_CHARS = 64  # token_urlsafe(32) is 43 characters

log = logging.getLogger("hanoi.accounts")


def session_id(secret: str) -> str:
    """The row's name for a cookie's secret: SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Sessions:
    def __init__(
        self, *, store: SessionStore, clock: Clock, lifetime: timedelta = SESSION_LIFETIME
    ) -> None:
        self._store = store
        self._clock = clock
        self._lifetime = lifetime

    def start(self, user: User) -> str:
        """A new session for ``user``; returns the secret for the cookie (never stored)."""
        now = self._clock.now()
        self._store.purge_sessions(now)  # sign-ins are rare: a cheap moment to tidy up
        secret = secrets.token_urlsafe(_SECRET_BYTES)
        self._store.add_session(
            session_id=session_id(secret), user_id=user.id, now=now, expires_at=now + self._lifetime
        )
        return secret

    def resume(self, secret: object) -> User | None:
        """The user of a live session, or None: unknown, ended, expired or disabled."""
        if not isinstance(secret, str) or not 0 < len(secret) <= _MAX_SECRET_CHARS:
            return None
        sid = session_id(secret)
        found = self._store.session(sid)
        if found is None:
            return None
        now = self._clock.now()
        if found.expires_at <= now or found.user.disabled:
            self._store.end_session(sid)
            return None
        if now - found.last_seen_at >= TOUCH_EVERY:
            self._store.touch_session(sid, now)
        return found.user

    def end(self, secret: object) -> None:
        """End one session (logout); an unknown secret is no error."""
        if isinstance(secret, str) and 0 < len(secret) <= _MAX_SECRET_CHARS:
            self._store.end_session(session_id(secret))

    def end_all(self, user: User) -> int:
        """End every session of ``user``, in every browser; how many were ended."""
        ended = self._store.end_sessions_of(user.id)
        log.info("ended %d UI session(s) of %r", ended, user.name)
        return ended
