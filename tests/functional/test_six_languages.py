"""Every page of the journey, in each of the six languages, holds no English the
catalogues translate.

Two nodes (Egypt and Viet Nam, with a signed directory) carry requests into every
state a page shows differently: a draft, a draft awaiting approval, a consultation
with terms proposed both ways, an accepted request with conditions, a refusal, a
preservation counting down. Each page is then read in Arabic, Chinese, French, Russian
and Spanish, and its visible text (text nodes, and the ``aria-label``, ``title``, ``alt``
and ``placeholder`` attributes a screen reader speaks) is searched for:

- any English message of the UI catalogues whose translation in that language differs
  (a whole text node for a one-word message, a fragment between placeholders for the
  others), and
- any English label of the Convention catalogue (kinds, items, grounds, conditions) that
  the language has a text of its own for.

Text the page marks as English on purpose (``lang="en"``: the product's name, the version)
and what the officers typed (written here so that it matches no catalogue text) are not
catalogue English.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from hanoi.accounts.model import Role, User
from hanoi.clock import FixedClock
from hanoi.convention import Language, default_catalogue
from hanoi.convention.labels import FALLBACK
from hanoi.cooperation import Condition, Side
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.wiring import Node
from support_cooperation import deliver
from support_directory import import_directory
from support_nodes import T0, build_node
from support_ui import PASSWORD, csrf, signed_in
from unit.cooperation.builders import complete_contents

LOCALE = Path(__file__).parents[2] / "src" / "hanoi" / "i18n" / "locale"
OTHER_LANGUAGES = ("ar", "zh", "fr", "ru", "es")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
MLA = "mla-stored-data"
PRESERVATION = "expedited-preservation"
SPOKEN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


# --- what a page shows ------------------------------------------------------------------


class _VisibleText(HTMLParser):
    """The texts a reader sees or hears, outside elements marked ``lang="en"``."""

    SKIPPED = frozenset({"script", "style", "template"})
    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                      "meta", "source", "track", "wbr"})  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._stack: list[bool] = []  # per open element: hidden from this scan

    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = tag in self.SKIPPED or values.get("lang") == "en"
        if not hidden and not self._hidden():
            self.texts += [v for k, v in attrs if k in SPOKEN_ATTRIBUTES and v]
        if tag not in self.VOID:
            self._stack.append(hidden)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._hidden():
            self.texts += [v for k, v in attrs if k in SPOKEN_ATTRIBUTES and v]

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden():
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.texts


# --- the English a page must not show -----------------------------------------------------


@dataclass(frozen=True)
class English:
    words: frozenset[str]
    """One-word messages: wrong as a whole text node."""
    fragments: frozenset[str]
    """Longer messages, cut at their placeholders: wrong anywhere in a text."""


@cache
def catalogue_english(language: str) -> English:
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    words, fragments = set(), set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if english in strings:
                continue  # the same in this language ("Hanoi", "SHA-256")
            if " " not in english and len(english) >= 4 and english[0].isupper():
                words.add(english)  # a one-word message: wrong as a whole text
                continue
            for piece in PLACEHOLDER.split(english):
                piece = piece.strip(" :;,.()·")
                if len(piece.split()) >= 2 and len(piece) >= 12:
                    fragments.add(piece)
    translated = {
        text
        for message in catalog
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
        if text
    }
    words -= translated  # "Close" is French for "Closed" (une demande close)
    labels = default_catalogue().labels
    keys = default_catalogue().label_keys()
    own = keys - labels.missing(Language(language), keys)
    for key in own:
        english = labels.text(key, FALLBACK)
        if labels.text(key, Language(language)) == english or "{" in english:
            continue
        if len(english.split()) >= 2 and len(english) >= 12:
            fragments.add(english)
    return English(words=frozenset(words), fragments=frozenset(fragments))


def leaks(html: str, language: str) -> list[str]:
    english = catalogue_english(language)
    found = []
    for text in visible_texts(html):
        if text in english.words:
            found.append(text)
        found += [f for f in english.fragments if f in text]
    return sorted(set(found))


# --- the journey ------------------------------------------------------------------------


@dataclass
class Desk:
    node: Node
    clients: dict[str, TestClient]

    def user(self, name: str) -> User:
        return self.node.accounts.named(name)


def _desk(node: Node, users: dict[str, Role]) -> Desk:
    for name, role in users.items():
        node.accounts.add_user(name=name, role=role, password=PASSWORD)
    return Desk(node=node, clients={name: signed_in(node, name) for name in users})


def _step(desk: Desk, name: str, request_id: str, step: str, **values: object) -> None:
    desk.node.cooperation.take(desk.user(name), request_id, StepInput(transition=step, **values))


def _hand_over(sender: Desk, name: str, request_id: str, to: Desk) -> None:
    copy = sender.node.cooperation.show(sender.user(name), request_id).request
    to.node.cooperation.apply_remote(copy, sender=sender.node.identity.state)


def _drafted(egy: Desk, kind: str) -> str:
    contents = complete_contents(default_catalogue().kind(kind))
    view = egy.node.cooperation.draft(
        egy.user("amira"), DraftInput(kind=kind, requested_state="VNM", contents=contents)
    )
    return view.request.id


def _sent(egy: Desk, vnm: Desk, kind: str) -> str:
    request_id = _drafted(egy, kind)
    _step(egy, "amira", request_id, "submit")
    _step(egy, "samir", request_id, "approve")
    _step(egy, "samir", request_id, "send")
    deliver(egy.node.cooperation.show(egy.user("samir"), request_id).request, vnm.node)
    return request_id


@dataclass
class Journey:
    egy: Desk
    vnm: Desk
    pages: list[tuple[Desk, str, str]]
    """(desk, user, path) of every page to read."""


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    root = tmp_path_factory.mktemp("six-languages")
    clock = FixedClock(T0)
    egy = _desk(
        build_node(root / "egy", "EGY", None, clock),
        {"amira": Role.OFFICER, "samir": Role.SUPERVISOR},
    )
    vnm = _desk(
        build_node(root / "vnm", "VNM", None, clock),
        {"lan": Role.SUPERVISOR, "minh": Role.POINT_OF_CONTACT},
    )
    import_directory([egy.node, vnm.node], into=[egy.node, vnm.node], clock=clock)

    draft = _drafted(egy, MLA)
    submitted = _drafted(egy, MLA)
    _step(egy, "amira", submitted, "submit")

    consulted = _sent(egy, vnm, MLA)
    _step(vnm, "lan", consulted, "acknowledge")
    _step(vnm, "lan", consulted, "consult", reasons="Lorem ipsum dolor sit amet.")
    _hand_over(vnm, "lan", consulted, to=egy)
    _step(egy, "samir", consulted, "propose-terms", reasons="Consectetur adipiscing elit.")
    _hand_over(egy, "samir", consulted, to=vnm)

    accepted = _sent(egy, vnm, MLA)
    _step(vnm, "lan", accepted, "acknowledge")
    _step(vnm, "lan", accepted, "consult", reasons="Sed do eiusmod tempor.")
    _hand_over(vnm, "lan", accepted, to=egy)
    _step(egy, "samir", accepted, "agree-to-conditions")
    _hand_over(egy, "samir", accepted, to=vnm)
    terms = Condition(
        key="use-limitation", terms="Incididunt ut labore.", imposed_by=Side.REQUESTED
    )
    _step(vnm, "lan", accepted, "accept", conditions=(terms,))
    _hand_over(vnm, "lan", accepted, to=egy)

    refused = _sent(egy, vnm, MLA)
    _step(vnm, "lan", refused, "acknowledge")
    _step(vnm, "lan", refused, "consult", reasons="Magna aliqua.")
    _step(vnm, "lan", refused, "refuse", grounds=("essential-interests",), reasons="Ut enim.")
    _hand_over(vnm, "lan", refused, to=egy)

    preserved = _sent(egy, vnm, PRESERVATION)
    for step in ("acknowledge", "order-preservation"):
        _step(vnm, "minh", preserved, step)
    _step(vnm, "minh", preserved, "preserve", until=clock.now() + timedelta(days=63))
    _hand_over(vnm, "minh", preserved, to=egy)
    clock.advance(timedelta(days=58))  # the period ends within the week

    pages = [
        (egy, "amira", "/ui/"),
        (egy, "samir", "/ui/"),
        (vnm, "lan", "/ui/"),
        (vnm, "minh", "/ui/"),
        (egy, "amira", "/ui/requests?side=requesting"),
        (vnm, "lan", "/ui/requests?side=requested"),
        (egy, "amira", "/ui/requests/new"),
        (egy, "amira", f"/ui/requests/new?kind={MLA}"),
        (egy, "amira", f"/ui/requests/new?kind={PRESERVATION}"),
        (egy, "amira", f"/ui/requests/{draft}/edit"),
        (egy, "amira", f"/ui/requests/{draft}"),
        (egy, "amira", f"/ui/requests/{submitted}"),
        (egy, "samir", f"/ui/requests/{submitted}"),
        (egy, "samir", f"/ui/requests/{consulted}"),
        (vnm, "lan", f"/ui/requests/{consulted}"),
        (egy, "samir", f"/ui/requests/{accepted}"),
        (vnm, "lan", f"/ui/requests/{accepted}"),
        (vnm, "lan", f"/ui/requests/{accepted}/evidence"),
        (egy, "samir", f"/ui/requests/{refused}"),
        (vnm, "lan", f"/ui/requests/{refused}"),
        (egy, "samir", f"/ui/requests/{preserved}"),
        (vnm, "minh", f"/ui/requests/{preserved}"),
        (vnm, "minh", "/ui/deadlines"),
        (egy, "samir", "/ui/deadlines"),
        (vnm, "minh", "/ui/alerts"),
        (egy, "amira", "/ui/directory"),
        (egy, "amira", "/ui/treaty"),
        (egy, "amira", "/ui/reports/check"),
        (vnm, "lan", "/ui/statistics"),  # charts and tables of the requests above
    ]
    yield Journey(egy=egy, vnm=vnm, pages=pages)
    for desk in (egy, vnm):
        for client in desk.clients.values():
            client.__exit__(None, None, None)
        desk.node.engine.dispose()


def _choose(client: TestClient, language: str) -> None:
    chosen = client.post(
        "/ui/language", data={"csrf_token": csrf(client), "language": language, "next": "/ui/"}
    )
    assert chosen.status_code == 303


@pytest.mark.slow
@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_page_of_the_journey_is_in_the_readers_language(
    journey: Journey, language: str
) -> None:
    for desk in (journey.egy, journey.vnm):
        for client in desk.clients.values():
            _choose(client, language)
    found: dict[str, list[str]] = {}
    for desk, name, path in journey.pages:
        page = desk.clients[name].get(path)
        assert page.status_code == 200, (path, page.status_code)
        assert f'<html lang="{language}"' in page.text, path
        english = leaks(page.text, language)
        if english:
            found[f"{desk.node.identity.state} {name} {path}"] = english
    assert not found, f"catalogue English on {language} pages: {found}"


def test_the_scan_finds_english_where_a_translation_exists() -> None:
    """The scan itself: an English message or label on a French page is found; text
    marked English on purpose, and typed text, are not."""
    html = (
        '<html lang="fr"><body><p>Awaiting approval</p><p>Décision</p>'
        '<p>Preserved until 15 mai 2026</p><span lang="en">Waiting for a supervisor</span>'
        '<p>Lorem ipsum dolor sit amet.</p><button aria-label="Sign out everywhere">x</button>'
        "</body></html>"
    )
    assert leaks(html, "fr") == ["Awaiting approval", "Preserved until", "Sign out everywhere"]
