"""The directory page: the signed directory of States this node holds (``docs/directory.md``).

Read only. For each State, with a Hanoi node or without one: its central authorities
(Art. 40(13)) and 24/7 point of contact (Art. 41(1)) with how to reach them (contact,
postal address, e-mail, telephone) and the languages they take requests in
(Art. 40(14)), the channels it takes requests by, and its node and signing keys, or,
for a State without a node, where the secretariat took its data from; and the
document's version and validity. The trust rules are :mod:`hanoi.directory`'s; this
module shows what ``node.federation.directory`` holds, filtered by State or language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from hanoi.accounts.model import Action
from hanoi.convention import default_catalogue
from hanoi.cooperation.kinds import POINT_OF_CONTACT_SOURCE
from hanoi.cooperation.table import CENTRAL_AUTHORITY, FORM
from hanoi.directory.model import Authority, StateContact, StateEntry
from hanoi.directory.trust import TrustedDirectory
from hanoi.errors import InvalidInput, Unavailable
from hanoi.i18n.formatting import LocaleFormat, sort_key
from hanoi.i18n.labels import CHANNEL_LABELS
from hanoi.i18n.messages import Message
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.routes import csrf_guard
from hanoi.web.ui.site import PREFIX, request_language

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

NEAR_EXPIRY = timedelta(days=30)
"""From how long before it expires the page warns that a newer directory is due."""
STATE_CODE = re.compile(r"^[A-Z]{3}$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}$")


@dataclass(frozen=True, slots=True)
class AuthorityRow:
    """A central authority or point of contact: its name, how to reach it, its languages.

    ``name`` is in the page's language when the entry gives it, else the authority's
    own; ``lang`` is the language of the name shown (``""`` when unknown), for the
    element's ``lang`` attribute. ``postal_address`` keeps its line feeds.
    """

    name: str
    contact: str
    languages: tuple[str, ...]
    lang: str = ""
    postal_address: str = ""
    email: str = ""
    telephone: str = ""


@dataclass(frozen=True, slots=True)
class KeyRow:
    key_id: str
    valid_from: datetime
    valid_until: datetime | None


@dataclass(frozen=True, slots=True)
class StateRow:
    """A State as the directory page and the draft form show it.

    ``on_network``: it runs a Hanoi node (``node_url``, ``serial`` and ``keys`` are its
    entry's); else ``source`` and ``updated_text`` say where and when the secretariat
    recorded it. ``channels`` are labels to translate, most preferred first.
    """

    code: str
    name: str
    entry_name: str
    serial: int
    central: tuple[AuthorityRow, ...]
    contact_points: tuple[AuthorityRow, ...]
    languages: tuple[str, ...]
    node_url: str
    keys: tuple[KeyRow, ...]
    on_network: bool = True
    channels: tuple[Message, ...] = ()
    source: str = ""
    updated_text: str = ""


@dataclass(frozen=True, slots=True)
class DirectoryView:
    version: int
    issued_text: str
    expires: datetime
    expires_text: str
    expired: bool
    expiring: bool
    left: str
    authority_key_id: str
    rows: tuple[StateRow, ...]
    total: int
    offline_total: int
    states: tuple[tuple[str, str], ...]
    languages: tuple[tuple[str, str], ...]
    articles: dict[str, str]


def _authority(fmt: LocaleFormat, authority: Authority) -> AuthorityRow:
    name, lang = authority.name_in(fmt.language.value)
    return AuthorityRow(
        name=name,
        contact=authority.contact,
        languages=tuple(fmt.language_name(tag) for tag in authority.languages),
        lang=lang,
        postal_address=authority.postal_address,
        email=authority.email,
        telephone=authority.telephone,
    )


def state_row(
    fmt: LocaleFormat, contact: StateContact, entry: StateEntry | None = None
) -> StateRow:
    """The row of a State: ``entry`` is its signed entry when it runs a node."""
    return StateRow(
        code=contact.state,
        name=fmt.territory(contact.state),
        entry_name=contact.name,
        serial=entry.serial if entry is not None else 0,
        central=tuple(_authority(fmt, a) for a in contact.authorities_of("central-authority")),
        contact_points=tuple(
            _authority(fmt, a) for a in contact.authorities_of("point-of-contact")
        ),
        languages=tuple(fmt.language_name(tag) for tag in contact.languages),
        node_url=contact.node_url,
        keys=tuple(KeyRow(k.key_id, k.valid_from, k.valid_until) for k in entry.keys)
        if entry is not None
        else (),
        on_network=contact.on_network,
        channels=tuple(CHANNEL_LABELS[c] for c in contact.channels),
        source=contact.source,
        updated_text=fmt.date(contact.updated, "medium") if contact.updated else "",
    )


def _matches(contact: StateContact, state: str, language: str) -> bool:
    if state and contact.state != state:
        return False
    return not language or language.casefold() in (tag.casefold() for tag in contact.languages)


def _filters(
    fmt: LocaleFormat, contacts: Sequence[StateContact]
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The choices of the filter form: every State, and every language any State takes."""
    states = sorted(
        ((c.state, fmt.territory(c.state)) for c in contacts), key=lambda s: sort_key(s[1])
    )
    tags = dict.fromkeys(tag for c in contacts for tag in c.languages)
    languages = sorted(((t, fmt.language_name(t)) for t in tags), key=lambda t: sort_key(t[1]))
    return tuple(states), tuple(languages)


def directory_view(
    held: TrustedDirectory, *, now: datetime, fmt: LocaleFormat, state: str, language: str
) -> DirectoryView:
    directory = held.directory
    entries = {signed.state: signed.entry for signed in directory.states}
    contacts = [
        *(StateContact.of_entry(e) for e in entries.values()),
        *(StateContact.of_offline(o) for o in directory.offline_states),
    ]
    rows = sorted(
        (state_row(fmt, c, entries.get(c.state)) for c in contacts if _matches(c, state, language)),
        key=lambda row: (sort_key(row.name), row.code),
    )
    states, languages = _filters(fmt, contacts)
    catalogue = default_catalogue()
    return DirectoryView(
        version=directory.version,
        issued_text=fmt.moment(directory.issued_at),
        expires=directory.expires,
        expires_text=fmt.moment(directory.expires),
        expired=now >= directory.expires,
        expiring=now < directory.expires <= now + NEAR_EXPIRY,
        left=fmt.time_left(directory.expires - now),
        authority_key_id=held.authority_key_id,
        rows=tuple(rows),
        total=len(contacts),
        offline_total=len(directory.offline_states),
        states=states,
        languages=languages,
        articles={
            name: catalogue.cite(source, fmt.language).replace(" ", "\u00a0")  # one line
            for name, source in (
                ("central", CENTRAL_AUTHORITY),
                ("contact", POINT_OF_CONTACT_SOURCE),
                ("languages", FORM),
            )
        },
    )


def _parse_filters(state: str, language: str) -> tuple[str, str]:
    state, language = state.strip().upper(), language.strip()
    if state and not STATE_CODE.match(state):
        raise InvalidInput("a State is a three-letter code")
    if language and not LANGUAGE_TAG.match(language):
        raise InvalidInput("a language is a BCP 47 tag")
    return state, language


@router.get("/directory")
def directory_page(
    request: Request,
    user: UiUser,
    ui: Site,
    state: Annotated[str, Query(max_length=16)] = "",
    language: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    require_action(user, Action.READ)
    state, language = _parse_filters(state, language)
    try:
        held = ui.node.federation.directory.current()
    except Unavailable:
        held = None
    view = (
        directory_view(
            held,
            now=ui.node.clock.now(),
            fmt=LocaleFormat(request_language(request)),
            state=state,
            language=language,
        )
        if held is not None
        else None
    )
    return ui.page(
        request,
        "directory.html",
        user=user,
        held=view,
        chosen_state=state,
        chosen_language=language,
    )
