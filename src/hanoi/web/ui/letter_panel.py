"""The letter of request of a request as its page shows it (``_request_letter.html``): the
form that issues the signed PDF in one of the six languages, those the requested State
accepts first, and the letters already issued, each downloadable again.

Values only: the routes are :mod:`hanoi.web.ui.letter_pages`; the rules are
:mod:`hanoi.letters` (which request, which language, who may issue). Shown only to the
requesting State's case team, once the request is approved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from starlette.requests import Request

from hanoi.accounts.model import User
from hanoi.convention import Language
from hanoi.cooperation.service import RequestView
from hanoi.cooperation.statuses import Side
from hanoi.letters.issued import accepted_tags, may_issue
from hanoi.letters.languages import acceptable
from hanoi.letters.letter import NOT_YET, approver, grouped
from hanoi.letters.records import IssuedLetter
from hanoi.web.ui import cases
from hanoi.web.ui.i18n import AUTONYMS, LANGUAGES, N_, LocaleFormat, Message
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


@dataclass(frozen=True, slots=True)
class LetterPanel:
    """What ``_request_letter.html`` shows."""

    state: str
    """The requested State's code."""
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


def shows_letters(view: RequestView) -> bool:
    """Whether the page has a letter section: the requesting State's request, approved."""
    request = view.request
    return (
        view.side is Side.REQUESTING
        and request.status not in NOT_YET
        and approver(request) is not None
    )


def _row(fmt: LocaleFormat, record: IssuedLetter) -> LetterRow:
    return LetterRow(
        language=AUTONYMS[record.language],
        language_code=record.language.value,
        at=record.issued_at,
        at_text=cases.moment(fmt, record.issued_at),
        code=grouped(record.verification_code),
        sha256=record.sha256,
        officer=record.officer,
        override_reason=record.override_reason,
        url=download_url(record.request_id, record.sha256),
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
    state = req.requested_state
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
            state=state,
            known=bool(tags),
            accepted_text=fmt.join([fmt.language_name(tag) for tag in tags or ()]),
            accepted=tuple(o for o in options if o.accepted),
            others=tuple(o for o in options if not o.accepted),
            rows=tuple(_row(fmt, r) for r in ui.node.letters.for_request(req.id)),
            action=letter_url(req.id) if may_issue(user) and shown_here else None,
            values=shown,
            errors=errors or {},
            problem=problem,
        )
    }


def parse_language(text: str) -> Language | None:
    try:
        return Language(text)
    except ValueError:
        return None
