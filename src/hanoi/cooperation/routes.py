"""How a request travels: over the Hanoi network, or by another channel. Pure.

Art. 40(14): requests are made in writing, or by any means capable of producing a
written record. Most States will not run a node for years, so a request also goes by
diplomatic note, by e-mail between central authorities, through INTERPOL or by courier.
Such a request has the same statuses as one sent over the network; what differs is that
the other State's steps arrive on paper and an officer records them by hand, each with a
:class:`ChannelRecord` saying how it came (ADR 0028).

The route of a request is not stored apart: it is the channel of the step that sent it
(``dispatch``) or registered it (``register``), so it can never disagree with the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from hanoi.errors import InvalidInput
from hanoi.jsonvalues import text_problem

MAX_REFERENCE = 500


class Route(StrEnum):
    """The channels a State accepts requests by (the directory's ``channels``)."""

    HANOI = "hanoi"
    DIPLOMATIC = "diplomatic"
    """A diplomatic note, through the ministries of foreign affairs."""
    EMAIL = "email"
    """E-mail between central authorities (the reference is the Message-ID)."""
    INTERPOL = "interpol"
    """INTERPOL's I-24/7 network (Art. 40(14): urgent requests)."""
    COURIER = "courier"
    OTHER = "other"

    @property
    def on_network(self) -> bool:
        return self is Route.HANOI


OFF_NETWORK = tuple(route for route in Route if not route.on_network)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelRecord:
    """How a step crossed a border off the network: by which channel, on which day, under
    which reference (a diplomatic note's number, an e-mail's Message-ID), and which of the
    request's documents is the scanned letter, if one was attached."""

    channel: Route
    on: date
    reference: str
    document: str | None = None
    """The id of the request's document holding the scanned letter or note."""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "channel", Route(self.channel))
        except ValueError:
            names = ", ".join(route.value for route in OFF_NETWORK)
            raise InvalidInput(f"a channel off the network is one of: {names}") from None
        if self.channel.on_network:
            raise InvalidInput(
                "a step over the Hanoi network is sent by the node itself; "
                f"a channel record names one of: {', '.join(r.value for r in OFF_NETWORK)}"
            )
        if isinstance(self.on, datetime) or not isinstance(self.on, date):
            raise InvalidInput("the day of a channel record is a date")
        reference = self.reference.strip() if isinstance(self.reference, str) else ""
        if not reference:
            raise InvalidInput(
                "the reference is required: the note's number, the e-mail's Message-ID"
            )
        if len(reference) > MAX_REFERENCE:
            raise InvalidInput(f"the reference is at most {MAX_REFERENCE} characters")
        if (problem := text_problem(reference)) is not None:
            raise InvalidInput(f"the reference is text {problem}")
        object.__setattr__(self, "reference", reference)

    def check_not_after(self, today: date) -> None:
        if self.on > today:
            raise InvalidInput(f"the day {self.on} is in the future (today is {today})")
