"""The UI's shared state: the node, the Jinja2 environment, and rendering one page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.support import Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from hanoi import __version__
from hanoi.accounts.model import User
from hanoi.convention import Language
from hanoi.web.ui.flash import take_flashes
from hanoi.web.ui.i18n import (
    AUTONYMS,
    LANGUAGES,
    LocaleFormat,
    negotiate,
    parse_language,
    translations,
)
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


@pass_context
def _gettext(context: Context, message: str) -> str:
    catalogue: Translations = context["translations"]
    return catalogue.gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    catalogue: Translations = context["translations"]
    return catalogue.ngettext(singular, plural, count)


def isolate(value: object) -> Markup:
    """``value`` in a ``<bdi>``: a code, an id, a digest or a Latin name inside a sentence of
    another direction keeps its own order and leaves the sentence's alone (``|bdi`` in
    templates, also inside ``{% trans %}`` values, which are escaped otherwise)."""
    return Markup("<bdi>{}</bdi>").format(value)


def make_environment() -> Environment:
    """Autoescaping, strict undefined names, ``jinja2.ext.i18n`` with new-style gettext."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.filters["bdi"] = isolate
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    return environment


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
