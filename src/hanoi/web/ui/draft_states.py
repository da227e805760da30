"""The requested State on the draft form: chosen from the directory by its name in the
reader's language, with the languages it takes requests in (Art. 40(14)) and how to
reach its central authority (Art. 40(13)) and 24/7 point of contact (Art. 41(1)).

Read from the signed directory the node holds; a node without one falls back to the
three-letter code (the form says so), and the cooperation service checks the code.
"""

from __future__ import annotations

from dataclasses import dataclass

from hanoi.convention import Language
from hanoi.errors import HanoiError
from hanoi.web.ui.directory_pages import StateRow, accepted_languages, state_row
from hanoi.web.ui.i18n import LocaleFormat, sort_key
from hanoi.wiring import Node


@dataclass(frozen=True, slots=True)
class StateChoice:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class RequestedState:
    """What the drafting officer needs to know of the requested State."""

    row: StateRow
    takes_page_language: bool
    """Whether the State takes requests in the language of the page (the language the
    officer is most likely writing in); when not, the form warns (Art. 40(14))."""


def state_choices(node: Node, fmt: LocaleFormat) -> tuple[StateChoice, ...] | None:
    """Every other State of the directory, by name in the reader's language; None when
    the node holds no directory (or cannot read it)."""
    try:
        directory = node.federation.directory.current().directory
    except HanoiError:
        return None
    choices = (
        StateChoice(code=signed.entry.state, name=fmt.territory(signed.entry.state))
        for signed in directory.states
        if signed.entry.state != node.identity.state
    )
    return tuple(sorted(choices, key=lambda c: (sort_key(c.name), c.code)))


def requested_state(node: Node, fmt: LocaleFormat, code: str) -> RequestedState | None:
    """The directory's entry for ``code`` as the form shows it; None when not listed."""
    try:
        entry = node.federation.directory.entry(code)
    except HanoiError:
        return None
    return RequestedState(
        row=state_row(fmt, entry),
        takes_page_language=_takes(accepted_languages(entry), fmt.language),
    )


def _takes(tags: tuple[str, ...], language: Language) -> bool:
    primary = {tag.split("-")[0].casefold() for tag in tags}
    return language.value.casefold() in primary
