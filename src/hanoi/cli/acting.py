"""What the commands that act as a user of a node share: the node opened with that user,
and the language a report is asked in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hanoi.accounts.model import User
    from hanoi.convention import Language
    from hanoi.wiring import Node


@contextmanager
def user_session(directory: Path, name: str) -> Iterator[tuple[Node, User]]:
    """The node in ``directory`` and its user ``name``; closed on the way out."""
    from hanoi.errors import PermissionDenied
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    node = open_node(load_settings(directory))
    try:
        user = node.accounts.named(name)
        if user.disabled:
            raise PermissionDenied(f"the user {name!r} is disabled")
        yield node, user
    finally:
        node.close()


def report_language(value: str) -> Language:
    """``--language``: one of the report's languages, or one line saying which there are."""
    from hanoi.convention import Language
    from hanoi.errors import InvalidInput

    try:
        return Language(value)
    except ValueError:
        codes = ", ".join(code.value for code in Language)
        raise InvalidInput(f"--language {value[:16]!r}: one of {codes}") from None
