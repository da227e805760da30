"""The UI's pages. Thin: each view reads the form, calls the node's services, renders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hanoi.accounts.model import Role
from hanoi.accounts.throttle import TooManyFailures
from hanoi.convention import default_catalogue
from hanoi.errors import InvalidInput, PermissionDenied
from hanoi.i18n.catalogues import parse_language
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.messages import N_, Message
from hanoi.node.parties_files import parties_in_use
from hanoi.web.ui.auth import (
    LOGIN,
    Site,
    UiUser,
    log_in,
    log_out,
    safe_next,
    session_user,
    sign_out_everywhere,
)
from hanoi.web.ui.sessions import CSRF_FIELD, check_csrf, is_loopback_http
from hanoi.web.ui.site import (
    HOME,
    LANGUAGE_COOKIE,
    PREFIX,
    SESSION_LANGUAGE,
    request_language,
)
from hanoi.web.ui.treaty import parse_as_of, treaty_page

LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
MAX_NAME = 64
MAX_PASSWORD = 1024

ROLE_LABELS: dict[Role, Message] = {
    Role.OFFICER: N_("Central authority officer"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.POINT_OF_CONTACT: N_("24/7 point of contact"),
    Role.AUDITOR: N_("Auditor"),
    Role.ADMINISTRATOR: N_("Administrator"),
}
NAME_MISSING = N_("Enter your user name.")
PASSWORD_MISSING = N_("Enter your password.")
WRONG_CREDENTIALS = N_("The user name or password is not correct.")
TOO_MANY_FAILURES = N_("Too many failed sign-ins from here. Wait a few minutes, then try again.")
PASSWORDS_OFF = N_("This node does not sign in with passwords. Use your identity provider.")


async def csrf_guard(request: Request) -> None:
    """Every POST under /ui must carry this session's CSRF token."""
    if request.method == "POST":
        form = await request.form()
        try:
            check_csrf(request.session, form.get(CSRF_FIELD))
        except Exception:
            await form.close()  # a multipart form's files (the provider order form's)
            raise


router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("")
def ui_root() -> RedirectResponse:
    return RedirectResponse(HOME, status_code=307)


@router.get("/login", response_model=None)
def login_form(
    request: Request,
    ui: Site,
    next_page: Annotated[str, Query(alias="next")] = "",
    signed_out: bool = False,
) -> Response:
    if session_user(request) is not None:
        return see_other(safe_next(next_page))
    return login_page(request, ui, name="", next_page=next_page, signed_out=signed_out)


@router.post("/login", response_model=None)
def login(
    request: Request,
    ui: Site,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_page: Annotated[str, Form(alias="next")] = "",
) -> Response:
    if not ui.node.settings.local_passwords:  # the State's identity provider only
        return login_page(
            request, ui, name="", next_page=next_page, problem=PASSWORDS_OFF, status=403
        )
    name = name.strip()
    errors: dict[str, Message] = {}
    if not name:
        errors["name"] = NAME_MISSING
    if not password:
        errors["password"] = PASSWORD_MISSING
    if errors:
        return login_page(request, ui, name=name, next_page=next_page, errors=errors)
    try:
        if len(name) > MAX_NAME or len(password) > MAX_PASSWORD:
            raise PermissionDenied("too long to be a user name or password")
        # The peer, or the client behind a trusted proxy (hanoi.web.proxies decides).
        client = request.client.host if request.client else ""
        user = ui.node.accounts.authenticate_password(name, password, client=client)
    except PermissionDenied:
        return login_page(request, ui, name=name, next_page=next_page, problem=WRONG_CREDENTIALS)
    except TooManyFailures as exc:
        page = login_page(request, ui, name=name, next_page=next_page, problem=TOO_MANY_FAILURES)
        page.status_code = 429
        page.headers["Retry-After"] = str(exc.wait_seconds() or 1)
        return page
    log_in(request, user)
    return see_other(safe_next(next_page))


def login_page(
    request: Request,
    ui: Site,
    *,
    name: str,
    next_page: str,
    errors: dict[str, Message] | None = None,
    problem: Message | None = None,
    signed_out: bool = False,
    status: int | None = None,
) -> HTMLResponse:
    """The login page: the password form unless switched off (``local_passwords``), and
    "Sign in with <provider>" when the node has an identity provider."""
    return ui.page(
        request,
        "login.html",
        user=None,
        status=status or (422 if errors or problem else 200),
        provider=ui.oidc.name if ui.oidc is not None else None,
        local_passwords=ui.node.settings.local_passwords,
        name=name[:MAX_NAME],
        next_page=safe_next(next_page),
        errors=errors or {},
        problem=problem,
        signed_out=signed_out,
    )


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    log_out(request)
    return see_other(f"{LOGIN}?signed_out=true")


@router.post("/sign-out-everywhere")
def logout_everywhere(request: Request, user: UiUser) -> RedirectResponse:
    sign_out_everywhere(request, user)
    return see_other(f"{LOGIN}?signed_out=true")


@router.post("/language")
def choose_language(
    request: Request,
    language: Annotated[str, Form()] = "",
    next_page: Annotated[str, Form(alias="next")] = "",
) -> RedirectResponse:
    chosen = parse_language(language)
    if chosen is None:
        raise InvalidInput("unknown language")
    request.session[SESSION_LANGUAGE] = chosen.value
    response = see_other(safe_next(next_page))
    response.set_cookie(
        LANGUAGE_COOKIE,
        chosen.value,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        path=PREFIX,
        secure=not is_loopback_http(request.scope),
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/treaty")
def treaty(
    request: Request,
    user: UiUser,
    ui: Site,
    as_of: Annotated[str, Query()] = "",
) -> HTMLResponse:
    as_of = as_of[:32]
    day, error = parse_as_of(as_of, today=ui.node.clock.now().date())
    if error is not None:
        return ui.page(
            request, "treaty.html", user=user, status=422, as_of=as_of, error=error, treaty=None
        )
    fmt = LocaleFormat(request_language(request))
    in_use = parties_in_use(ui.node.settings.node_dir, rules=default_catalogue().treaty_rules)
    page = treaty_page(in_use, as_of=day, fmt=fmt)
    return ui.page(request, "treaty.html", user=user, as_of=as_of, error=None, treaty=page)
