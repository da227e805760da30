"""The officers' web UI: server-rendered pages under ``/ui`` in the six UN languages.

``install_ui(app, node)`` adds everything to the node's FastAPI app: the pages
(:mod:`hanoi.web.ui.routes`, and the request pages of
:mod:`hanoi.web.ui.requests_pages`), the static files, the Jinja2 environment, signed
cookie sessions with CSRF protection (:mod:`hanoi.web.ui.sessions`), and HTML
error pages (:mod:`hanoi.web.ui.errors`). See ``docs/ui.md``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hanoi.node.folder import load_keys
from hanoi.web.ui.alerts_pages import router as alerts_router
from hanoi.web.ui.directory_pages import router as directory_router
from hanoi.web.ui.document_pages import router as document_router
from hanoi.web.ui.errors import STATIC, install_error_pages
from hanoi.web.ui.evidence_pages import router as evidence_router
from hanoi.web.ui.home_page import router as home_router
from hanoi.web.ui.letter_pages import router as letter_router
from hanoi.web.ui.oidc_pages import identity_provider
from hanoi.web.ui.oidc_pages import router as oidc_router
from hanoi.web.ui.package_pages import router as package_router
from hanoi.web.ui.provider_order_pages import router as provider_order_router
from hanoi.web.ui.provider_pages import router as provider_router
from hanoi.web.ui.registration_pages import router as registration_router
from hanoi.web.ui.report_pages import router as report_router
from hanoi.web.ui.requests_pages import router as requests_router
from hanoi.web.ui.routes import router
from hanoi.web.ui.session_uploads import router as uploads_router
from hanoi.web.ui.sessions import UiSessionMiddleware, session_secret
from hanoi.web.ui.site import PREFIX, UiSite, make_environment
from hanoi.web.ui.statistics_pages import router as statistics_router
from hanoi.wiring import Node

STATIC_DIR = Path(__file__).parent / "static"

__all__ = ["PREFIX", "install_ui"]


def install_ui(app: FastAPI, node: Node) -> None:
    """Mount the UI on ``app``; call once, after the API routers are included."""
    app.state.ui = UiSite(node=node, templates=make_environment(), oidc=identity_provider(node))
    app.include_router(router)
    app.include_router(oidc_router)
    for pages in (
        home_router,
        requests_router,
        registration_router,
        document_router,
        evidence_router,
        uploads_router,
        package_router,
        report_router,
        letter_router,
        directory_router,
        alerts_router,
        statistics_router,
        provider_router,
        provider_order_router,
    ):
        app.include_router(pages)
    app.mount(STATIC, StaticFiles(directory=STATIC_DIR), name="ui-static")
    secret = session_secret(load_keys(node.settings).signing)
    app.add_middleware(UiSessionMiddleware, secret_key=secret, prefix=PREFIX)
    install_error_pages(app)
