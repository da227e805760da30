"""Issuing a court report is a custody event, so that a court can later check a PDF.

When a report leaves the node (a UI download, ``hanoi evidence report``), the node logs a
``report-issued`` custody event about the request, in the name of the officer who issued
it, whose ``evidence_sha256`` is the SHA-256 of exactly the PDF bytes handed over
(Art. 40(19): the evidence goes to the proceedings the request named). A PDF cannot carry
its own digest, so the UI and the CLI give it beside the file.

To check a copy: compute its SHA-256 (``sha256sum report.pdf``) and ask the issuing node
(:func:`issued_reports`; ``hanoi evidence report-check``, or ``/ui/reports/check``). A
match gives the request, the officer, the time and the log entry, with its salt and a
C2SP tlog-proof, so the event can be proven offline against the node's witnessed log
(``hanoi log verify-event``). An altered copy has another digest and matches nothing.

Like every event, it is in the log as a salted commitment only: the public learns nothing
from it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hanoi.accounts.model import User
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.errors import InvalidInput, NotFound, PermissionDenied
from hanoi.wiring import Node

ARTICLE = "Art. 40(19)"
"""The use of evidence in the proceedings the request named."""
_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Issued:
    """A report just issued: the digest of its bytes and the commitment logged for it."""

    sha256: str
    size: int
    commitment: bytes


@dataclass(frozen=True, slots=True)
class IssuedReport:
    """A ``report-issued`` event found in this node's log, with what proves it."""

    event: CustodyEvent
    log_origin: str
    index: int
    salt: bytes

    @property
    def request_id(self) -> str:
        return self.event.request_id

    @property
    def time(self) -> datetime:
        return self.event.time

    def to_json(self, proof: dict[str, Any] | None = None) -> dict[str, Any]:
        value = {
            "request_id": self.event.request_id,
            "time": self.event.to_json()["time"],
            "officer": self.event.officer,
            "state": self.event.node,
            "article": self.event.article,
            "log_origin": self.log_origin,
            "index": self.index,
            "event": self.event.to_json(),
            "salt": self.salt.hex(),
        }
        if proof is not None:
            value["proof"] = proof
        return value


def pdf_sha256(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def record_issued(node: Node, user: User, *, request_id: str, pdf: bytes, verdict: str) -> Issued:
    """Log that ``user`` issued ``pdf`` as the court report of ``request_id`` (a request the
    caller has shown them): call it with exactly the bytes handed over, before they are."""
    digest = pdf_sha256(pdf)
    event = CustodyEvent(
        action=CustodyAction.REPORT_ISSUED,
        time=node.clock.now(),
        node=node.settings.state,
        officer=user.name,
        request_id=request_id,
        article=ARTICLE,
        evidence_sha256=digest,
        unknown={"size": len(pdf), "verdict": verdict},
    )
    [new] = node.custody.record([event])
    return Issued(sha256=digest, size=len(pdf), commitment=new.commitment)


def check_digest(text: str) -> str:
    """A SHA-256 digest as 64 hex digits (upper case and surrounding spaces accepted)."""
    digest = text.strip().lower()
    if not _DIGEST.fullmatch(digest):
        raise InvalidInput("a SHA-256 digest is 64 hexadecimal digits")
    return digest


def issued_reports(node: Node, user: User, sha256: str) -> list[IssuedReport]:
    """The reports with this digest that this node logged as issued, for requests of
    ``user``'s cases (any other is left out, as if it did not exist), oldest first. Events
    still waiting to be sequenced (a second or so) are not found yet."""
    digest = check_digest(sha256)
    found = []
    for logged in node.custody.events_for(f"sha256:{digest}"):
        event = logged.event
        if event.action is not CustodyAction.REPORT_ISSUED or event.node != node.settings.state:
            continue
        try:
            node.cooperation.show(user, event.request_id)  # the case check
        except (NotFound, PermissionDenied):
            continue
        found.append(
            IssuedReport(
                event=event, log_origin=node.custody.origin, index=logged.index, salt=logged.salt
            )
        )
    return found


def logged_index(node: Node, issued: Issued) -> int | None:
    """The log entry of a report just issued, once sequenced; None before."""
    for logged in node.custody.events_for(f"sha256:{issued.sha256}"):
        if logged.commitment == issued.commitment:
            return logged.index
    return None
