"""The dictionaries of the profile: ETSI's, and the profile's own, owned by ``UN``.

HI-1 names many values by a dictionary entry (owner, dictionary name, value: TS 103 120
clause 6). This profile uses:

- ETSI's dictionaries, read from the vendored ``ts_103120_ETSIDictionaryDefinitions.xml``
  (:func:`etsi_dictionaries`): ``RequestType`` (``SubscriberData``, ``TrafficData``,
  ``StoredContentData``...), ``LPTaskDesiredStatus``, ``LPTaskStatus``, ``LDTaskStatus``,
  ``DocumentType``...
- its own, owned by :data:`~hanoi.providers.hi1.messages.PROFILE_OWNER` ``UN``, generated
  from the Convention catalogue (:func:`un_dictionaries`) and shipped in ETSI's dictionary
  format as ``dictionaries/un_dictionaries.json`` beside this module
  (:func:`shipped_un_dictionaries`):

  - ``AuthorisationLegalType``: the Convention's request kinds, every kind of the catalogue
    (``auth:AuthorisationLegalType``): first those a requested State executes through a
    provider (:data:`PRESERVATION_KINDS`, :data:`DISCLOSURE_KINDS`), then those an HI-1
    message carries as an authorisation without a task (:func:`authorisation_only_kinds`);
  - ``RefusalGround``: the Convention's grounds for refusal, for notifications that say why
    a task stops (``notification:NotificationType``);
  - ``NatureOfDeadline``: what a ``task:LDDeadline`` is.

A test holds the shipped file equal to what the catalogue generates. To regenerate it::

    PYTHONPATH=src python -c 'from hanoi.providers.hi1 import vocabulary as v
    print(v.render_un_dictionaries(), end="")' > un_dictionaries.json

(then move the file to ``dictionaries/`` beside this module).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

from defusedxml import ElementTree

from hanoi.convention.catalogue import Catalogue
from hanoi.convention.loading import default_catalogue
from hanoi.errors import Unavailable
from hanoi.providers.hi1.messages import PROFILE_OWNER
from hanoi.providers.hi1.vendored import ETSI, vendored_dir

ETSI_OWNER = "ETSI"
LEGAL_TYPE = "AuthorisationLegalType"
REFUSAL_GROUND = "RefusalGround"
NATURE_OF_DEADLINE = "NatureOfDeadline"
DEADLINE_RESPONSE_DUE = "ResponseDue"

PRESERVATION_KINDS = ("expedited-preservation",)
"""Request kinds executed by ordering a provider to preserve (``LPTaskObject``)."""
DISCLOSURE_KINDS = (
    "preserved-traffic-data-disclosure",
    "mla-stored-data",
    "mla-real-time-traffic-data",
    "law-enforcement-cooperation",
)
"""Request kinds executed by ordering a provider to disclose (``LDTaskObject``)."""


def authorisation_only_kinds(catalogue: Catalogue | None = None) -> tuple[str, ...]:
    """The catalogue's request kinds that have no HI-1 task: neither preservation nor
    disclosure of stored data (interception of content, joint investigations...). An HI-1
    message carries them as an authorisation alone."""
    catalogue = catalogue if catalogue is not None else default_catalogue()
    tasked = {*PRESERVATION_KINDS, *DISCLOSURE_KINDS}
    return tuple(key for key in catalogue.kind_keys if key not in tasked)


_NS = "{http://uri.etsi.org/03280/common/2019/10/Dictionaries}"
_SHIPPED = ("dictionaries", "un_dictionaries.json")
_CONVENTION = "of the United Nations Convention against Cybercrime"


@cache
def etsi_dictionaries() -> Mapping[str, frozenset[str]]:
    """ETSI's dictionaries (name to values), from the vendored XML definitions."""
    path = (
        vendored_dir(ETSI) / "103120" / "dictionaries" / "ts_103120_ETSIDictionaryDefinitions.xml"
    )
    try:
        root = ElementTree.fromstring(path.read_bytes())
    except (OSError, ElementTree.ParseError) as exc:
        raise Unavailable(f"ETSI's dictionary definitions cannot be read: {exc}") from None
    found: dict[str, frozenset[str]] = {}
    for dictionary in root.iter(f"{_NS}Dictionary"):
        name = dictionary.findtext(f"{_NS}Name", default="")
        values = frozenset(
            (entry.findtext(f"{_NS}Value") or "")
            for entry in dictionary.iter(f"{_NS}DictionaryEntry")
        )
        found[name] = values
    return MappingProxyType(found)


def _dictionary(name: str, entries: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "dictionaries:Owner": PROFILE_OWNER,
        "dictionaries:Name": name,
        "dictionaries:DictionaryEntries": {
            "dictionaries:DictionaryEntry": [
                {"dictionaries:Value": value, "dictionaries:Meaning": meaning}
                for value, meaning in entries
            ]
        },
    }


def un_dictionaries(catalogue: Catalogue | None = None) -> dict[str, Any]:
    """The profile's dictionaries in ETSI's format, generated from ``catalogue`` (the
    bundled one by default)."""
    catalogue = catalogue if catalogue is not None else default_catalogue()
    kinds = []
    for key in (*PRESERVATION_KINDS, *DISCLOSURE_KINDS, *authorisation_only_kinds(catalogue)):
        kind = catalogue.kind(key)
        articles = ", ".join(f"Art. {number}" for number in kind.articles)
        kinds.append((key, f"{catalogue.label(kind.title_key)} ({articles} {_CONVENTION})"))
    grounds = [
        (ground.key, f"{catalogue.label(ground.label_key)} ({catalogue.cite(ground.source)})")
        for ground in catalogue.refusal_grounds
    ]
    deadlines = [
        (
            DEADLINE_RESPONSE_DUE,
            "The time by which the requested State asks the provider for the data, so that "
            f"it can answer the requesting State in time (Art. 40(25) {_CONVENTION})",
        )
    ]
    return {
        "dictionaries:Dictionary": [
            _dictionary(LEGAL_TYPE, kinds),
            _dictionary(REFUSAL_GROUND, grounds),
            _dictionary(NATURE_OF_DEADLINE, deadlines),
        ]
    }


def render_un_dictionaries(catalogue: Catalogue | None = None) -> str:
    """:func:`un_dictionaries` as the shipped file's text (indented, UTF-8, final newline)."""
    return json.dumps(un_dictionaries(catalogue), indent=2, ensure_ascii=False) + "\n"


@cache
def shipped_un_dictionaries() -> Mapping[str, frozenset[str]]:
    """The shipped ``un_dictionaries.json`` as dictionary name to values."""
    resource = files("hanoi.providers.hi1").joinpath(*_SHIPPED)
    document = json.loads(resource.read_text(encoding="utf-8"))
    return MappingProxyType(
        {
            dictionary["dictionaries:Name"]: frozenset(
                entry["dictionaries:Value"]
                for entry in dictionary["dictionaries:DictionaryEntries"][
                    "dictionaries:DictionaryEntry"
                ]
            )
            for dictionary in document["dictionaries:Dictionary"]
        }
    )


def known_value(owner: str, name: str, value: str) -> bool:
    """Whether ``value`` is in dictionary ``name`` of ``owner`` (``ETSI`` or ``UN``)."""
    book = etsi_dictionaries() if owner == ETSI_OWNER else None
    if owner == PROFILE_OWNER:
        book = shipped_un_dictionaries()
    return book is not None and value in book.get(name, frozenset())
