"""Who is signed in to the UI: a session secret in the signed cookie, naming a session
row that must still exist on every page (``hanoi.accounts.sessions``), so that logout
and "sign out everywhere" end a session on the server, not only in one browser."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from hanoi.accounts.model import Action, User
from hanoi.errors import NotFound
from hanoi.web.ui.sessions import renew
from hanoi.web.ui.site import HOME, PREFIX, SESSION_LANGUAGE, UiSite

SESSION_KEY = "sid"  # the session secret in the cookie; the database keeps its SHA-256
LOGIN = f"{PREFIX}/login"


class LoginRequired(Exception):
    """No signed-in user: the page redirects to the login form."""

    def __init__(self, wanted: str) -> None:
        super().__init__(wanted)
        self.wanted = wanted


def site(request: Request) -> UiSite:
    found: UiSite = request.app.state.ui
    return found


Site = Annotated[UiSite, Depends(site)]


def session_user(request: Request) -> User | None:
    """The signed-in user, if the cookie's session is live (not ended, not expired) and
    its user enabled; otherwise the cookie's session starts afresh, signed out."""
    secret = request.session.get(SESSION_KEY)
    if secret is None:
        return None
    user = site(request).node.accounts.sessions.resume(secret)
    if user is None:
        renew(request.session, keep=(SESSION_LANGUAGE,))
    return user


def require_user(request: Request) -> User:
    user = session_user(request)
    if user is None:
        raise LoginRequired(current_target(request))
    return user


UiUser = Annotated[User, Depends(require_user)]


def require_action(user: User, action: Action) -> None:
    """A page the user may not see answers exactly like a page that does not exist."""
    if not user.may(action):
        raise NotFound("no such page")


def log_in(request: Request, user: User) -> None:
    """A new session (no fixation): a new row and secret, a new CSRF token, the chosen
    language kept. A session the cookie held before is ended."""
    sessions = site(request).node.accounts.sessions
    sessions.end(request.session.get(SESSION_KEY))
    renew(request.session, keep=(SESSION_LANGUAGE,))
    request.session[SESSION_KEY] = sessions.start(user)


def log_out(request: Request) -> None:
    """End this session on the server: a copy of the cookie is worth nothing after it."""
    site(request).node.accounts.sessions.end(request.session.get(SESSION_KEY))
    renew(request.session, keep=(SESSION_LANGUAGE,))


def sign_out_everywhere(request: Request, user: User) -> None:
    """End every session of ``user``, this one included (a lost laptop, a shared PC)."""
    site(request).node.accounts.sessions.end_all(user)
    renew(request.session, keep=(SESSION_LANGUAGE,))


def current_target(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def safe_next(value: object) -> str:
    """A page of this UI to go to next; anything else (another site, odd characters) is home."""
    if not isinstance(value, str) or not value.startswith(HOME) or len(value) > 2000:
        return HOME
    if any(ord(c) < 0x21 or c in "\\" for c in value):
        return HOME
    return value


def login_url(wanted: str) -> str:
    target = safe_next(wanted)
    return LOGIN if target == HOME else f"{LOGIN}?next={quote(target, safe='/')}"
