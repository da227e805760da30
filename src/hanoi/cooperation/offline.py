"""Requests off the network: the scanned letters they carry, and the request registered
from paper. Pure (ADR 0028).

A letter that crossed the border off the network (the request received by diplomatic
note, the other State's answer) is kept as a document of kind ``letter``, added by the
side whose letter it is. Its bytes must be what they claim: a PDF or an image, checked
by their first bytes, never by a name or a declared type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hanoi.cooperation.documents import MAX_DOCUMENTS, check_document_size, documents
from hanoi.cooperation.drafting import attach
from hanoi.cooperation.errors import WorkflowViolation
from hanoi.cooperation.model import (
    MAX_TEXT,
    Attachment,
    AttachmentRole,
    CooperationRequest,
    DocumentKind,
    Urgency,
    require_state,
    require_text,
)
from hanoi.cooperation.routes import ChannelRecord
from hanoi.cooperation.statuses import FINAL
from hanoi.errors import InvalidInput, RuleViolation

SCAN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
"""What a scanned letter may be, by its first bytes."""


def scan_media_type(data: bytes, *, size: int | None = None) -> str:
    """The media type of a scanned letter, from its first bytes (``size`` is the whole
    file's, when ``data`` is only its start); ``InvalidInput`` for anything that is not a
    PDF or a PNG, JPEG or TIFF image."""
    check_document_size(len(data) if size is None else size)
    for magic, media_type in SCAN_SIGNATURES:
        if data.startswith(magic):
            return media_type
    raise InvalidInput("the scan is not a PDF or an image (PNG, JPEG or TIFF)")


@dataclass(frozen=True, slots=True)
class LetterScan:
    """A scanned letter given with a step or a registration: its bytes (the CLI), or the
    user's completed upload (the API and the pages, as for documents)."""

    data: bytes | None = field(default=None, repr=False)
    upload_id: str | None = None
    title: str | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.upload_id is None):
            raise InvalidInput("a scan is given as its bytes or as an upload, not both")
        if self.title is not None:
            require_text("the title of the scan", self.title, limit=MAX_TEXT)


def add_letter(request: CooperationRequest, letter: Attachment) -> CooperationRequest:
    """The request with one more scanned letter: only on a request that travels off the
    network (or is being registered), before it is closed, within the document limits."""
    if (
        letter.role is not AttachmentRole.DOCUMENT
        or letter.document_kind is not DocumentKind.LETTER
    ):
        raise InvalidInput("a scanned letter is a document of kind 'letter'")
    if letter.size is None:
        raise InvalidInput("a scanned letter has a size")
    if request.status in FINAL:
        raise WorkflowViolation("the request is closed: no letter is added to it")
    check_document_size(letter.size)
    if len(documents(request, side=letter.added_by)) >= MAX_DOCUMENTS:
        raise RuleViolation(f"a request carries at most {MAX_DOCUMENTS} documents of a State")
    return attach(request, letter)


@dataclass(frozen=True, slots=True, kw_only=True)
class Registration:
    """A request received off the network, as an officer registers it (Art. 40(13)-(15))."""

    kind: str
    requesting_state: str
    requesting_authority: str
    via: ChannelRecord
    """The channel, the day received and the sender's reference."""
    contents: Mapping[str, Any]
    scan: LetterScan | None
    """The scanned letter; ``None`` for a request received as a structured message (HI-1,
    ``imported_from``), which the channel record names."""
    urgency: Urgency = field(default_factory=Urgency)
    requested_authority: str | None = None
    imported_from: str | None = None
    """The ``TransactionIdentifier`` of the HI-1 message it was read from: the request's id
    is then derived from it, so the same message is never registered twice."""

    def __post_init__(self) -> None:
        require_state("the requesting State", self.requesting_state)
        require_text("the requesting authority", self.requesting_authority, limit=MAX_TEXT)
        if self.requested_authority is not None:
            require_text("the requested authority", self.requested_authority, limit=MAX_TEXT)

    def check_received(self, today: date) -> None:
        self.via.check_not_after(today)
