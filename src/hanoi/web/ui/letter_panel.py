"""The letter section of a request's page (``_request_letter.html``): the form that issues
the signed PDF in one of the six languages, those the other State accepts first, and the
letters already issued, each downloadable again.

Values only: the routes are :mod:`hanoi.web.ui.letter_pages`; the rules are
:mod:`hanoi.letters` (which request, which language, who may issue). The requesting
State's case team sees its **letter of request** once the request is approved; the
requested State's case team sees its **answer by letter** once it has taken a step an
answer reports (:mod:`hanoi.letters.answer`), for a requesting State that runs no node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from starlette.requests import Request

from hanoi.accounts.model import Action, User
from hanoi.convention import Language
from hanoi.cooperation import CooperationRequest
from hanoi.cooperation.service import RequestView
from hanoi.cooperation.statuses import Side
from hanoi.i18n.catalogues import AUTONYMS, LANGUAGES
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import STATUS_LABELS
from hanoi.i18n.messages import N_, Message
from hanoi.letters.answer import answered_step
from hanoi.letters.issued import accepted_tags, may_issue
from hanoi.letters.languages import acceptable
from hanoi.letters.letter import NOT_YET, Purpose, approver, grouped
from hanoi.letters.records import IssuedLetter
from hanoi.web.ui.site import UiSite, request_language, request_url

FIELD_LIMITS = {"language": 8, "override_reason": 500}

LANGUAGE_MISSING = N_("Choose the language of the letter.")
LANGUAGE_NOT_ACCEPTED = N_(
    "%(state)s accepts requests in %(languages)s (Art. 40(14)). Choose one of these "
    "languages, or give a reason to issue the letter in another one."
)
STATE_NOT_LISTED = N_(
    "The directory this node holds does not say in which languages %(state)s accepts "
    "requests (Art. 40(14)). Give a reason to issue the letter all the same."
)
REASON_BAD = N_("Use at most 500 characters.")
NOT_ISSUABLE = N_(
    "No letter can be made of this request now: it must be approved, complete, and this "
    "State's own."
)
NOT_ISSUED = N_("The letter could not be issued.")
NOTHING_TO_ANSWER = N_(
    "There is nothing to answer yet: acknowledge the request, ask for additional "
    "information, consult, accept or refuse it first."
)
PROOF_NOT_READY = N_(
    "The custody proof is not ready yet: the witnesses of other States have not cosigned "
    "this node's log since the letter was issued. Try again in a minute."
)


@dataclass(frozen=True, slots=True)
class LanguageOption:
    code: str
    name: str
    """The language's own name (``Français``), as the language menu shows it."""
    accepted: bool


@dataclass(frozen=True, slots=True)
class LetterRow:
    language: str
    """The language's own name."""
    language_code: str
    at: datetime
    at_text: str
    code: str
    sha256: str
    officer: str
    override_reason: str | None
    url: str
    proof_url: str
    answers: Message | None = None
    """For an answer: the status the step it answers led to (``Refused``)."""


@dataclass(frozen=True, slots=True)
class LetterPanel:
    """What ``_request_letter.html`` shows."""

    purpose: Purpose
    """A letter of request (the requesting side) or an answer (the requested side)."""
    state: str
    """The code of the State the letter goes to: the requested State's for a letter of
    request, the requesting State's for an answer."""
    known: bool
    """Whether the directory this node holds says which languages the State accepts."""
    accepted_text: str
    """The languages it accepts, in the page's language (``Vietnamese and English``)."""
    accepted: tuple[LanguageOption, ...]
    others: tuple[LanguageOption, ...]
    rows: tuple[LetterRow, ...]
    action: str | None
    """Where the form posts; None for a user whose role does not issue letters."""
    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, Message] = field(default_factory=dict)
    problem: str | None = None
    """The service's own words (English), for a refusal the page has no sentence for."""
    answers: Message | None = None
    """For an answer: the status the step it answers led to (``Refused``)."""
    answers_on: str | None = None
    """For an answer: when that step was taken, in the page's language."""

    @property
    def override_open(self) -> bool:
        """Whether the reason field is open: needed, or sent already."""
        return (
            not self.known
            or "language" in self.errors
            or "override_reason" in self.errors
            or bool(self.values.get("override_reason"))
        )


