"""The directory of States as frozen dataclasses. Pure.

A :class:`SignedDirectory` holds a :class:`Directory` (version, issue and
expiry times, one :class:`SignedStateEntry` per State that runs a node, and
optionally one :class:`OfflineState` per State that does not) and the directory
authority's signature over it. Each :class:`StateEntry` says who the State's
authorities are, how to reach them and which languages they accept, which
channels it takes requests by, where its node is, which keys sign for it
(:class:`NodeKey`, each with a validity period, so a new key can be listed
beside the old one during a rotation), its age recipient, its custody log and
witness keys, the certificates its letters are signed with, and its
declarations. An :class:`OfflineState` says the same of a State without a node
(authorities, channels, declarations), as the secretariat recorded it.
:meth:`Directory.contact_of` answers both alike (:class:`StateContact`).

Members this version does not know are kept in ``extra`` and written back, so
a document signed by a newer version still verifies here. Build instances
through :mod:`hanoi.directory.codec`, which checks every member; the
constructors do not.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hanoi import wire
from hanoi.crypto.ed25519keys import b64url
from hanoi.custody.succession import FormerLog
from hanoi.directory.errors import KeyNotYetValid, KeyRetired, UnknownKey, UnknownState

DIRECTORY_FORMAT = "hanoi-directory/1"
ENTRY_FORMAT = "hanoi-directory-entry/1"
AUTHORITY_KINDS = ("central-authority", "point-of-contact")
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
"""The six official languages of the United Nations: the keys of an authority's ``names``."""
CHANNELS = ("hanoi", "diplomatic", "email", "interpol", "courier", "other")
"""The channels a request may go by (Art. 40(14)): a Hanoi node, diplomatic channels,
e-mail between central authorities, INTERPOL's I-24/7 network, courier, or another."""
NETWORK_CHANNEL = "hanoi"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_B64URL = re.compile(r"[A-Za-z0-9_-]*")

DeclarationValue = str | bool | int


