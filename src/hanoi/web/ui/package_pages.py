"""One evidence package's page: direction, other State, request, status, size and
SHA-256, its files, what verification found when the package arrived (kept with it,
migration 0009; ADR 0015), the conditions that travel with it, and for a package sent,
what the requesting State's signed outcome said of it (ADR 0023). Thin: the
transfer service (``node.transfers.package``) decides who may see it. Checks, things
not checked, signers and conditions are shown in the page's language
(:mod:`hanoi.web.ui.package_checks`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from hanoi.accounts.model import Action
from hanoi.custody.events import CustodyAction
from hanoi.errors import InvalidInput
from hanoi.federation.package_reports import KeptReport
from hanoi.federation.ports import PENDING_INCOMING, Direction, PackageRow, PeerOutcome
from hanoi.federation.sending import Awaiting
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import CUSTODY_LABELS
from hanoi.i18n.messages import N_, Message
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.package_acquisitions import acquisition_values
from hanoi.web.ui.package_checks import PackageWords
from hanoi.web.ui.routes import csrf_guard
from hanoi.web.ui.site import PREFIX, request_language, request_url

PACKAGES = f"{PREFIX}/packages"
SHOWN_ROWS = 500
"""Checks, custody steps and files shown on a package page; the rest are counted."""

DIRECTION_LABELS: dict[str, Message] = {
    "outgoing": N_("This State sent it"),
    "incoming": N_("This State received it"),
}
PACKAGE_STATUS_LABELS: dict[str, Message] = {
    "packing": N_("Being packed"),
    "awaiting-witnesses": N_("Waiting for witnesses"),
    "offered": N_("Offered"),
    "fetching": N_("Downloading"),
    "accepted": N_("Verified and accepted"),
    "refused": N_("Not accepted"),
    "expired": N_("Not delivered"),
}
VERDICT_LABELS: dict[str, Message] = {
    "verified": N_(
        "Verified: the bag, the signature, the custody proofs and every file were checked "
        "before the package was accepted."
    ),
    "not-verified": N_("Not verified. These checks held before the one that failed:"),
    "sent": N_(
        "Signed and encrypted by this node for the requesting State, which verifies it in "
        "full before accepting it."
    ),
}
NOT_VERIFIED_YET = N_("The package has not been verified yet.")
OUTCOME_LABELS: dict[str, Message] = {
    "accepted": N_("The requesting State verified the package in full and accepted it."),
    "refused": N_("The requesting State refused the package. Nothing from it was recorded there."),
    "expired": N_(
        "The requesting State gave the package up: this node did not serve it before the "
        "offer expired."
    ),
}
"""What the receiving State's signed outcome says of an outgoing package (ADR 0023)."""
NO_REPORT = N_("No verification report was kept for this package.")


router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])


def package_url(package_id: str) -> str:
    return f"{PACKAGES}/{quote(package_id, safe='')}"


def _limited(rows: Sequence[Any]) -> tuple[tuple[Any, ...], int]:
    return tuple(rows[:SHOWN_ROWS]), max(0, len(rows) - SHOWN_ROWS)


def _kept(text: str | None) -> KeptReport | None:
    """A kept report, or None (none kept, or unreadable: never a 500)."""
    if text is None:
        return None
    try:
        return KeptReport.from_json(text)
    except InvalidInput:
        return None


def _conditions(words: PackageWords, report: KeptReport, request_id: str) -> list[Any]:
    if report.terms:
        return list(words.terms(report.terms, request_id=request_id))
    return list(words.legacy(report.conditions))


