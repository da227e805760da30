"""The alerts page: what needs attention now, in one place.

Three sections, each from a service and under the same access check as the API
(``Action.READ``): deadlines overdue or due soon in the user's cases
(``node.cooperation.overdue``, as ``GET /api/v1/deadlines``), the deadline alerts the
background job raised in those cases (``node.cooperation.alerts``, as
``GET /api/v1/deadline-alerts``), and the split views and other misbehaviour of custody
logs this node's witness detected (``node.witness.alerts()``, as ``GET /api/v1/alerts``).
Each row says when, what, which request or log, and the article the rule comes from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from hanoi.accounts.model import Action, User
from hanoi.cooperation.deadlines import DueState
from hanoi.cooperation.ports import DeadlineAlert
from hanoi.errors import Unavailable
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import DUE_RULE_LABELS, DUE_STATE_LABELS, SIDE_LABELS
from hanoi.i18n.messages import N_, Message
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.deadlines import due_rows, due_text
from hanoi.web.ui.routes import csrf_guard
from hanoi.web.ui.site import PREFIX, UiSite, request_language, request_url

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

RAISED_SHOWN = 100

MISBEHAVIOUR_LABELS: dict[str, Message] = {
    "split-view": N_("Split view: the log signed two different histories"),
}


@dataclass(frozen=True, slots=True)
class LogAlert:
    """Misbehaviour of a custody log, detected by this node's witness."""

    at: datetime | None
    at_text: str
    what: Message | None
    kind: str
    origin: str
    state: str | None
    detail: str


def _raised(fmt: LocaleFormat, alerts: Sequence[DeadlineAlert]) -> list[dict[str, object]]:
    """The deadline alerts raised, as stored (texts): labelled where this version knows them."""
    rules = {rule.value: label for rule, label in DUE_RULE_LABELS.items()}
    states = {state.value: label for state, label in DUE_STATE_LABELS.items()}
    sides = {side.value: label for side, label in SIDE_LABELS.items()}
    return [
        {
            "id": a.request_id,
            "url": request_url(a.request_id),
            "rule": rules.get(a.rule),
            "rule_key": a.rule,
            "state_label": states.get(a.state),
            "overdue": a.state == DueState.OVERDUE.value,
            "raised_at": a.raised_at,
            "raised_text": fmt.moment(a.raised_at),
            "due_at": a.due_at,
            "due_text": due_text(fmt, a.rule, a.due_at),
            "side": sides.get(a.side),
            "article": fmt.citation(a.article),
        }
        for a in alerts
    ]


def _moment(fmt: LocaleFormat, text: object) -> tuple[datetime | None, str]:
    try:
        at = datetime.fromisoformat(str(text))
    except ValueError:
        return None, str(text)
    return at, fmt.moment(at)


def _log_states(ui: UiSite) -> dict[str, str]:
    """Which State keeps each custody log: this node's, and the others' from the directory,
    under their origins before a log key rotation too."""
    node = ui.node
    owners = dict.fromkeys(node.identity.log_origins, node.identity.state)
    try:
        held = node.federation.directory.current()
    except Unavailable:
        return owners
    for signed in held.directory.states:
        entry = signed.entry
        origins = (entry.log_origin, *(f.log_origin for f in entry.former_logs))
        owners.update(dict.fromkeys(origins, entry.state))
    return owners


def _log_alerts(
    fmt: LocaleFormat, alerts: Sequence[Mapping[str, object]], owners: Mapping[str, str]
) -> list[LogAlert]:
    rows = []
    for alert in reversed(alerts):  # newest first
        at, at_text = _moment(fmt, alert.get("detected_at"))
        kind, origin = str(alert.get("kind", "")), str(alert.get("origin", ""))
        rows.append(
            LogAlert(
                at=at,
                at_text=at_text,
                what=MISBEHAVIOUR_LABELS.get(kind),
                kind=kind,
                origin=origin,
                state=owners.get(origin),
                detail=str(alert.get("detail", "")),
            )
        )
    return rows


def _alerts_page(request: Request, ui: UiSite, user: User) -> HTMLResponse:
    fmt = LocaleFormat(request_language(request))
    service = ui.node.cooperation
    due = due_rows(fmt, service.catalogue, service.overdue(user), request_url)
    raised = _raised(fmt, service.alerts(user, limit=RAISED_SHOWN))
    logs = _log_alerts(fmt, ui.node.witness.alerts(), _log_states(ui))
    return ui.page(
        request,
        "alerts.html",
        user=user,
        due=due,
        raised=raised,
        logs=logs,
        count=len(due) + len(logs),
    )


@router.get("/alerts")
def alerts_page(request: Request, user: UiUser, ui: Site) -> HTMLResponse:
    require_action(user, Action.READ)
    return _alerts_page(request, ui, user)
