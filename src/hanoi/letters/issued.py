"""Issuing a letter: checked, rendered, signed, stored and logged.

:func:`issue_letter` makes the signed PDF letter of one request (the requesting State's
letter of request), :func:`issue_answer` the requested State's answer to its last step
that an answer reports (:mod:`hanoi.letters.answer`), and :func:`issue_for` whichever of
the two this node's side writes. Each goes in the order that lets a crash at any step
leave nothing handed over unrecorded:

1. the case: the user is on this State's case team with a role that drafts or decides (an
   answer: that decides) (``node.cooperation.check_case``);
2. the request: for a letter of request, this State's own, approved or further on,
   complete (:func:`hanoi.letters.letter.check_issuable`); for an answer, one this State
   received, with a step to answer (:func:`hanoi.letters.answer.check_answerable`);
3. the language: one the other State accepts, by the directory this node holds, or an
   override reason (:func:`hanoi.letters.languages.choose`);
4. render (:mod:`hanoi.letters.render`) and sign with the node's document-signing key
   (PAdES, :func:`hanoi.letters.pades.sign_pdf`, signing time = the clock's now);
5. the signed PDF into the blob store (a crash after this leaves an unreferenced blob);
6. the record (:mod:`hanoi.letters.records`) and its ``letter-issued`` custody event, in
   one transaction: ``evidence_sha256`` is the SHA-256 of the signed PDF, with the
   language, the verification code and its seed, the size, and the override reason when
   there is one. A letter of request is under Art. 40(14); an answer is under the
   article of the step it answers, and adds ``purpose: "answer"``, the ``step`` and its
   ``step_sequence``.

Only then are the bytes handed over. Like the court report's (ADR 0015), the event is in
the log as a salted commitment only. A letter is found again by its digest
(:func:`logged_letters`, ``hanoi letter verify --dir``) and listed per request
(:func:`letters_of`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
from dataclasses import dataclass

from hanoi.accounts.model import Action, User
from hanoi.blobs import read_all
from hanoi.convention import Language
from hanoi.cooperation import CooperationRequest, Side, TransitionRecord
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.custody.service import QuorumNotReached
from hanoi.errors import HanoiError, NotFound
from hanoi.letters.answer import check_answerable
from hanoi.letters.languages import LanguageChoice, choose
from hanoi.letters.letter import (
    ARTICLE,
    SEED_BYTES,
    Letter,
    Purpose,
    Signatory,
    check_issuable,
    verification_code,
)
from hanoi.letters.proof import LetterProof, LoggedLetter
from hanoi.letters.records import IssuedLetter
from hanoi.letters.view import state_name
from hanoi.wiring import Node

log = logging.getLogger("hanoi.letters")
SIGNING_REASON = "Letter of request {id}"
ANSWER_SIGNING_REASON = "Answer to request {id} ({step})"


@dataclass(frozen=True, slots=True)
class NewLetter:
    """A letter just issued: its record, the signed PDF and the commitment logged for it."""

    record: IssuedLetter
    pdf: bytes
    commitment: bytes


def may_issue(user: User) -> bool:
    """Whether ``user``'s role drafts or decides: the roles that issue letters."""
    return user.may(Action.DRAFT) or user.may(Action.DECIDE)


def _issuing_case(node: Node, user: User, request_id: str) -> CooperationRequest:
    action = Action.DRAFT if user.may(Action.DRAFT) else Action.DECIDE
    return node.cooperation.check_case(user, request_id, action, "issue a letter of request")


def accepted_tags(node: Node, state: str) -> tuple[str, ...] | None:
    """The languages (BCP 47 tags) ``state``'s authorities accept, by the directory this
    node holds (a State with a node or without); None when it holds none, or the directory
    does not list the State."""
    try:
        directory = node.federation.directory.current().directory
    except HanoiError:  # no directory imported yet
        return None
    contact = directory.contact_of(state)
    return contact.languages if contact is not None else None


def _signatory(node: Node, request: CooperationRequest, officer: str, side: Side) -> Signatory:
    try:
        title = node.accounts.named(officer).title
    except NotFound:  # an officer who has since left the node: named, without a title
        title = None
    sender = request.party(side)
    return Signatory(name=officer, title=title, authority=sender.authority, state=sender.state)


def check_letter(
    node: Node,
    user: User,
    request_id: str,
    *,
    language: Language,
    override_reason: str | None = None,
) -> tuple[CooperationRequest, str, LanguageChoice]:
    """Steps 1-3 of :func:`issue_letter`: the request, its approver and the language, or
    the refusal (``NotFound``, ``PermissionDenied``, ``NotIssuable``,
    ``LanguageNotAccepted``, ``InvalidInput``)."""
    request = _issuing_case(node, user, request_id)
    findings = node.cooperation.validate(request.kind, request.contents)
    approved_by = check_issuable(request, side=node.cooperation.side_of(request), findings=findings)
    state = request.requested_state
    choice = choose(
        language,
        state=state,
        accepted=accepted_tags(node, state),
        override_reason=override_reason,
    )
    return request, approved_by, choice


