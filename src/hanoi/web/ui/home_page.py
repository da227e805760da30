"""The home page: who is signed in, and their work queues (:mod:`hanoi.queues`) in the
reader's words: a heading and a count per queue, its first items as links, and a link
to the whole list."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from hanoi.cooperation import DueRule, Status
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import DUE_RULE_LABELS, STATUS_LABELS
from hanoi.i18n.messages import N_, Message
from hanoi.queues import Queue, QueueItem, QueueKind, queues
from hanoi.web.ui.auth import Site, UiUser
from hanoi.web.ui.deadlines import alert_count, due_text
from hanoi.web.ui.package_pages import PACKAGE_STATUS_LABELS, package_url
from hanoi.web.ui.routes import ROLE_LABELS, csrf_guard
from hanoi.web.ui.site import PREFIX, request_language, request_url

SHOWN = 5
"""Items listed per queue on the home page; the rest are behind its "see all" link."""

TITLES: dict[QueueKind, Message] = {
    QueueKind.DRAFTS_AWAITING_APPROVAL: N_("Drafts awaiting your approval"),
    QueueKind.DRAFTS_RETURNED: N_("Drafts returned to you"),
    QueueKind.REQUESTS_TO_ACKNOWLEDGE: N_("Requests received, not yet acknowledged"),
    QueueKind.DEADLINES: N_("Deadlines and preservation periods ending within 7 days"),
    QueueKind.PACKAGES: N_("Evidence packages awaiting witnesses, or refused"),
    QueueKind.ALERTS: N_("Alerts"),
}
LINKS: dict[QueueKind, str] = {
    QueueKind.DRAFTS_AWAITING_APPROVAL: f"{PREFIX}/requests?side=requesting&status=submitted",
    QueueKind.DRAFTS_RETURNED: f"{PREFIX}/requests?side=requesting&status=draft",
    QueueKind.REQUESTS_TO_ACKNOWLEDGE: f"{PREFIX}/requests?side=requested&status=received",
    QueueKind.DEADLINES: f"{PREFIX}/deadlines",
    QueueKind.ALERTS: f"{PREFIX}/alerts",
}
SPLIT_VIEW = N_("Split view of a custody log")


@dataclass(frozen=True, slots=True)
class Line:
    url: str | None
    code: str
    what: Message | None
    other_state: str | None
    when: str


@dataclass(frozen=True, slots=True)
class Panel:
    kind: str
    title: Message
    count: int
    link: str | None
    lines: tuple[Line, ...]


def _what(item: QueueItem) -> Message | None:
    if item.package_id is not None:
        return PACKAGE_STATUS_LABELS.get(item.status, Message(item.status))
    if item.rule is not None:
        return DUE_RULE_LABELS.get(DueRule(item.rule)) if item.rule in KNOWN_RULES else None
    if item.request_id is None:
        return SPLIT_VIEW
    return STATUS_LABELS.get(Status(item.status)) if item.status in KNOWN_STATUSES else None


KNOWN_RULES = frozenset(rule.value for rule in DueRule)
KNOWN_STATUSES = frozenset(status.value for status in Status)


def _when(fmt: LocaleFormat, item: QueueItem) -> str:
    if item.at is None:
        return ""
    return due_text(fmt, item.rule or "", item.at)


def _line(fmt: LocaleFormat, item: QueueItem) -> Line:
    url = (
        package_url(item.package_id)
        if item.package_id
        else (request_url(item.request_id) if item.request_id else None)
    )
    return Line(
        url=url,
        code=(item.package_id or item.request_id or item.other_state or "")[:40],
        what=_what(item),
        other_state=item.other_state,
        when=_when(fmt, item),
    )


def panels(fmt: LocaleFormat, queues: list[Queue]) -> list[Panel]:
    return [
        Panel(
            kind=q.kind.value,
            title=TITLES[q.kind],
            count=q.count,
            link=LINKS.get(q.kind),
            lines=tuple(_line(fmt, item) for item in q.items[:SHOWN]),
        )
        for q in queues
    ]


# --- the home page ------------------------------------------------------------------------

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])


@router.get("/")
def home(request: Request, user: UiUser, ui: Site) -> HTMLResponse:
    """Who is signed in, what waits for them (their queues), and the pages."""
    fmt = LocaleFormat(request_language(request))
    return ui.page(
        request,
        "home.html",
        user=user,
        role=ROLE_LABELS[user.role],
        alert_count=alert_count(ui.node, user),
        queues=panels(fmt, queues(ui.node, user)),
    )
