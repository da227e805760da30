"""The UI's shared state: the node, the Jinja2 environment, and rendering one page."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from hanoi import __version__
from hanoi.accounts.model import Action, User
from hanoi.convention import Language
from hanoi.i18n.catalogues import AUTONYMS, LANGUAGES, parse_language, translations
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.templates import translated_environment
from hanoi.web.ui.flash import take_flashes
from hanoi.web.ui.languages import negotiate
from hanoi.web.ui.oidc import OidcSignIn
from hanoi.web.ui.sessions import CSRF_FIELD, csrf_token
from hanoi.wiring import Node

PREFIX = "/ui"
HOME = f"{PREFIX}/"
REQUESTS = f"{PREFIX}/requests"
TEMPLATES_DIR = Path(__file__).parent / "templates"
LANGUAGE_COOKIE = "hanoi_lang"
SESSION_LANGUAGE = "lang"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@functools.cache
def make_environment() -> Environment:
    """The pages' environment: :func:`hanoi.i18n.templates.translated_environment` on the
    UI's templates (autoescaping, strict undefined names, gettext from the context, and
    ``|bdi``). One per process, as the court report's (:func:`hanoi.reports.render.
    environment`): nothing changes an environment once it is made, and every app built in
    the process (a node serves one; the tests build hundreds) then compiles each template
    once, not once per app. Jinja2 still reloads a template whose file changed."""
    return translated_environment(TEMPLATES_DIR)


def request_url(request_id: str) -> str:
    """The page of one cooperation request."""
    return f"{REQUESTS}/{quote(request_id, safe='')}"


def request_language(request: Request) -> Language:
    """The language chosen in this session, else in the cookie, else by Accept-Language."""
    return (
        parse_language(request.session.get(SESSION_LANGUAGE))
        or parse_language(request.cookies.get(LANGUAGE_COOKIE))
        or negotiate(request.headers.get("accept-language"))
    )


@dataclass(frozen=True)
class UiSite:
    node: Node
    templates: Environment
    oidc: OidcSignIn | None = None
    """The State's identity provider, when the node signs officers in through it."""

    def page(
        self,
        request: Request,
        template: str,
        *,
        user: User | None,
        status: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        """Render ``template`` in the request's language, with the security headers."""
        language = request_language(request)
        catalogue = translations(language)
        context = {
            "translations": catalogue,
            "fmt": LocaleFormat(language),
            "language": language,
            "languages": [(code, AUTONYMS[code]) for code in LANGUAGES],
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token(request.session),
            "user": user,
            "may_read_statistics": user is not None and user.may(Action.READ_STATISTICS),
            "may_manage_providers": user is not None and user.may(Action.MANAGE_PROVIDERS),
            "node": self.node.identity,
            "path": request.url.path,
            "current": _current(request),
            "version": __version__,
            "prefix": PREFIX,
            "flashes": take_flashes(request, catalogue) if user is not None else [],
            **values,
        }
        html = self.templates.get_template(template).render(context)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def _current(request: Request) -> str:
    """The page to come back to after a language change: path and query of this page."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
