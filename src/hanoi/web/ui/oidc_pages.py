"""The two pages of a sign-in through the State's identity provider (ADR 0049).

``GET /ui/login/oidc`` begins it (state, nonce and PKCE verifier into the session cookie,
then off to the provider); ``GET /ui/login/oidc/callback`` ends it: the claims checked
(``hanoi.web.ui.oidc``), read (``hanoi.accounts.external``), the user found or created
(``AccountService.authenticate_external``), and the node's ordinary UI session started,
so that sign-out, "sign out everywhere" and the session limits work as for a password.
Whatever goes wrong is the login page with a plain message, never a 500.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hanoi.accounts.external import AmbiguousRole, NoRole, identity_of
from hanoi.errors import HanoiError, NotFound
from hanoi.i18n.messages import N_, Message
from hanoi.web.ui.auth import Site, log_in, safe_next, session_user
from hanoi.web.ui.oidc import OidcSignIn, Pending, ProviderRefused, ProviderUnusable, SignInFailed
from hanoi.web.ui.routes import login_page
from hanoi.web.ui.site import PREFIX, UiSite
from hanoi.wiring import Node

log = logging.getLogger("hanoi.web.oidc")

PENDING_KEY = "oidc"  # the sign-in begun in this browser, in its signed session cookie
MAX_ANSWER_VALUE = 4096

PROVIDER_UNAVAILABLE = N_(
    "The identity provider cannot be reached. Try again later, or tell your administrator."
)
PROVIDER_DENIED = N_("The identity provider did not sign you in. You can try again.")
SIGN_IN_FAILED = N_(
    "The sign-in through the identity provider did not succeed. Start it again from this page."
)
NO_ROLE = N_(
    "The identity provider gives you no role on this node. Ask your administrator for one."
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def identity_provider(node: Node) -> OidcSignIn | None:
    """The node's OIDC client, if ``[oidc]`` is configured; its secret is read now, once."""
    settings = node.settings.oidc
    if settings is None:
        return None
    return OidcSignIn(
        settings=settings, client_secret=settings.client_secret(node.settings.node_dir)
    )


def _provider(ui: UiSite) -> OidcSignIn:
    if ui.oidc is None:
        raise NotFound("no such page")
    return ui.oidc


def _redirect_uri(request: Request, oidc: OidcSignIn) -> str:
    return oidc.redirect_uri or str(request.url_for("oidc_callback"))


def _refused(request: Request, ui: UiSite, problem: Message, status: int) -> HTMLResponse:
    return login_page(request, ui, name="", next_page="", problem=problem, status=status)


@router.get("/login/oidc", response_model=None)
def oidc_begin(
    request: Request, ui: Site, next_page: Annotated[str, Query(alias="next")] = ""
) -> Response:
    oidc = _provider(ui)
    if session_user(request) is not None:
        return RedirectResponse(safe_next(next_page), status_code=303)
    try:
        url, pending = oidc.begin(
            redirect_uri=_redirect_uri(request, oidc), next_page=safe_next(next_page[:2000])
        )
    except SignInFailed as exc:
        log.warning("could not begin a sign-in through %s: %s", oidc.issuer, exc.detail)
        return _refused(request, ui, PROVIDER_UNAVAILABLE, 502)
    request.session[PENDING_KEY] = pending.to_session()
    return RedirectResponse(url, status_code=303)


@router.get("/login/oidc/callback", name="oidc_callback", response_model=None)
def oidc_callback(request: Request, ui: Site) -> Response:
    oidc = _provider(ui)
    pending = Pending.from_session(request.session.pop(PENDING_KEY, None))  # used once
    answer = {k: v[:MAX_ANSWER_VALUE] for k, v in request.query_params.items()}
    try:
        claims = oidc.finish(
            pending=pending, answer=answer, redirect_uri=_redirect_uri(request, oidc)
        )
        identity = identity_of(claims, issuer=oidc.issuer, mapping=oidc.mapping)
        user = ui.node.accounts.authenticate_external(identity)
    except (NoRole, AmbiguousRole) as exc:
        log.warning("refused a sign-in through %s: %s", oidc.issuer, exc.detail)
        return _refused(request, ui, NO_ROLE, 403)
    except ProviderUnusable as exc:
        log.warning("sign-in through %s failed: %s", oidc.issuer, exc.detail)
        return _refused(request, ui, PROVIDER_UNAVAILABLE, 502)
    except ProviderRefused as exc:
        log.warning("sign-in through %s refused: %s", oidc.issuer, exc.detail)
        denied = answer.get("error") == "access_denied"
        return _refused(request, ui, PROVIDER_DENIED if denied else SIGN_IN_FAILED, 403)
    except HanoiError as exc:  # PermissionDenied above all: a disabled user, a name taken
        log.warning("refused a sign-in through %s: %s", oidc.issuer, exc.detail)
        return _refused(request, ui, SIGN_IN_FAILED, 403)
    assert pending is not None  # finish refuses without it
    log.info("user %r signed in through %s", user.name, oidc.issuer)
    log_in(request, user)
    return RedirectResponse(safe_next(pending.next_page), status_code=303)
