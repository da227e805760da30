"""A message id of the catalogues, and the marker that has it extracted.

Python code names a message with ``N_("...")``; ``scripts/i18n-extract`` finds it (Babel's
default keywords, the mapping in ``babel.cfg``), and the template that shows it translates
it in the reader's language with ``_(message)``
(:func:`hanoi.i18n.catalogues.translations`).
"""

from __future__ import annotations

from typing import NewType

Message = NewType("Message", str)


def N_(message: str) -> Message:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a message for extraction; the template translates it when it is shown."""
    return Message(message)
