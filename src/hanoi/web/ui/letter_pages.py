"""Letters in the officers' UI: issue the signed PDF this side writes (``POST
/ui/requests/{id}/letter``, the response is the PDF: the letter of request on the
requesting side, the answer on the requested side) and download a letter issued before
(``GET /ui/requests/{id}/letters/{sha256}.pdf``).

Thin, like the other pages: the case, the role, the request's status, its completeness,
the step answered and the language are :mod:`hanoi.letters.issued`'s; a request the user
may not see answers the same 404 as one that does not exist. A refusal (a language the
other State does not accept, a request not yet approved, nothing to answer yet) comes
back on the request page, beside the field, with status 422. The letter is recorded and
its ``letter-issued`` custody event queued before the bytes leave; the response gives
their SHA-256 in ``Repr-Digest``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hanoi.accounts.model import Action
from hanoi.custody.service import QuorumNotReached
from hanoi.errors import HanoiError, InvalidInput, NotFound
from hanoi.i18n.messages import Message
from hanoi.letters import issued
from hanoi.letters.answer import NothingToAnswer
from hanoi.letters.languages import LanguageNotAccepted
from hanoi.letters.letter import NotIssuable, Purpose
from hanoi.letters.proof import MEDIA_TYPE as PROOF_MEDIA_TYPE
from hanoi.letters.records import IssuedLetter
from hanoi.web.ui import forms
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.flash import flash
from hanoi.web.ui.letter_panel import (
    FIELD_LIMITS,
    LANGUAGE_MISSING,
    LANGUAGE_NOT_ACCEPTED,
    NOT_ISSUABLE,
    NOT_ISSUED,
    NOTHING_TO_ANSWER,
    PROOF_NOT_READY,
    REASON_BAD,
    STATE_NOT_LISTED,
    letter_section,
    may_issue_here,
    parse_language,
)
from hanoi.web.ui.report_pages import repr_digest
from hanoi.web.ui.requests_pages import request_page
from hanoi.web.ui.routes import csrf_guard
from hanoi.web.ui.site import PREFIX, SECURITY_HEADERS, request_url

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

MAX_ID = 128
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def letter_filename(record: IssuedLetter) -> str:
    """``letter-<id>-<language>.pdf``, for an answer ``answer-<id>-<step>-<language>.pdf``;
    a character other than ``A-Za-z0-9._-`` becomes ``_``."""
    request_id = _UNSAFE.sub("_", record.request_id)
    if record.purpose is Purpose.ANSWER:
        step = _UNSAFE.sub("_", record.step or "step")
        return f"answer-{request_id}-{step}-{record.language.value}.pdf"
    return f"letter-{request_id}-{record.language.value}.pdf"


def proof_filename(record: IssuedLetter) -> str:
    """The letter's file name with ``.proof.json`` for ``.pdf``."""
    return letter_filename(record).removesuffix(".pdf") + ".proof.json"


def _pdf(record: IssuedLetter, pdf: bytes) -> Response:
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="{letter_filename(record)}"',
            "Repr-Digest": repr_digest(record.sha256),
        },
    )


def _read(form: Mapping[str, Sequence[str]], errors: dict[str, Message]) -> dict[str, str]:
    values = {}
    for name, limit in FIELD_LIMITS.items():
        value = forms.first(form, name, limit + 1).strip()
        if name == "override_reason" and len(value) > limit:
            errors["override_reason"] = REASON_BAD
        values[name] = value[:limit]
    return values


def _refusal(exc: HanoiError, errors: dict[str, Message]) -> str | None:
    """Where a refusal shows on the page; the English detail, for one without a sentence."""
    if isinstance(exc, LanguageNotAccepted):
        errors["language"] = LANGUAGE_NOT_ACCEPTED if exc.accepted else STATE_NOT_LISTED
        return None
    if isinstance(exc, InvalidInput) and any(f.path == "override_reason" for f in exc.fields):
        errors["override_reason"] = REASON_BAD
        return None
    if isinstance(exc, NothingToAnswer):
        errors["form"] = NOTHING_TO_ANSWER
    else:
        errors["form"] = NOT_ISSUABLE if isinstance(exc, NotIssuable) else NOT_ISSUED
    return exc.detail


@router.post("/requests/{request_id}/letter", response_model=None)
async def issue_letter(
    request_id: str, request: Request, user: UiUser, ui: Site
) -> HTMLResponse | Response:
    """The signed letter (of request, or answer) as a PDF attachment; the request page with
    the refusal otherwise."""
    require_action(user, Action.READ)
    view = ui.node.cooperation.show(user, request_id[:MAX_ID])  # 404 first for a stranger
    if not may_issue_here(user, view.side):
        raise NotFound("no such page")
    errors: dict[str, Message] = {}
    values = _read(forms.form_lists(await request.form()), errors)
    language = parse_language(values["language"])
    if language is None:
        errors["language"] = LANGUAGE_MISSING
    problem = None
    if not errors and language is not None:
        try:
            new = await run_in_threadpool(
                issued.issue_for,
                ui.node,
                user,
                view.request.id,
                language=language,
                override_reason=values["override_reason"] or None,
            )
        except HanoiError as exc:
            problem = _refusal(exc, errors)
        else:
            return _pdf(new.record, new.pdf)
    shown = ui.node.cooperation.show(user, view.request.id)
    section = letter_section(
        request, ui, user, shown, values=values, errors=errors, problem=problem
    )
    return request_page(request, ui, user, shown, letter=section, status=422)


@router.get("/requests/{request_id}/letters/{sha256}.pdf")
def download_letter(request_id: str, sha256: str, user: UiUser, ui: Site) -> Response:
    """A letter issued before, the same bytes as then (read back and checked)."""
    require_action(user, Action.READ)
    if not _DIGEST.fullmatch(sha256):
        raise NotFound("no such letter")
    record, pdf = issued.letter_pdf(ui.node, user, request_id[:MAX_ID], sha256)
    return _pdf(record, pdf)


@router.get("/requests/{request_id}/letters/{sha256}.proof.json")
def download_proof(
    request_id: str, sha256: str, request: Request, user: UiUser, ui: Site
) -> Response:
    """A letter's custody proof (ADR 0031), to send with it; back to the request page
    with a message while the witnesses of other States have not cosigned it yet."""
    require_action(user, Action.READ)
    if not _DIGEST.fullmatch(sha256):
        raise NotFound("no such letter")
    try:
        record, proof = issued.case_letter_proof(ui.node, user, request_id[:MAX_ID], sha256)
    except QuorumNotReached:
        flash(request, PROOF_NOT_READY)
        return RedirectResponse(f"{request_url(request_id[:MAX_ID])}#letter", status_code=303)
    return Response(
        content=proof.to_bytes(),
        media_type=PROOF_MEDIA_TYPE,
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="{proof_filename(record)}"',
        },
    )