def letter_url(request_id: str) -> str:
    return f"{request_url(request_id)}/letter"


def download_url(request_id: str, sha256: str) -> str:
    return f"{request_url(request_id)}/letters/{quote(sha256, safe='')}.pdf"


def proof_url(request_id: str, sha256: str) -> str:
    return f"{request_url(request_id)}/letters/{quote(sha256, safe='')}.proof.json"


def shows_letters(view: RequestView) -> bool:
    """Whether the page has a letter section: the requesting State's request, approved; or
    a request this State received, with a step to answer."""
    request = view.request
    if view.side is Side.REQUESTED:
        return answered_step(request) is not None
    return request.status not in NOT_YET and approver(request) is not None


def _answers(record: IssuedLetter, request: CooperationRequest) -> Message | None:
    if record.step_sequence is None or not 0 < record.step_sequence <= len(request.history):
        return None
    step = request.history[record.step_sequence - 1]
    return STATUS_LABELS[step.to_status] if step.transition.value == record.step else None


def may_issue_here(user: User, side: Side) -> bool:
    """Whether ``user``'s role issues this side's letter: one that drafts or decides writes
    a letter of request; one that decides, an answer."""
    return user.may(Action.DECIDE) if side is Side.REQUESTED else may_issue(user)


def _row(fmt: LocaleFormat, record: IssuedLetter, request: CooperationRequest) -> LetterRow:
    return LetterRow(
        language=AUTONYMS[record.language],
        language_code=record.language.value,
        at=record.issued_at,
        at_text=fmt.moment(record.issued_at),
        code=grouped(record.verification_code),
        sha256=record.sha256,
        officer=record.officer,
        override_reason=record.override_reason,
        url=download_url(record.request_id, record.sha256),
        proof_url=proof_url(record.request_id, record.sha256),
        answers=_answers(record, request) if record.purpose is Purpose.ANSWER else None,
    )


def letter_section(
    request: Request,
    ui: UiSite,
    user: User,
    view: RequestView,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, Message] | None = None,
    problem: str | None = None,
) -> dict[str, LetterPanel | None]:
    """The values of ``_request_letter.html`` for a request the user may see (``view``
    from ``node.cooperation.show``): ``{"letter_panel": LetterPanel or None}``."""
    shown_here = shows_letters(view)
    if not shown_here and not errors:  # a refusal shows even so: the page changed meanwhile
        return {"letter_panel": None}
    fmt = LocaleFormat(request_language(request))
    req = view.request
    answering = view.side is Side.REQUESTED
    state = req.requesting_state if answering else req.requested_state
    answered = answered_step(req) if answering else None
    tags = accepted_tags(ui.node, state)
    good = acceptable(tags or ())
    options = [
        LanguageOption(code=language.value, name=AUTONYMS[language], accepted=language in good)
        for language in (*good, *(lang for lang in LANGUAGES if lang not in good))
    ]
    default = good[0] if good else fmt.language
    shown = dict(values) if values is not None else {}
    shown.setdefault("language", default.value)
    shown.setdefault("override_reason", "")
    return {
        "letter_panel": LetterPanel(
            purpose=Purpose.ANSWER if answering else Purpose.REQUEST,
            state=state,
            known=bool(tags),
            accepted_text=fmt.join([fmt.language_name(tag) for tag in tags or ()]),
            accepted=tuple(o for o in options if o.accepted),
            others=tuple(o for o in options if not o.accepted),
            rows=tuple(_row(fmt, r, req) for r in ui.node.letters.for_request(req.id)),
            action=letter_url(req.id) if may_issue_here(user, view.side) and shown_here else None,
            values=shown,
            errors=errors or {},
            problem=problem,
            answers=STATUS_LABELS[answered.to_status] if answered is not None else None,
            answers_on=fmt.moment(answered.at) if answered is not None else None,
        )
    }


def parse_language(text: str) -> Language | None:
    try:
        return Language(text)
    except ValueError:
        return None