def check_answer(
    node: Node,
    user: User,
    request_id: str,
    *,
    language: Language,
    override_reason: str | None = None,
) -> tuple[CooperationRequest, TransitionRecord, LanguageChoice]:
    """Steps 1-3 of :func:`issue_answer`: the request, the step answered and the language
    (one the requesting State accepts), or the refusal (``NotFound``,
    ``PermissionDenied``, ``NotIssuable``, ``NothingToAnswer``, ``LanguageNotAccepted``,
    ``InvalidInput``)."""
    request = node.cooperation.check_case(user, request_id, Action.DECIDE, "issue an answer letter")
    answered = check_answerable(request, side=node.cooperation.side_of(request))
    state = request.requesting_state
    choice = choose(
        language,
        state=state,
        accepted=accepted_tags(node, state),
        override_reason=override_reason,
    )
    return request, answered, choice


def issue_letter(
    node: Node,
    user: User,
    request_id: str,
    *,
    language: Language,
    override_reason: str | None = None,
) -> NewLetter:
    """The signed letter of request of ``request_id`` in ``language``, issued by ``user``
    (module docstring). Call it with what is handed over, before it is."""
    request, approved_by, choice = check_letter(
        node, user, request_id, language=language, override_reason=override_reason
    )
    signatory = _signatory(node, request, approved_by, Side.REQUESTING)
    return _issue(node, user, request, choice, signatory=signatory, answers=None)


def issue_answer(
    node: Node,
    user: User,
    request_id: str,
    *,
    language: Language,
    override_reason: str | None = None,
) -> NewLetter:
    """The requested State's signed answer to ``request_id`` in ``language``, issued by
    ``user``: it reports the last step an answer reports, signed for the requested
    authority by the officer who took it (module docstring)."""
    request, answered, choice = check_answer(
        node, user, request_id, language=language, override_reason=override_reason
    )
    signatory = _signatory(node, request, answered.officer, Side.REQUESTED)
    return _issue(node, user, request, choice, signatory=signatory, answers=answered)


def issue_for(
    node: Node,
    user: User,
    request_id: str,
    *,
    language: Language,
    override_reason: str | None = None,
) -> NewLetter:
    """The letter this node's side writes for ``request_id``: the letter of request on the
    requesting side (:func:`issue_letter`), the answer on the requested side
    (:func:`issue_answer`). What ``hanoi requests letter`` and the request page call."""
    request = _reading_case(node, user, request_id)
    issue = issue_letter if node.cooperation.side_of(request) is Side.REQUESTING else issue_answer
    return issue(node, user, request.id, language=language, override_reason=override_reason)


def _issue(
    node: Node,
    user: User,
    request: CooperationRequest,
    choice: LanguageChoice,
    *,
    signatory: Signatory,
    answers: TransitionRecord | None,
) -> NewLetter:
    """Steps 4-6: render, sign, store, record and log."""
    from hanoi.letters.pades import sign_pdf  # pyHanko: slow to import, only here
    from hanoi.letters.render import render_pdf
    from hanoi.node.folder import load_document_signer

    signer = load_document_signer(node.settings)
    now = node.clock.now()
    seed = secrets.token_bytes(SEED_BYTES)
    letter = Letter(
        request=request,
        language=choice.language,
        issued_at=now,
        verification_code=verification_code(seed),
        signatory=signatory,
        answers=answers,
    )
    unsigned = render_pdf(letter, catalogue=node.cooperation.catalogue)
    reason = (
        SIGNING_REASON.format(id=request.id)
        if answers is None
        else ANSWER_SIGNING_REASON.format(id=request.id, step=answers.transition.value)
    )
    signed = sign_pdf(
        unsigned,
        signer,
        reason=reason,
        location=state_name(signatory.state, Language.EN),
        signing_time=now,
    )
    digest = hashlib.sha256(signed).hexdigest()
    node.blobs.put(io.BytesIO(signed), expected_digest=digest)
    record = IssuedLetter(
        sha256=digest,
        request_id=request.id,
        language=choice.language,
        verification_code=letter.verification_code,
        issued_at=now,
        officer=user.name,
        size=len(signed),
        override_reason=choice.override_reason,
        purpose=letter.purpose,
        step=answers.transition.value if answers is not None else None,
        step_sequence=answers.sequence if answers is not None else None,
    )
    article = answers.article if answers is not None else ARTICLE
    event = _event(node, record, seed=seed, article=article)
    [new] = node.custody.prepare([event])
    node.letters.add(record, custody=[new])
    node.custody.notify()
    what = "letter of request" if answers is None else f"answer ({record.step}) to request"
    log.info(
        "%s %s issued in %s by %s: %s", what, request.id, choice.language.value, user.name, digest
    )
    return NewLetter(record=record, pdf=signed, commitment=new.commitment)


