"""A letter as data, and the rules on when a letter of request may be issued. Pure.

Art. 40(14) asks for requests in writing, in a language acceptable to the requested State.
A :class:`Letter` is one request put in writing by the requesting State, in one of the six
languages, on a given day, with a :func:`verification code <verification_code>` the
requested State can quote back, and the officer who approved the request as its
signatory. :mod:`hanoi.letters.view` puts it in the letter's words,
:mod:`hanoi.letters.render` prints it, :mod:`hanoi.letters.issued` signs, stores and logs it.

A letter of request is made only of a request that could leave the State
(:func:`check_issuable`): the requesting State's own, approved (or further on), and
complete. A letter may also be the requested State's **answer** to a request it received
(:class:`Purpose`, :mod:`hanoi.letters.answer`): then it carries the step it answers, and
its signatory is the officer who took that step.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hanoi.convention import Finding, Language
from hanoi.cooperation import CooperationRequest, Side, Status, TransitionName, TransitionRecord
from hanoi.errors import InvalidInput, RuleViolation

ARTICLE = "Art. 40(14)"
"""Requests in writing, in a language acceptable to the requested State."""
CODE_LENGTH = 10
"""Base32 characters of a verification code: 50 bits."""
CODE_GROUP = 4
SEED_BYTES = 16
_CODE_DOMAIN = b"hanoi letter verification code\x00"
_CODE = re.compile(r"[A-Z2-7]{10}")
NOT_YET = frozenset({Status.DRAFT, Status.SUBMITTED})


class Purpose(StrEnum):
    """What a letter is: the requesting State's request, or the requested State's answer."""

    REQUEST = "request"
    ANSWER = "answer"


class NotIssuable(RuleViolation):
    """The request cannot be put in a letter now: not the requesting State's, not approved,
    or not complete (one field problem per missing item)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Signatory:
    """Who signs the letter, for its authority: the officer who approved the request (a
    letter of request), or who took the step answered (an answer)."""

    name: str
    title: str | None
    authority: str
    """The sender's authority, as the request names it: the requesting authority for a
    letter of request, the requested authority for an answer."""
    state: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Letter:
    request: CooperationRequest
    language: Language
    issued_at: datetime
    verification_code: str
    """:data:`CODE_LENGTH` base32 characters (:func:`verification_code`)."""
    signatory: Signatory
    answers: TransitionRecord | None = None
    """For an answer: the requested State's step it answers (a step of ``request``)."""

    def __post_init__(self) -> None:
        if not _CODE.fullmatch(self.verification_code):
            raise InvalidInput("a verification code is 10 base32 characters (A-Z, 2-7)")
        if self.issued_at.utcoffset() is None:
            raise InvalidInput("a letter's time carries a time zone")
        if self.answers is not None and self.answers not in self.request.history:
            raise InvalidInput("an answer answers a step of its own request")

    @property
    def purpose(self) -> Purpose:
        return Purpose.REQUEST if self.answers is None else Purpose.ANSWER


def verification_code(seed: bytes) -> str:
    """The letter's short code, derived from ``seed`` (random, :data:`SEED_BYTES`, logged
    in the custody event): the first 10 base32 characters of a SHA-256 of it."""
    if len(seed) < SEED_BYTES:
        raise InvalidInput(f"a verification code's seed is at least {SEED_BYTES} bytes")
    digest = hashlib.sha256(_CODE_DOMAIN + seed).digest()
    return base64.b32encode(digest).decode("ascii")[:CODE_LENGTH]


def grouped(code: str) -> str:
    """``ABCDEFGHJK`` as people read it aloud: ``ABCD-EFGH-JK``."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def parse_code(text: str) -> str:
    """A code as typed (``abcd-efgh-jk``, spaces) back to its 10 characters."""
    code = re.sub(r"[\s-]", "", text).upper()
    if not _CODE.fullmatch(code):
        raise InvalidInput("a verification code is 10 letters and digits 2-7, as ABCD-EFGH-JK")
    return code


def approver(request: CooperationRequest) -> str | None:
    """The officer who last approved the request, if any did."""
    return next(
        (r.officer for r in reversed(request.history) if r.transition is TransitionName.APPROVE),
        None,
    )


def check_issuable(request: CooperationRequest, *, side: Side, findings: Sequence[Finding]) -> str:
    """Raise :class:`NotIssuable` unless a letter may be made of ``request`` by ``side``;
    return the approving officer's name."""
    if side is not Side.REQUESTING:
        raise NotIssuable(
            f"only the requesting State puts its request in writing ({ARTICLE}); this node "
            f"is the requested State of {request.id}"
        )
    approved_by = approver(request)
    if request.status in NOT_YET or approved_by is None:
        raise NotIssuable(
            f"a letter of request is made of an approved request; {request.id} is "
            f"{request.status.value!r}"
        )
    if findings:
        items = "; ".join(f"{f.path} ({f.citation or 'form'})" for f in findings)
        raise NotIssuable(
            f"the request is not complete, so no letter can be made of it: {items}",
            fields=tuple(f.as_field_problem() for f in findings),
        )
    return approved_by
