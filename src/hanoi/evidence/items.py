"""Evidence items: what was collected, from where, how, when, by whom, for which request. Pure."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from hanoi.errors import FieldProblem, InvalidInput

_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")
MAX_TEXT = 500


class SourceKind(enum.StrEnum):
    """Where the data came from (Arts. 27-28: production orders, search and seizure)."""

    PROVIDER = "provider"  # a service provider's return
    SYSTEM = "system"  # a computer system searched or accessed
    DEVICE = "device"  # a seized device or storage medium


@dataclass(frozen=True, slots=True)
class Acquisition:
    """How an item was acquired; validated as a whole so every bad field is reported."""

    original_name: str
    media_type: str
    source_kind: SourceKind
    source: str
    method: str
    acquired_at: datetime
    officer: str
    request_ref: str
    article: str
    legal_basis: str | None = None
    """The legal basis of the acquisition, or the reference of the order (a production
    order, a warrant), as a court will want to cite it."""
    authority: str | None = None
    """The authority that executed it (the executing officer's service)."""

    def __post_init__(self) -> None:
        problems: list[FieldProblem] = []

        def bad(path: str, message: str) -> None:
            problems.append(FieldProblem(path, message))

        name = self.original_name
        if (
            not name
            or len(name) > 255
            or "/" in name
            or "\\" in name
            or name in {".", ".."}
            or not name.isprintable()
        ):
            bad(
                "original_name",
                "a file name of 1-255 printable characters, without path separators",
            )
        if not _MEDIA_TYPE.match(self.media_type):
            bad("media_type", "a media type such as application/octet-stream")
        for field_name in ("source", "method", "officer", "article"):
            value = getattr(self, field_name)
            if not value.strip() or len(value) > MAX_TEXT or not value.isprintable():
                bad(field_name, f"1-{MAX_TEXT} printable characters")
        for field_name in ("legal_basis", "authority"):
            value = getattr(self, field_name)
            if value is not None and (
                not value.strip() or len(value) > MAX_TEXT or not value.isprintable()
            ):
                bad(field_name, f"1-{MAX_TEXT} printable characters, or nothing")
        if self.acquired_at.tzinfo is None:
            bad("acquired_at", "a date and time with a time zone (ISO 8601)")
        if not _REFERENCE.match(self.request_ref):
            bad("request_ref", "a request reference such as EGY-2026-00042")
        if problems:
            raise InvalidInput("the evidence description is incomplete", fields=tuple(problems))


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    id: str
    sha256: str
    size: int
    acquisition: Acquisition
    recorded_at: datetime
    package_id: str | None = None
    """The incoming package this item was received in, by id; ``None`` if collected here."""
