"""Who is calling: a bearer API token on every protected endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hanoi.accounts.model import User
from hanoi.errors import PermissionDenied
from hanoi.wiring import Node

_bearer = HTTPBearer(auto_error=False, description="An API token from 'hanoi user add --token'")


class Unauthenticated(PermissionDenied):
    """No or bad credentials: answered with 401 and a WWW-Authenticate header."""

    title = "Authentication required"
    type_slug = "unauthenticated"


def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    node: Node = request.app.state.node
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("send an API token as 'Authorization: Bearer hanoi_...'")
    try:
        return node.accounts.authenticate_token(credentials.credentials)
    except PermissionDenied as exc:
        raise Unauthenticated(exc.detail) from None


CurrentUser = Annotated[User, Depends(current_user)]
