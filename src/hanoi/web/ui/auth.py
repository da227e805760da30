"""Who is signed in to the UI: a user name in the signed session, checked on every page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from hanoi.accounts.model import Action, User
from hanoi.errors import NotFound
from hanoi.web.ui.sessions import renew
from hanoi.web.ui.site import HOME, PREFIX, SESSION_LANGUAGE, UiSite

SESSION_USER = "user"
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
    """The signed-in user, if the session names one that still exists and is enabled."""
    name = request.session.get(SESSION_USER)
    if not isinstance(name, str):
        return None
    try:
        user = site(request).node.accounts.named(name)
    except NotFound:
        user = None
    if user is None or user.disabled:
        renew(request.session, keep=(SESSION_LANGUAGE,))
        return None
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
    """A new session (no fixation) that names the user and keeps the chosen language."""
    renew(request.session, keep=(SESSION_LANGUAGE,))
    request.session[SESSION_USER] = user.name


def log_out(request: Request) -> None:
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