def format_time(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, with ``Z``: the only spelling the directory uses
    (:func:`hanoi.wire.format_time`, whole seconds); ``ValueError`` for a naive time."""
    return wire.format_time(moment, whole_seconds=True)


def parse_time(text: str) -> datetime:
    """The inverse of :func:`format_time`; raises ``ValueError`` for any other spelling."""
    try:
        return wire.parse_time(text, whole_seconds=True)
    except wire.NotCanonical:
        raise ValueError("not in the form YYYY-MM-DDTHH:MM:SSZ") from None


def decode_public_key(text: str) -> Ed25519PublicKey:
    """A raw Ed25519 public key in unpadded base64url; raises ``ValueError`` otherwise."""
    if len(text) != 43 or not _B64URL.fullmatch(text):
        raise ValueError("an Ed25519 public key is 43 base64url characters")
    raw = base64.urlsafe_b64decode(text + "=")
    if b64url(raw) != text:
        raise ValueError("the public key is not canonical base64url")
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class Authority:
    """A central authority (Art. 40(13)) or a 24/7 point of contact (Art. 41).

    ``name`` is the authority's own name, in the language it uses itself; ``names``
    optionally gives it in some of the six UN languages (:data:`UN_LANGUAGES`).
    ``contact`` is free text; ``postal_address`` (lines separated by ``\\n``),
    ``email`` and ``telephone`` optionally say the same in a structured way, for a
    request that goes by letter. An authority without an optional member is written
    without it, so an entry signed before the member existed is written back, and
    verifies, byte for byte.
    """

    kind: str
    name: str
    languages: tuple[str, ...]
    contact: str
    extra: Mapping[str, Any] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    postal_address: str = ""
    email: str = ""
    telephone: str = ""

    def name_in(self, language: str) -> tuple[str, str]:
        """The name to show to a reader of ``language``, and the language it is in.

        The name in ``language`` when ``names`` has it; else the own ``name``, whose
        language is the one ``names`` gives the same text for, or ``""`` (unknown).
        """
        translated = self.names.get(language)
        if translated is not None:
            return translated, language
        own = next((tag for tag, text in self.names.items() if text == self.name), "")
        return self.name, own

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            **self.extra,
            "kind": self.kind,
            "name": self.name,
            "languages": list(self.languages),
            "contact": self.contact,
        }
        if self.names:
            value["names"] = dict(self.names)
        for name, text in (
            ("postal_address", self.postal_address),
            ("email", self.email),
            ("telephone", self.telephone),
        ):
            if text:
                value[name] = text
        return value


@dataclass(frozen=True)
class NodeKey:
    """A node signing key (Ed25519) and when it may sign.

    ``key_id`` is the RFC 7638 JWK thumbprint, the ``kid`` of the JWS it signs.
    The key is valid from ``valid_from`` (inclusive) until ``valid_until``
    (exclusive; none means until replaced).
    """

    key_id: str
    public_key: str  # base64url, as in a JWK "x"
    valid_from: datetime
    valid_until: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def public(self) -> Ed25519PublicKey:
        return decode_public_key(self.public_key)

    def check_valid_at(self, at: datetime, *, state: str) -> None:
        """Raise :class:`KeyNotYetValid` or :class:`KeyRetired` unless it may sign at ``at``."""
        if at < self.valid_from:
            raise KeyNotYetValid(
                f"key {self.key_id} of {state} is valid only from "
                f"{format_time(self.valid_from)}, not at {format_time(at)}"
            )
        if self.valid_until is not None and at >= self.valid_until:
            raise KeyRetired(
                f"key {self.key_id} of {state} was retired at "
                f"{format_time(self.valid_until)}; it cannot sign at {format_time(at)}"
            )

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            **self.extra,
            "key_id": self.key_id,
            "public_key": self.public_key,
            "valid_from": format_time(self.valid_from),
        }
        if self.valid_until is not None:
            value["valid_until"] = format_time(self.valid_until)
        return value


@dataclass(frozen=True)
class StateEntry:
    """What one State publishes about itself. Signed by that State's own node key."""

    state: str  # ISO 3166-1 alpha-3
    name: str
    serial: int  # grows each time the State changes its entry
    node_url: str
    authorities: tuple[Authority, ...]
    keys: tuple[NodeKey, ...]
    age_recipient: str
    log_origin: str
    log_verifier_key: str  # C2SP signed-note verifier key, as ``hanoi node show`` prints it
    witness_name: str
    witness_key: str  # C2SP tlog-cosignature verifier key
    declarations: Mapping[str, DeclarationValue] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    channels: tuple[str, ...] = ()
    """The channels it takes requests by, most preferred first; none given means
    its node only (:meth:`accepted_channels`)."""
    document_certificates: tuple[str, ...] = ()
    """DER X.509 certificates its node signs letters with, in standard base64."""
    former_logs: tuple[FormerLog, ...] = ()
    """Log origins its custody log went on from after a log key rotation, newest first,
    each with the succession that ends it (ADR 0051)."""

    def accepted_channels(self) -> tuple[str, ...]:
        return self.channels or (NETWORK_CHANNEL,)

    def key(self, key_id: str) -> NodeKey:
        for key in self.keys:
            if key.key_id == key_id:
                return key
        raise UnknownKey(f"{self.state} lists no key {key_id[:64]!r}")

    def has_key(self, key_id: str) -> bool:
        return any(key.key_id == key_id for key in self.keys)

    def authorities_of(self, kind: str) -> tuple[Authority, ...]:
        return tuple(a for a in self.authorities if a.kind == kind)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.extra,
            "format": ENTRY_FORMAT,
            "state": self.state,
            "name": self.name,
            "serial": self.serial,
            "node_url": self.node_url,
            "authorities": [a.to_json() for a in self.authorities],
            "keys": [k.to_json() for k in self.keys],
            "age_recipient": self.age_recipient,
            "log_origin": self.log_origin,
            "log_verifier_key": self.log_verifier_key,
            "witness_name": self.witness_name,
            "witness_key": self.witness_key,
            "declarations": dict(self.declarations),
            **({"channels": list(self.channels)} if self.channels else {}),
            **(
                {"document_certificates": list(self.document_certificates)}
                if self.document_certificates
                else {}
            ),
            **(
                {"former_logs": [f.as_json() for f in self.former_logs]} if self.former_logs else {}
            ),
        }


@dataclass(frozen=True)
class SignedStateEntry:
    """An entry and its detached JWS signatures (one or more of the State's keys)."""

    entry: StateEntry
    signatures: tuple[str, ...]

    @property
    def state(self) -> str:
        return self.entry.state

    def to_json(self) -> dict[str, Any]:
        return {"entry": self.entry.to_json(), "signatures": list(self.signatures)}


