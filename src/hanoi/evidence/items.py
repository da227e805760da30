"""Evidence items: what was collected, from where, how, when, by whom, for which request. Pure."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from hanoi.cooperation.routes import OFF_NETWORK, Route
from hanoi.errors import FieldProblem, InvalidInput

_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")
_STATE = re.compile(r"[A-Z]{3}")
MAX_TEXT = 500
MAX_CHANNEL_REFERENCE = 200
RECEIPT_FIELDS = ("received_from", "channel", "channel_reference")
"""How an item received off the network came: given together, or not at all."""


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
    received_from: str | None = None
    """The State (ISO 3166-1 alpha-3) that sent it off the network: a State without a node
    sends evidence on media, by courier or in the diplomatic bag (issue 17, point 5b)."""
    channel: Route | None = None
    """How it came from ``received_from``: a channel off the network, never ``hanoi``
    (evidence over the network arrives in a package, with its own statement)."""
    channel_reference: str | None = None
    """The reference of the consignment: the diplomatic note's number, the waybill."""

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
        self._check_receipt(bad)
        if problems:
            raise InvalidInput("the evidence description is incomplete", fields=tuple(problems))

    def _check_receipt(self, bad: Callable[[str, str], None]) -> None:
        """``received_from``, ``channel`` and ``channel_reference``: all three or none."""
        given = [name for name in RECEIPT_FIELDS if getattr(self, name) is not None]
        if not given:
            return
        if len(given) < len(RECEIPT_FIELDS):
            for name in RECEIPT_FIELDS:
                if name not in given:
                    bad(
                        name,
                        f"required with {' and '.join(given)}: evidence received off the "
                        "network names the State it came from, the channel and the "
                        "reference together, or none of them",
                    )
            return
        state = self.received_from
        if not isinstance(state, str) or not _STATE.fullmatch(state):
            bad("received_from", "an ISO 3166-1 alpha-3 code in capitals, such as GHA")
        off_network = ", ".join(route.value for route in OFF_NETWORK)
        try:
            channel = Route(str(self.channel))
        except ValueError:
            bad("channel", f"a channel off the network: one of {off_network}")
        else:
            if channel.on_network:
                bad(
                    "channel",
                    "evidence over the Hanoi network arrives in a package, not by hand: "
                    f"a channel off the network is one of {off_network}",
                )
            object.__setattr__(self, "channel", channel)
        reference = self.channel_reference
        if (
            not isinstance(reference, str)
            or not reference.strip()
            or len(reference) > MAX_CHANNEL_REFERENCE
            or not reference.isprintable()
        ):
            bad(
                "channel_reference",
                f"1-{MAX_CHANNEL_REFERENCE} printable characters: the note's number, the waybill",
            )


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    id: str
    sha256: str
    size: int
    acquisition: Acquisition
    recorded_at: datetime
    package_id: str | None = None
    """The incoming package this item was received in, by id; ``None`` if collected here."""
