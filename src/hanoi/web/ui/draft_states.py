"""The requested State on the draft form: chosen from the directory by its name in the
reader's language, with the channels it takes requests by, the languages it takes them
in (Art. 40(14)) and how to reach its central authority (Art. 40(13)) and 24/7 point of
contact (Art. 41(1)).

The States are those of the signed directory the node holds: the ones that run a Hanoi
node, and the ones that do not (their requests go by letter: diplomatic channels,
e-mail, INTERPOL, courier). A node without a directory falls back to the three-letter
code (the form says so), and the cooperation service checks the code.
"""

from __future__ import annotations

from dataclasses import dataclass

from hanoi.convention import Language
from hanoi.directory.model import Directory
from hanoi.errors import HanoiError
from hanoi.i18n.formatting import LocaleFormat, sort_key
from hanoi.web.ui.directory_pages import StateRow, state_row
from hanoi.wiring import Node


@dataclass(frozen=True, slots=True)
class StateChoice:
    code: str
    name: str
    on_network: bool = True
    """False for a State without a Hanoi node: the request goes by letter."""


@dataclass(frozen=True, slots=True)
class RequestedState:
    """What the drafting officer needs to know of the requested State."""

    row: StateRow
    takes_page_language: bool
    """Whether the State takes requests in the language of the page (the language the
    officer is most likely writing in); when not, the form warns (Art. 40(14))."""


def _directory(node: Node) -> Directory | None:
    try:
        return node.federation.directory.current().directory
    except HanoiError:
        return None


def state_choices(node: Node, fmt: LocaleFormat) -> tuple[StateChoice, ...] | None:
    """Every other State of the directory, with a node or without, by name in the reader's
    language; None when the node holds no directory (or cannot read it)."""
    directory = _directory(node)
    if directory is None:
        return None
    on_network = set(directory.state_codes())
    choices = (
        StateChoice(code=code, name=fmt.territory(code), on_network=code in on_network)
        for code in directory.all_states()
        if code != node.identity.state
    )
    return tuple(sorted(choices, key=lambda c: (sort_key(c.name), c.code)))


def requested_state(node: Node, fmt: LocaleFormat, code: str) -> RequestedState | None:
    """The directory's facts of ``code`` as the form shows them; None when not listed."""
    directory = _directory(node)
    contact = directory.contact_of(code) if directory is not None else None
    if directory is None or contact is None:
        return None
    entry = directory.entry(code).entry if contact.on_network else None
    return RequestedState(
        row=state_row(fmt, contact, entry),
        takes_page_language=_takes(contact.languages, fmt.language),
    )


def _takes(tags: tuple[str, ...], language: Language) -> bool:
    primary = {tag.split("-")[0].casefold() for tag in tags}
    return language.value.casefold() in primary