@dataclass(frozen=True)
class OfflineState:
    """A State that runs no Hanoi node: how to reach its authorities by other channels.

    The secretariat records it from what the State told it (``source``: a note
    verbale, the UNODC directory of competent national authorities...) as of
    ``updated``. Only the directory authority's signature covers it: there is no
    node key to sign it with. ``channels`` never holds ``hanoi``.
    """

    state: str  # ISO 3166-1 alpha-3
    name: str
    authorities: tuple[Authority, ...]
    channels: tuple[str, ...]
    source: str
    updated: date
    declarations: Mapping[str, DeclarationValue] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.extra,
            "state": self.state,
            "name": self.name,
            "authorities": [a.to_json() for a in self.authorities],
            "channels": list(self.channels),
            "declarations": dict(self.declarations),
            "source": self.source,
            "updated": self.updated.isoformat(),
        }


@dataclass(frozen=True)
class StateContact:
    """How to address a request to a State, whether it runs a node or not.

    ``channels`` are the ones it takes requests by, most preferred first (a node
    State that lists none: ``("hanoi",)``). ``source`` and ``updated`` are the
    secretariat's, for a State off the network; ``document_certificates`` and
    ``node_url`` are a node State's.
    """

    state: str
    name: str
    on_network: bool
    authorities: tuple[Authority, ...]
    channels: tuple[str, ...]
    declarations: Mapping[str, DeclarationValue]
    document_certificates: tuple[str, ...] = ()
    node_url: str = ""
    source: str = ""
    updated: date | None = None

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages any of its authorities accepts, in the order listed (Art. 40(14));
        each authority's own are in its ``languages``."""
        return tuple(dict.fromkeys(tag for a in self.authorities for tag in a.languages))

    def authorities_of(self, kind: str) -> tuple[Authority, ...]:
        return tuple(a for a in self.authorities if a.kind == kind)

    @classmethod
    def of_entry(cls, entry: StateEntry) -> StateContact:
        return cls(
            state=entry.state,
            name=entry.name,
            on_network=True,
            authorities=entry.authorities,
            channels=entry.accepted_channels(),
            declarations=entry.declarations,
            document_certificates=entry.document_certificates,
            node_url=entry.node_url,
        )

    @classmethod
    def of_offline(cls, offline: OfflineState) -> StateContact:
        return cls(
            state=offline.state,
            name=offline.name,
            on_network=False,
            authorities=offline.authorities,
            channels=offline.channels,
            declarations=offline.declarations,
            source=offline.source,
            updated=offline.updated,
        )


@dataclass(frozen=True)
class Directory:
    """The document the directory authority signs."""

    version: int
    issued_at: datetime
    expires: datetime
    states: tuple[SignedStateEntry, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)
    offline_states: tuple[OfflineState, ...] = ()

    def entry(self, state: str) -> SignedStateEntry:
        for signed in self.states:
            if signed.state == state:
                return signed
        raise UnknownState(f"{state[:16]!r} is not in directory version {self.version}")

    def state_codes(self) -> tuple[str, ...]:
        """The States that run a node (the only ones messages go to and come from)."""
        return tuple(signed.state for signed in self.states)

    def offline(self, state: str) -> OfflineState | None:
        return next((o for o in self.offline_states if o.state == state), None)

    def all_states(self) -> tuple[str, ...]:
        """Every State the directory lists, with a node or without, by code."""
        return tuple(sorted({*self.state_codes(), *(o.state for o in self.offline_states)}))

    def contact_of(self, state: str) -> StateContact | None:
        """How to reach ``state`` (with a node or without); None when it is not listed."""
        for signed in self.states:
            if signed.state == state:
                return StateContact.of_entry(signed.entry)
        offline = self.offline(state)
        return StateContact.of_offline(offline) if offline is not None else None

    def to_json(self) -> dict[str, Any]:
        value = {
            **self.extra,
            "format": DIRECTORY_FORMAT,
            "version": self.version,
            "issued_at": format_time(self.issued_at),
            "expires": format_time(self.expires),
            "states": [s.to_json() for s in self.states],
        }
        if self.offline_states:
            value["offline_states"] = [o.to_json() for o in self.offline_states]
        return value


@dataclass(frozen=True)
class SignedDirectory:
    """A directory and the directory authority's detached JWS over it."""

    directory: Directory
    signature: str

    @property
    def version(self) -> int:
        return self.directory.version

    def to_json(self) -> dict[str, Any]:
        return {"directory": self.directory.to_json(), "signature": self.signature}
