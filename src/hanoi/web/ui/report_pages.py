"""The court report of a request as a PDF download (``GET /ui/requests/{id}/report.pdf``),
and the page that says whether a PDF is one this node issued (``GET /ui/reports/check``).

Thin, like the other pages: the report is gathered by :mod:`hanoi.reports.gather`
through the cooperation service's case checks (a request the user may not see
answers the same 404 as a missing one), verified again and rendered in the page's
language by :mod:`hanoi.reports.render`, certified by the signed-in user. Handing it over
is logged first (:mod:`hanoi.reports.issued`): a ``report-issued`` custody event with the
SHA-256 of exactly the bytes sent, which the response also gives in ``Repr-Digest``
(RFC 9530). The routes are plain ``def``: FastAPI runs them in a worker thread, so
verifying and rendering never block the event loop.

Making a report takes seconds. The request page's script (``static/report.js``) asks for
it with ``?ready=<token>`` and says "Preparing the report…" until the response sets the
cookie ``hanoi_report_ready=<token>`` (readable by the script, two minutes, no secret in
it); without the script the link is a plain download.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from hanoi.accounts.model import Action
from hanoi.errors import InvalidInput
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.messages import N_
from hanoi.node.folder import load_keys
from hanoi.reports import gather, issued, render  # modules: hanoi.reports.view imports this one
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.routes import csrf_guard
from hanoi.web.ui.sessions import is_loopback_http
from hanoi.web.ui.site import PREFIX, SECURITY_HEADERS, request_language, request_url

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

MAX_ID = 128
CHECK_URL = f"{PREFIX}/reports/check"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
NOT_A_DIGEST = N_("Enter the SHA-256 digest of the PDF: 64 hexadecimal digits.")
READY_COOKIE = "hanoi_report_ready"
READY_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")
READY_SECONDS = 120

REPORT_PREPARING = N_(
    "Preparing the report… Every evidence package is verified again: this can take a minute."
)
REPORT_READY = N_("The report is ready: your browser has downloaded it.")
REPORT_SLOW = N_("The report is taking longer than usual. If no download has started, try again.")
"""What the request page's report link says while the report is made (``static/report.js``
reads them from ``#report-status``'s ``data-preparing``, ``data-ready``, ``data-slow``)."""


def report_filename(request_id: str) -> str:
    """``hanoi-report-<id>.pdf``; a character other than ``A-Za-z0-9._-`` becomes ``_``."""
    return f"hanoi-report-{_UNSAFE.sub('_', request_id)}.pdf"


def repr_digest(sha256: str) -> str:
    """The ``Repr-Digest`` field (RFC 9530) of bytes with this SHA-256 (hex)."""
    return f"sha-256=:{base64.b64encode(bytes.fromhex(sha256)).decode()}:"


@router.get("/requests/{request_id}/report.pdf")
def court_report_pdf(
    request_id: str,
    request: Request,
    user: UiUser,
    ui: Site,
    ready: str = Query(default="", max_length=64),
) -> Response:
    """The PDF; with ``ready``, also the cookie that tells the page's script it is done."""
    require_action(user, Action.READ)
    node = ui.node
    report = gather.court_report(
        node, user, request_id[:MAX_ID], identities=load_keys(node.settings).age_identities
    )
    pdf = render.render_pdf(report, request_language(request), catalogue=node.cooperation.catalogue)
    done = issued.record_issued(
        node, user, request_id=report.request.id, pdf=pdf, verdict=report.verdict.value
    )
    disposition = f'attachment; filename="{report_filename(report.request.id)}"'
    response = Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": disposition,
            "Repr-Digest": repr_digest(done.sha256),
        },
    )
    if READY_TOKEN.fullmatch(ready):
        _say_ready(request, response, ready)
    return response


def _say_ready(request: Request, response: Response, token: str) -> None:
    """The cookie ``report.js`` waits for: the token it chose, nothing else."""
    response.set_cookie(
        READY_COOKIE,
        token,
        max_age=READY_SECONDS,
        path=PREFIX,
        secure=not is_loopback_http(request.scope),
        httponly=False,  # the page's script reads it
        samesite="strict",
    )


@router.get("/reports/check")
def check_report(request: Request, user: UiUser, ui: Site, sha256: str = "") -> HTMLResponse:
    """Which reports of the user's cases this node issued with this SHA-256 (none for a PDF
    it did not issue, or one altered since)."""
    require_action(user, Action.READ)
    values: dict[str, Any] = {"sha256": sha256[:100], "error": None, "found": None}
    if sha256.strip():
        try:
            digest = issued.check_digest(sha256[:100])
        except InvalidInput:
            values["error"] = NOT_A_DIGEST
        else:
            fmt = LocaleFormat(request_language(request))
            values["sha256"] = digest
            values["found"] = [
                {
                    "entry": found,
                    "time_text": fmt.moment(found.time),
                    "request_page": request_url(found.request_id),
                    "citation": fmt.citation(found.event.article),
                }
                for found in issued.issued_reports(ui.node, user, digest)
            ]
    status = 422 if values["error"] else 200
    return ui.page(request, "report_check.html", user=user, status=status, **values)