def _event(node: Node, record: IssuedLetter, *, seed: bytes, article: str) -> CustodyEvent:
    members: dict[str, object] = {
        "language": record.language.value,
        "verification_code": record.verification_code,
        "code_seed": seed.hex(),
        "size": record.size,
    }
    if record.override_reason is not None:
        members["override_reason"] = record.override_reason
    if record.purpose is Purpose.ANSWER:
        members["purpose"] = record.purpose.value
        members["step"] = record.step
        members["step_sequence"] = record.step_sequence
    return CustodyEvent(
        action=CustodyAction.LETTER_ISSUED,
        time=record.issued_at,
        node=node.settings.state,
        officer=record.officer,
        request_id=record.request_id,
        article=article,
        evidence_sha256=record.sha256,
        unknown=members,
    )


def _reading_case(node: Node, user: User, request_id: str) -> CooperationRequest:
    return node.cooperation.check_case(
        user, request_id, Action.READ, "read the letters of a request"
    )


def letters_of(node: Node, user: User, request_id: str) -> list[IssuedLetter]:
    """The letters this node issued for a request of ``user``'s cases, oldest first: its
    letters of request, or its answers to a request it received."""
    request = _reading_case(node, user, request_id)
    return node.letters.for_request(request.id)


def letter_pdf(node: Node, user: User, request_id: str, sha256: str) -> tuple[IssuedLetter, bytes]:
    """A letter issued for a request of ``user``'s cases, and its signed PDF read back from
    the blob store (checked against its digest): the same bytes as when it was issued."""
    record = _case_letter(node, user, request_id, sha256)
    return record, read_all(node.blobs, record.sha256)  # IntegrityError if altered on disk


def case_letter_proof(
    node: Node, user: User, request_id: str, sha256: str, *, seconds: float = 0
) -> tuple[IssuedLetter, LetterProof]:
    """A letter issued for a request of ``user``'s cases, with its custody proof
    (:func:`letter_proof`; ``QuorumNotReached`` while its witnesses have not cosigned)."""
    record = _case_letter(node, user, request_id, sha256)
    return record, letter_proof(node, record.sha256, seconds=seconds)


def _case_letter(node: Node, user: User, request_id: str, sha256: str) -> IssuedLetter:
    request = _reading_case(node, user, request_id)
    record = node.letters.by_sha256(sha256)
    if record is None or record.request_id != request.id:
        raise NotFound(f"request {request.id} has no letter with that digest")
    return record


def logged_letters(node: Node, sha256: str) -> list[LoggedLetter]:
    """The ``letter-issued`` events of this node's log for a PDF with this SHA-256 (hex),
    oldest first. Events still queued (a second or so) are not found yet."""
    return [
        LoggedLetter(logged=logged, log_origin=node.custody.origin)
        for logged in node.custody.events_for(f"sha256:{sha256}")
        if logged.event.action is CustodyAction.LETTER_ISSUED
        and logged.event.node == node.settings.state
    ]


def logged_index(node: Node, issued: NewLetter) -> int | None:
    """The log entry of a letter just issued, once sequenced; None before."""
    for logged in node.custody.events_for(f"sha256:{issued.record.sha256}"):
        if logged.commitment == issued.commitment:
            return logged.index
    return None


def letter_proof(node: Node, sha256: str, *, seconds: float = 0) -> LetterProof:
    """The custody proof of a letter this node issued (:mod:`hanoi.letters.proof`): its
    first ``letter-issued`` event, proven against a checkpoint cosigned by the quorum of
    witnesses of other States. :class:`NotFound` if this node logged no letter with this
    digest (or not yet: events wait a second or so to be sequenced); ``QuorumNotReached``
    if no checkpoint that holds it has the quorum after ``seconds`` (the witnesses are
    asked: retry shortly)."""
    node.custody.sequence()
    found = logged_letters(node, sha256)
    if not found:
        raise NotFound(f"this node logged no letter with SHA-256 {sha256[:12]}…")
    first = found[0]
    index = first.logged.index
    try:  # a checkpoint witnessed since, even if the latest is not yet
        proof = node.custody.witnessed_proof(index, policy=node.quorum.policy())
    except QuorumNotReached:
        proof = node.quorum.witnessed(seconds=seconds).proof_for(index)
    return LetterProof(first, proof)
