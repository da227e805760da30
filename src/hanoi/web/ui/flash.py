"""One-shot confirmations: what an action did, shown once on the page it leads to.

A view that succeeds calls :func:`flash` before its 303 redirect; the next page
rendered for the session takes the messages (:func:`take_flashes`, called by
``UiSite.page``) and shows them, translated, in a polite live region at the top of
the page. Messages are catalogue ids (``N_()``) with named values, never HTML (the
template escapes them). A value is either plain text (a request id, a State's name
already in the reader's words) or, given in ``labels``, a catalogue id translated
when shown (a step's label).
"""

from __future__ import annotations

from collections.abc import Mapping

from babel.support import Translations
from starlette.requests import Request

from hanoi.i18n.messages import Message

FLASH_KEY = "flash"
MAX_FLASHES = 5
"""A session keeps at most this many unread confirmations (the newest)."""
MAX_VALUE = 200


def flash(
    request: Request,
    message: Message,
    *,
    labels: Mapping[str, Message] | None = None,
    **values: str,
) -> None:
    """Show ``message`` once, its ``%(name)s`` placeholders filled from ``values`` (as
    given) and ``labels`` (catalogue ids, translated when shown)."""
    pending = list(request.session.get(FLASH_KEY, []))
    plain = {name: str(value)[:MAX_VALUE] for name, value in values.items()}
    pending.append([str(message), plain, {k: str(v) for k, v in (labels or {}).items()}])
    request.session[FLASH_KEY] = pending[-MAX_FLASHES:]


def take_flashes(request: Request, catalogue: Translations) -> list[str]:
    """The confirmations not yet shown, oldest first, in ``catalogue``'s language; they
    are not shown again. A malformed entry (a session from another version) is dropped."""
    if FLASH_KEY not in request.session:
        return []
    pending = request.session.pop(FLASH_KEY)
    shown = []
    for entry in pending if isinstance(pending, list) else []:
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)):
            continue
        message, plain, labels = entry
        if not (isinstance(plain, dict) and isinstance(labels, dict)):
            continue
        values = {str(k): str(v) for k, v in plain.items()}
        values.update({str(k): catalogue.gettext(str(v)) for k, v in labels.items()})
        try:
            shown.append(catalogue.gettext(message) % values)
        except (KeyError, ValueError, TypeError):
            continue
    return shown
