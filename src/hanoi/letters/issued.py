"""Issuing a letter of request: checked, rendered, signed, stored and logged.

:func:`issue_letter` makes the signed PDF letter of one request, in the order that lets a
crash at any step leave nothing handed over unrecorded:

1. the case: the user is on the requesting State's case team with a role that drafts or
   decides (``node.cooperation.check_case``);
2. the request: this State's own, approved or further on, complete
   (:func:`hanoi.letters.letter.check_issuable`);
3. the language: one the requested State accepts, by the directory this node holds, or an
   override reason (:func:`hanoi.letters.languages.choose`);
4. render (:mod:`hanoi.letters.render`) and sign with the node's document-signing key
   (PAdES, :func:`hanoi.letters.pades.sign_pdf`, signing time = the clock's now);
5. the signed PDF into the blob store (a crash after this leaves an unreferenced blob);
6. the record (:mod:`hanoi.letters.records`) and its ``letter-issued`` custody event, in
   one transaction: ``evidence_sha256`` is the SHA-256 of the signed PDF, under
   Art. 40(14), with the language, the verification code and its seed, the size, and the
   override reason when there is one.

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
from hanoi.convention import Language
from hanoi.cooperation import CooperationRequest, Side
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.custody.service import LoggedEvent
from hanoi.errors import HanoiError, NotFound
from hanoi.letters.languages import LanguageChoice, choose
from hanoi.letters.letter import (
    ARTICLE,
    SEED_BYTES,
    Letter,
    Signatory,
    check_issuable,
    verification_code,
)
from hanoi.letters.records import IssuedLetter
from hanoi.letters.view import state_name
from hanoi.storage.blobs import read_all
from hanoi.wiring import Node

log = logging.getLogger("hanoi.letters")
SIGNING_REASON = "Letter of request {id}"


@dataclass(frozen=True, slots=True)
class NewLetter:
    """A letter just issued: its record, the signed PDF and the commitment logged for it."""

    record: IssuedLetter
    pdf: bytes
    commitment: bytes


@dataclass(frozen=True, slots=True)
class LoggedLetter:
    """A ``letter-issued`` event of this node's log."""

    logged: LoggedEvent
    log_origin: str

    @property
    def event(self) -> CustodyEvent:
        return self.logged.event

    @property
    def verification_code(self) -> str | None:
        value = self.event.unknown.get("verification_code")
        return value if isinstance(value, str) else None

    def to_json(self) -> dict[str, object]:
        return {
            "found": True,
            "index": self.logged.index,
            "log_origin": self.log_origin,
            "request_id": self.event.request_id,
            "verification_code": self.verification_code,
            "language": self.event.unknown.get("language"),
            "time": self.event.to_json()["time"],
            "officer": self.event.officer,
            "state": self.event.node,
            "article": self.event.article,
            "override_reason": self.event.unknown.get("override_reason"),
        }


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


def _signatory(node: Node, request: CooperationRequest, approved_by: str) -> Signatory:
    try:
        title = node.accounts.named(approved_by).title
    except NotFound:  # an approver who has since left the node: named, without a title
        title = None
    return Signatory(
        name=approved_by,
        title=title,
        authority=request.requesting.authority,
        state=request.requesting.state,
    )


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


def issue_letter(
    node: Node,
    user: User,
    request_id: str,
    *,
    language: Language,
    override_reason: str | None = None,
) -> NewLetter:
    """The signed letter of ``request_id`` in ``language``, issued by ``user`` (module
    docstring). Call it with what is handed over, before it is."""
    from hanoi.letters.pades import sign_pdf  # pyHanko: slow to import, only here
    from hanoi.letters.render import render_pdf
    from hanoi.node.folder import load_document_signer

    request, approved_by, choice = check_letter(
        node, user, request_id, language=language, override_reason=override_reason
    )
    signer = load_document_signer(node.settings)
    now = node.clock.now()
    seed = secrets.token_bytes(SEED_BYTES)
    letter = Letter(
        request=request,
        language=choice.language,
        issued_at=now,
        verification_code=verification_code(seed),
        signatory=_signatory(node, request, approved_by),
    )
    unsigned = render_pdf(letter, catalogue=node.cooperation.catalogue)
    signed = sign_pdf(
        unsigned,
        signer,
        reason=SIGNING_REASON.format(id=request.id),
        location=state_name(request.requesting_state, Language.EN),
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
    )
    event = _event(node, record, seed=seed)
    [new] = node.custody.prepare([event])
    node.letters.add(record, custody=[new])
    node.custody.notify()
    log.info(
        "letter of request %s issued in %s by %s: %s", request.id, language.value, user.name, digest
    )
    return NewLetter(record=record, pdf=signed, commitment=new.commitment)


def _event(node: Node, record: IssuedLetter, *, seed: bytes) -> CustodyEvent:
    members: dict[str, object] = {
        "language": record.language.value,
        "verification_code": record.verification_code,
        "code_seed": seed.hex(),
        "size": record.size,
    }
    if record.override_reason is not None:
        members["override_reason"] = record.override_reason
    return CustodyEvent(
        action=CustodyAction.LETTER_ISSUED,
        time=record.issued_at,
        node=node.settings.state,
        officer=record.officer,
        request_id=record.request_id,
        article=ARTICLE,
        evidence_sha256=record.sha256,
        unknown=members,
    )


def _reading_case(node: Node, user: User, request_id: str) -> CooperationRequest:
    return node.cooperation.check_case(
        user, request_id, Action.READ, "read the letters of a request"
    )


def letters_of(node: Node, user: User, request_id: str) -> list[IssuedLetter]:
    """The letters issued for a request of ``user``'s cases, oldest first (none for a
    request this node received: the requesting State issues them)."""
    request = _reading_case(node, user, request_id)
    if node.cooperation.side_of(request) is not Side.REQUESTING:
        return []
    return node.letters.for_request(request.id)


def letter_pdf(node: Node, user: User, request_id: str, sha256: str) -> tuple[IssuedLetter, bytes]:
    """A letter issued for a request of ``user``'s cases, and its signed PDF read back from
    the blob store (checked against its digest): the same bytes as when it was issued."""
    request = _reading_case(node, user, request_id)
    record = node.letters.by_sha256(sha256)
    if record is None or record.request_id != request.id:
        raise NotFound(f"request {request.id} has no letter with that digest")
    return record, read_all(node.blobs, record.sha256)  # IntegrityError if altered on disk


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
