"""The court report of a request as a PDF download: ``GET /ui/requests/{id}/report.pdf``.

Thin, like the other pages: the report is gathered by :mod:`hanoi.reports.gather`
through the cooperation service's case checks (a request the user may not see
answers the same 404 as a missing one), verified again and rendered in the page's
language by :mod:`hanoi.reports.render`. The route is a plain ``def``: FastAPI runs it
in a worker thread, so verifying and rendering never block the event loop.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Request, Response

from hanoi.accounts.model import Action
from hanoi.node.folder import load_keys
from hanoi.reports import gather, render  # modules: hanoi.reports.view imports this package
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.routes import csrf_guard
from hanoi.web.ui.site import PREFIX, SECURITY_HEADERS, request_language

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

MAX_ID = 128
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def report_filename(request_id: str) -> str:
    """``hanoi-report-<id>.pdf``; a character other than ``A-Za-z0-9._-`` becomes ``_``."""
    return f"hanoi-report-{_UNSAFE.sub('_', request_id)}.pdf"


@router.get("/requests/{request_id}/report.pdf")
def court_report_pdf(request_id: str, request: Request, user: UiUser, ui: Site) -> Response:
    require_action(user, Action.READ)
    node = ui.node
    report = gather.court_report(
        node, user, request_id[:MAX_ID], identities=[load_keys(node.settings).age]
    )
    pdf = render.render_pdf(report, request_language(request), catalogue=node.cooperation.catalogue)
    disposition = f'attachment; filename="{report_filename(report.request.id)}"'
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={**SECURITY_HEADERS, "Content-Disposition": disposition},
    )
