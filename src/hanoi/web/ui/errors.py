"""Error pages under /ui: HTML in the reader's language, never a stack trace.

Outside /ui every error keeps its problem+json answer (``hanoi.web.problems``).
Under /ui, to leak nothing about which pages exist:

- a visitor who is not signed in and asks for any page, existing or not, is
  sent to the login form;
- a signed-in user gets the same 404 page for a page that does not exist and
  for one they may not see (``PermissionDenied`` from a service shows as 404);
- only a form without a valid CSRF token answers 403.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from hanoi.errors import HanoiError, PermissionDenied
from hanoi.i18n.messages import N_, Message
from hanoi.web.problems import status_for
from hanoi.web.ui.auth import LoginRequired, login_url, session_user
from hanoi.web.ui.sessions import CsrfRejected, under
from hanoi.web.ui.site import PREFIX, UiSite

log = logging.getLogger("hanoi.web.ui")

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]
STATIC = f"{PREFIX}/static"


@dataclass(frozen=True, slots=True)
class ErrorText:
    title: Message
    explanation: Message


NOT_FOUND = ErrorText(
    N_("Page not found"),
    N_("There is no page at this address, or you are not allowed to see it."),
)
FORM_REJECTED = ErrorText(
    N_("Form rejected"),
    N_(
        "This form has expired or did not come from this site. "
        "Go back, reload the page and try again."
    ),
)
NOT_HANDLED = ErrorText(
    N_("Cannot show this page"),
    N_("The node could not handle what was sent. Go back, check it and try again."),
)
FAILURE = ErrorText(
    N_("Something went wrong"),
    N_("The node failed to show this page. The error has been logged on the node."),
)


def _text_for(status: int) -> ErrorText:
    if status == 404:
        return NOT_FOUND
    if status == 403:
        return FORM_REJECTED
    if status >= 500:
        return FAILURE
    return NOT_HANDLED


def error_page(request: Request, status: int, *, with_session: bool = True) -> Response:
    """The error page for ``status``; a visitor not signed in is sent to log in first."""
    ui: UiSite = request.app.state.ui
    user = session_user(request) if with_session else None
    if with_session and user is None and status == 404 and not under(request.url.path, STATIC):
        return RedirectResponse(login_url(request.url.path), status_code=303)
    text = _text_for(status)
    return ui.page(
        request,
        "error.html",
        user=user,
        status=status,
        title=text.title,
        explanation=text.explanation,
        bare=not with_session,
    )


async def _delegate(handler: Handler | None, request: Request, exc: Exception) -> Response:
    if handler is None:
        raise exc
    result = handler(request, exc)
    return await result if inspect.isawaitable(result) else result


def install_error_pages(app: FastAPI) -> None:
    """Wrap the app's problem+json handlers so that paths under /ui get HTML pages."""
    api_http: Handler | None = app.exception_handlers.get(StarletteHTTPException)
    api_hanoi: Handler | None = app.exception_handlers.get(HanoiError)
    api_validation: Handler | None = app.exception_handlers.get(RequestValidationError)
    api_unexpected: Handler | None = app.exception_handlers.get(Exception)

    async def on_http(request: Request, exc: Exception) -> Response:
        if not under(request.url.path, PREFIX):
            return await _delegate(api_http, request, exc)
        assert isinstance(exc, StarletteHTTPException)
        status = 404 if exc.status_code in (404, 405) else exc.status_code
        return error_page(request, status)

    async def on_hanoi(request: Request, exc: Exception) -> Response:
        if not under(request.url.path, PREFIX):
            return await _delegate(api_hanoi, request, exc)
        assert isinstance(exc, HanoiError)
        if isinstance(exc, CsrfRejected):
            log.warning("refused a UI form on %s: %s", request.url.path, exc.detail)
            return error_page(request, 403)
        if isinstance(exc, PermissionDenied):
            return error_page(request, 404)
        return error_page(request, status_for(exc))

    async def on_validation(request: Request, exc: Exception) -> Response:
        if not under(request.url.path, PREFIX):
            return await _delegate(api_validation, request, exc)
        return error_page(request, 400)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        if not under(request.url.path, PREFIX):
            return await _delegate(api_unexpected, request, exc)
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_page(request, 500, with_session=False)

    async def on_login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(login_url(exc.wanted), status_code=303)

    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(HanoiError, on_hanoi)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(LoginRequired, on_login_required)