def _report_values(fmt: LocaleFormat, row: PackageRow) -> dict[str, Any]:
    report = _kept(row.report)
    if report is None:
        pending = row.status in PENDING_INCOMING and row.direction == Direction.INCOMING
        return {"report": None, "no_report": NOT_VERIFIED_YET if pending else NO_REPORT}
    words = PackageWords(fmt)
    checks, more_checks = _limited([words.check(c.area, c.detail) for c in report.checks])
    steps, more_steps = _limited(
        [
            {
                "action": _custody_label(s.action),
                "time": s.time,
                "time_text": fmt.moment(s.time),
                "officer": s.officer,
                "node": s.node,
                "article": s.article,
                "entry": f"{s.log_origin} #{s.index}",
                "witnesses": s.witnesses,
            }
            for s in report.custody
        ]
    )
    files, more_files = _limited(
        [{"name": f.name, "size_text": fmt.bytes(f.size), "sha256": f.sha256} for f in report.files]
    )
    return {
        "report": report,
        "verdict": VERDICT_LABELS.get(report.verdict, Message(report.verdict)),
        "checks": checks,
        "more_checks": more_checks,
        "unchecked": [words.unchecked(text) for text in report.unchecked[:SHOWN_ROWS]],
        "signer": words.signer(report.signer) if report.signer else None,
        "steps": steps,
        "more_steps": more_steps,
        "files": files,
        "more_files": more_files,
        "conditions": _conditions(words, report, row.request_id),
    }


def _outcome_values(fmt: LocaleFormat, outcome: PeerOutcome | None) -> dict[str, Any]:
    """The receiving State's outcome of an outgoing package, with the checks that held
    there (its own report, as it sent it); ``{"outcome": None}`` until it arrives."""
    if outcome is None:
        return {"outcome": None}
    report = _kept(outcome.report)
    words = PackageWords(fmt)
    checks, more = _limited(
        [words.check(c.area, c.detail) for c in report.checks] if report is not None else []
    )
    return {
        "outcome": {
            "label": OUTCOME_LABELS.get(outcome.status, Message(outcome.status)),
            "time": outcome.at,
            "time_text": fmt.moment(outcome.at),
            "reason": outcome.reason,
            "checks": checks,
            "more_checks": more,
            "unchecked": [words.unchecked(t) for t in report.unchecked[:SHOWN_ROWS]]
            if report is not None
            else [],
        }
    }


def _waiting_values(fmt: LocaleFormat, waiting: Awaiting | None) -> dict[str, Any] | None:
    """What a package not sent yet waits for: the cosignatures its custody proofs need,
    from the witnesses of which States, who cosigned so far, since when, the attempts."""
    if waiting is None:
        return None

    def states(codes: Sequence[str]) -> str:
        return ", ".join(f"{fmt.territory(code)} ({code})" for code in codes)

    return {
        "required": waiting.required,
        "states": states(waiting.states),
        "cosigned": states(waiting.cosigned),
        "since": waiting.since,
        "since_text": fmt.moment(waiting.since),
        "attempts": waiting.attempts,
        "next_text": fmt.moment(waiting.next_attempt_at) if waiting.next_attempt_at else "",
    }


def _custody_label(value: str) -> Message:
    try:
        return CUSTODY_LABELS.get(CustodyAction(value), Message(value))
    except ValueError:
        return Message(value)


@router.get("/packages/{package_id}")
def package_page(package_id: str, request: Request, user: UiUser, ui: Site) -> HTMLResponse:
    require_action(user, Action.READ)
    received = ui.node.transfers.package(user, package_id[:64])
    row = received.package
    outcomes = ui.node.transfers.outcomes
    outcome = (
        outcomes.peer_outcomes([row.id]).get(row.id)
        if row.direction == Direction.OUTGOING
        else None
    )
    fmt = LocaleFormat(request_language(request))
    return ui.page(
        request,
        "package.html",
        user=user,
        package=row,
        request_page=request_url(row.request_id),
        direction=DIRECTION_LABELS.get(row.direction, Message(row.direction)),
        status_label=PACKAGE_STATUS_LABELS.get(row.status, Message(row.status)),
        size_text=fmt.bytes(row.size),
        received_text=fmt.bytes(row.received),
        next_attempt_text=fmt.moment(row.next_attempt_at) if row.next_attempt_at else "",
        recorded=len(received.items),
        waiting=_waiting_values(fmt, ui.node.transfers.awaiting(row)),
        **_report_values(fmt, row),
        **_outcome_values(fmt, outcome),
        **acquisition_values(ui.node, user, row, fmt),
    )
