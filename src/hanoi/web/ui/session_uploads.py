"""tus 1.0 at ``/ui/uploads`` for the signed-in session: the upload page's script
(``static/upload.js``) cannot send a bearer token, so the API's tus code
(:mod:`hanoi.web.uploads`, one implementation) answers here with the session's user,
and the CSRF token in the ``X-CSRF-Token`` header on every call that changes
something. A script is calling: refusals are problem+json (401, 403, 404...), never
a page or a redirect to the login form."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from hanoi.accounts.model import User
from hanoi.errors import HanoiError
from hanoi.web.problems import problem, status_for
from hanoi.web.ui.auth import Site, session_user
from hanoi.web.ui.sessions import CsrfRejected, check_csrf
from hanoi.web.ui.site import PREFIX
from hanoi.web.uploads import (
    TusHeaders,
    tus_append,
    tus_cancel,
    tus_capabilities,
    tus_create,
    tus_status,
)

UPLOADS = f"{PREFIX}/uploads"
CSRF_HEADER = "X-CSRF-Token"

router = APIRouter(prefix=UPLOADS, include_in_schema=False)


def _refused(request: Request, status: int, title: str, detail: str, slug: str) -> JSONResponse:
    return problem(
        status=status, title=title, detail=detail, type_slug=slug, instance=request.url.path
    )


def _tus_user(request: Request, *, changes: bool) -> User | JSONResponse:
    """The session's user; on a call that changes something, also the CSRF header. A script
    is calling: refusals are problem+json, never a redirect to the login page."""
    user = session_user(request)
    if user is None:
        return _refused(request, 401, "Sign in", "sign in to the UI first", "unauthenticated")
    if changes:
        try:
            check_csrf(request.session, request.headers.get(CSRF_HEADER))
        except CsrfRejected as exc:
            return _refused(request, 403, exc.title, exc.detail, exc.type_slug)
    return user


def _answer(request: Request, exc: HanoiError) -> JSONResponse:
    return _refused(request, status_for(exc), exc.title, exc.detail, exc.type_slug)


def _tus_call(request: Request, *, changes: bool, call: Callable[[User], Response]) -> Response:
    user = _tus_user(request, changes=changes)
    if isinstance(user, JSONResponse):
        return user
    try:
        return call(user)
    except HanoiError as exc:
        return _answer(request, exc)


def _location(upload_id: str) -> str:
    return f"{UPLOADS}/{upload_id}"


@router.options("")
def ui_tus_capabilities(request: Request, ui: Site) -> Response:
    return _tus_call(request, changes=True, call=lambda _: tus_capabilities(ui.node.uploads))


@router.post("")
def ui_tus_create(request: Request, ui: Site) -> Response:
    return _tus_call(
        request,
        changes=True,
        call=lambda user: tus_create(
            ui.node.uploads, user, TusHeaders.of(request), location=_location
        ),
    )


@router.head("/{upload_id}")
def ui_tus_status(upload_id: str, request: Request, ui: Site) -> Response:
    return _tus_call(
        request,
        changes=False,
        call=lambda user: tus_status(ui.node.uploads, user, upload_id, TusHeaders.of(request)),
    )


@router.patch("/{upload_id}")
async def ui_tus_append(upload_id: str, request: Request, ui: Site) -> Response:
    user = _tus_user(request, changes=True)
    if isinstance(user, JSONResponse):
        return user
    try:
        return await tus_append(
            ui.node.uploads, user, upload_id, TusHeaders.of(request), request.stream()
        )
    except HanoiError as exc:
        return _answer(request, exc)


@router.delete("/{upload_id}")
def ui_tus_cancel(upload_id: str, request: Request, ui: Site) -> Response:
    return _tus_call(
        request,
        changes=True,
        call=lambda user: tus_cancel(ui.node.uploads, user, upload_id, TusHeaders.of(request)),
    )
