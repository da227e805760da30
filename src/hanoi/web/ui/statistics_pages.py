"""The statistics page (issue 19): the node's figures for a period, as charts drawn on the
server with their tables, for supervisors, auditors and administrators; and the same
figures as CSV. Thin: the filters are read by :mod:`~hanoi.web.ui.statistics_filters`, the
figures computed by the node's statistics service, and put in words by
:mod:`~hanoi.web.ui.statistics_view`.

Anyone else gets the UI's usual answer to a page they may not see (the 404 page), from the
service itself, which records the refusal for auditors, before any filter is read.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from hanoi.accounts.model import Action, User
from hanoi.convention import default_catalogue
from hanoi.errors import InvalidInput
from hanoi.i18n.catalogues import translations
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.messages import Message
from hanoi.statistics import ports
from hanoi.statistics.tabular import figures_csv
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.routes import csrf_guard
from hanoi.web.ui.site import PREFIX, SECURITY_HEADERS, UiSite, request_language
from hanoi.web.ui.statistics_filters import (
    UNKNOWN_KIND,
    UNKNOWN_STATE,
    Filters,
    kind_options,
    read_filters,
    state_options,
)
from hanoi.web.ui.statistics_view import statistics_view

PAGE = f"{PREFIX}/statistics"
CSV = f"{PREFIX}/statistics.csv"

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

Text = Annotated[str, Query(max_length=64)]


def _allowed(ui: UiSite, user: User, today: date) -> None:
    """Refused by the service (recorded for auditors) unless ``user`` may read statistics."""
    if not user.may(Action.READ_STATISTICS):
        ui.node.statistics.figures(user, ports.Query(today, today))
    require_action(user, Action.READ_STATISTICS)


def _filters(ui: UiSite, today: date, given: dict[str, str]) -> Filters:
    return read_filters(
        given, today=today, own_state=ui.node.identity.state, catalogue=default_catalogue()
    )


def _service_errors(exc: InvalidInput) -> dict[str, Message]:
    """The service's word on a kind or a State the form let through, by field; anything
    else is not the form's to show."""
    words = {"kind": UNKNOWN_KIND, "state": UNKNOWN_STATE}
    found = {f.path: words[f.path] for f in exc.fields if f.path in words}
    if not found:
        raise exc
    return found


@router.get("/statistics")
def statistics_page(
    request: Request,
    user: UiUser,
    ui: Site,
    period_from: Annotated[str, Query(alias="from", max_length=64)] = "",
    period_to: Annotated[str, Query(alias="to", max_length=64)] = "",
    kind: Text = "",
    state: Text = "",
) -> HTMLResponse:
    today = ui.node.clock.now().date()
    _allowed(ui, user, today)
    given = {"from": period_from, "to": period_to, "kind": kind, "state": state}
    filters = _filters(ui, today, given)
    language = request_language(request)
    fmt = LocaleFormat(language)
    errors = dict(filters.errors)
    view = None
    if filters.query is not None:
        try:
            figures = ui.node.statistics.figures(user, filters.query)
        except InvalidInput as exc:
            errors = _service_errors(exc)
        else:
            view = statistics_view(figures, fmt=fmt, gettext=translations(language).gettext)
    return ui.page(
        request,
        "statistics.html",
        user=user,
        status=422 if errors else 200,
        values=filters.values,
        errors=errors,
        kinds=kind_options(fmt, default_catalogue()),
        states=state_options(fmt, ui.node.identity.state),
        view=view,
        csv_url=filters.link(CSV) if view is not None else None,
    )


@router.get("/statistics.csv", response_model=None)
def statistics_csv(
    request: Request,
    user: UiUser,
    ui: Site,
    period_from: Annotated[str, Query(alias="from", max_length=64)] = "",
    period_to: Annotated[str, Query(alias="to", max_length=64)] = "",
    kind: Text = "",
    state: Text = "",
) -> Response:
    """The figures of the page's filters as CSV (:func:`hanoi.statistics.tabular.figures_csv`);
    filters the page would refuse give the page with its errors."""
    today = ui.node.clock.now().date()
    _allowed(ui, user, today)
    given = {"from": period_from, "to": period_to, "kind": kind, "state": state}
    filters = _filters(ui, today, given)
    if filters.query is None:
        return statistics_page(request, user, ui, period_from, period_to, kind, state)
    figures = ui.node.statistics.figures(user, filters.query)
    name = f"statistics-{figures.state}-{figures.period_from}-{figures.period_to}.csv"
    return Response(
        figures_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )
