"""Where evidence comes from, and on what terms it may be used: parts of the signed statement.

Three optional members of the statement (``hanoi.evidence.statement``), each kept whole by
readers that do not know them (they are signed with the rest):

- each payload entry's ``acquisition``: how the State that collected the file obtained
  it (source, legal basis or order, time obtained, method, officer, executing authority,
  article), as a court must see it (Arts. 27-28, 40(17)), and, for a file another State
  sent it off the network, from which State, by which channel, under which reference;
- ``terms``: the conditions on use, confidentiality, personal data and onward transfer,
  each with the State that imposed it, the article, and the step of the request at which
  it was set and agreed (Arts. 36, 40(19)-(20)). A further use or transfer needs the
  consent of the State that imposed the term: for evidence given in execution of a
  request, the requested State;
- ``origins``: for evidence received from another State and exported again (to a court),
  the folders of this bag that carry the originating package's signed statement, custody
  proofs and CASE/UCO description whole, so that the chain runs unbroken from the
  collection to the courtroom (ADR 0021).

Pure: JSON in, typed values out, ``MalformedPackage`` naming the member otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from hanoi.evidence.fields import (
    check_state,
    check_text,
    known_and_unknown,
    parse_utc,
    utc_text,
)
from hanoi.evidence.layout import check_relative_path
from hanoi.evidence.package_errors import MalformedPackage

MAX_TEXT = 500
MAX_TERM = 4000
MAX_CHANNEL = 16
MAX_REFERENCE = 200
NETWORK_CHANNEL = "hanoi"
_CHANNEL = re.compile(r"[a-z][a-z0-9-]*")
"""A channel's name (``hanoi.cooperation.routes.Route``); a reader accepts names it does
not know yet, as it keeps members it does not know."""
ORIGINS_DIR = "origins"


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def _optional_text(value: object, name: str, *, max_chars: int = MAX_TEXT) -> str | None:
    return None if value is None else check_text(value, name, max_chars=max_chars)


@dataclass(frozen=True, slots=True)
class PayloadAcquisition:
    """How the collecting State obtained one payload file.

    ``state`` is the State that collected it into its records. When that State received
    the file from another State off the network (a State without a node sends evidence on
    media, by courier or in the diplomatic bag), ``received_from`` names the sending State,
    ``channel`` the channel (``diplomatic``, ``courier``...; never ``hanoi``: evidence over
    the network travels in a package, with its own statement) and ``channel_reference``
    the consignment's reference: all three, or none. They are written only when present,
    so the statement of a file collected otherwise is the same as before."""

    source_kind: str
    source: str
    obtained_at: datetime
    method: str
    officer: str
    state: str
    article: str
    legal_basis: str | None = None
    authority: str | None = None
    received_from: str | None = None
    channel: str | None = None
    channel_reference: str | None = None
    unknown: Mapping[str, Any] = field(default_factory=dict)

    _KNOWN = ("source_kind", "source", "obtained_at", "method", "officer", "state", "article")
    _OPTIONAL = (
        "legal_basis",
        "authority",
        "received_from",
        "channel",
        "channel_reference",
    )
    _RECEIPT = ("received_from", "channel", "channel_reference")

    def __post_init__(self) -> None:
        object.__setattr__(self, "unknown", _frozen(self.unknown))
        for name in ("source_kind", "source", "method", "officer", "article"):
            check_text(getattr(self, name), f"acquisition.{name}", max_chars=MAX_TEXT)
        check_state(self.state)
        for name in ("legal_basis", "authority"):
            _optional_text(getattr(self, name), f"acquisition.{name}")
        self._check_receipt()

    def _check_receipt(self) -> None:
        given = [name for name in self._RECEIPT if getattr(self, name) is not None]
        if not given:
            return
        if len(given) < len(self._RECEIPT):
            raise MalformedPackage(
                "acquisition.received_from, acquisition.channel and "
                "acquisition.channel_reference are given together, or not at all"
            )
        if check_state(self.received_from) == self.state:
            raise MalformedPackage(
                f"acquisition.received_from is another State than {self.state}, which "
                "collected the file"
            )
        channel = check_text(self.channel, "acquisition.channel", max_chars=MAX_CHANNEL)
        if not _CHANNEL.fullmatch(channel) or channel == NETWORK_CHANNEL:
            raise MalformedPackage(
                "acquisition.channel is a channel off the network, such as diplomatic or "
                "courier (evidence over the network travels in a package)"
            )
        check_text(self.channel_reference, "acquisition.channel_reference", max_chars=MAX_REFERENCE)

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = dict(self.unknown)
        value.update(
            source_kind=self.source_kind,
            source=self.source,
            obtained_at=utc_text(self.obtained_at),
            method=self.method,
            officer=self.officer,
            state=self.state,
            article=self.article,
        )
        for name in self._OPTIONAL:
            if getattr(self, name) is not None:
                value[name] = getattr(self, name)
        return value

    @classmethod
    def from_json(cls, value: object) -> PayloadAcquisition:
        known, unknown = known_and_unknown(
            value, cls._KNOWN, optional=cls._OPTIONAL, what="a payload's acquisition"
        )
        known["obtained_at"] = parse_utc(known["obtained_at"], "acquisition.obtained_at")
        return cls(**known, unknown=unknown)


@dataclass(frozen=True, slots=True)
class Term:
    """One condition on the evidence, and who imposed it.

    ``kind``: ``use-limitation`` (Art. 40(19)), ``confidentiality`` (Art. 40(20)),
    ``personal-data-protection`` (Art. 36(1)(b)), ``onward-transfer-authorization``
    (Art. 36(3)), or another condition of the catalogue. ``step``/``step_time``: the step
    of the request at which it was set (``accept``, ``agree-to-conditions``...), absent for
    the Convention's own terms; ``agreed_time``: when the other State agreed to it."""

    kind: str
    imposed_by: str
    text: str
    article: str
    step: str | None = None
    step_time: datetime | None = None
    agreed_time: datetime | None = None
    unknown: Mapping[str, Any] = field(default_factory=dict)

    _KNOWN = ("kind", "imposed_by", "text", "article")
    _OPTIONAL = ("step", "step_time", "agreed_time")

    def __post_init__(self) -> None:
        object.__setattr__(self, "unknown", _frozen(self.unknown))
        check_text(self.kind, "term.kind", max_chars=64)
        check_state(self.imposed_by)
        check_text(self.text, "term.text", max_chars=MAX_TERM)
        check_text(self.article, "term.article", max_chars=MAX_TEXT)
        _optional_text(self.step, "term.step", max_chars=64)

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = dict(self.unknown)
        value.update(
            kind=self.kind, imposed_by=self.imposed_by, text=self.text, article=self.article
        )
        if self.step is not None:
            value["step"] = self.step
        for name in ("step_time", "agreed_time"):
            moment = getattr(self, name)
            if moment is not None:
                value[name] = utc_text(moment)
        return value

    @classmethod
    def from_json(cls, value: object) -> Term:
        known, unknown = known_and_unknown(value, cls._KNOWN, optional=cls._OPTIONAL, what="a term")
        for name in ("step_time", "agreed_time"):
            if name in known:
                known[name] = parse_utc(known[name], f"term.{name}")
        return cls(**known, unknown=unknown)


@dataclass(frozen=True, slots=True)
class Origin:
    """A package received from another State, carried whole in ``folder`` of this bag."""

    package_id: str
    sending_state: str
    folder: str
    unknown: Mapping[str, Any] = field(default_factory=dict)

    _KNOWN = ("package_id", "sending_state", "folder")

    def __post_init__(self) -> None:
        object.__setattr__(self, "unknown", _frozen(self.unknown))
        check_text(self.package_id, "origin.package_id", max_chars=64)
        check_state(self.sending_state)
        folder = check_relative_path(check_text(self.folder, "origin.folder", max_chars=200))
        if folder != origin_folder(self.package_id):
            raise MalformedPackage(
                f"origin folder {folder[:80]!r} is not {origin_folder(self.package_id)!r}"
            )

    def path(self, relative: str) -> str:
        """Where a file of the originating package is in this bag."""
        return f"{self.folder}/{relative}"

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = dict(self.unknown)
        value.update(
            package_id=self.package_id, sending_state=self.sending_state, folder=self.folder
        )
        return value

    @classmethod
    def from_json(cls, value: object) -> Origin:
        known, unknown = known_and_unknown(value, cls._KNOWN, what="an origin")
        return cls(**known, unknown=unknown)


def origin_folder(package_id: str) -> str:
    """The folder that carries package ``package_id`` whole: ``origins/<id>``."""
    safe = "".join(c for c in package_id if c.isalnum() or c in "-_.")
    if safe != package_id or not safe:
        raise MalformedPackage(f"package id {package_id[:80]!r} cannot name a folder")
    return f"{ORIGINS_DIR}/{package_id}"


def is_origin_path(path: str) -> bool:
    return path.startswith(ORIGINS_DIR + "/")
