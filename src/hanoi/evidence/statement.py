"""The signed statement of an evidence package: what it holds, for whom, and on what conditions.

The statement is RFC 8785 canonical JSON, signed as a JWS (RFC 7515) in compact
serialisation with EdDSA over Ed25519 (RFC 8037), by the sending node's key.
The protected header is ``{"alg": "EdDSA", "kid": <RFC 7638 thumbprint>, "typ":
"hanoi-evidence-statement+jws"}``. Any JOSE library verifies it::

    {"version": 1, "type": "hanoi.evidence-statement",
     "package_id": "<uuid>", "created": "2026-11-28T09:30:00Z",
     "sending_state": "EGY", "request": "EGY-2026-00042",
     "recipients": ["age1..."],          (or ["scrypt"]: encrypted to a passphrase)
     "conditions": {"use_limitation": "...", "confidentiality": "...",
                    "retention": "...", "onward_transfer": "..."},
     "payload": [{"name": "mailbox.mbox", "path": "data/mailbox.mbox.age",
                  "sha256": "<plaintext>", "size": 1234, "media_type": "application/mbox",
                  "ciphertext_sha256": "<age file>", "ciphertext_size": 1498}],
     "tag_files": {"bag-info.txt": "<sha256>", "custody/index.json": "<sha256>", ...}}

``tag_files`` binds every other file of the bag (except the statement itself and
``tagmanifest-sha256.txt``) to the signature. Members this version does not know
are kept, at every level, and signed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hanoi.crypto.jws import (
    JwsFormatError,
    JwsSignatureError,
    parse_compact,
    sign_compact,
    verify_parsed,
)
from hanoi.custody.encoding import load_json
from hanoi.evidence.fields import (
    check_digest,
    check_name,
    check_size,
    check_state,
    check_text,
    known_and_unknown,
    parse_utc,
    utc_text,
)
from hanoi.evidence.layout import (
    DEFAULT_PACKAGE_LIMITS,
    STATEMENT,
    TAGMANIFEST,
    PackageLimits,
    check_relative_path,
    is_payload_path,
)
from hanoi.evidence.package_errors import BadStatementSignature, MalformedPackage
from hanoi.evidence.provenance import Origin, PayloadAcquisition, Term
from hanoi.wire import canonical_json

STATEMENT_VERSION = 1
STATEMENT_TYPE = "hanoi.evidence-statement"
PASSPHRASE_RECIPIENTS = ("scrypt",)
"""``recipients`` of a package encrypted to a passphrase: the age stanza type, never the
passphrase (which travels by another channel)."""

JWS_TYPE = "hanoi-evidence-statement+jws"
WHAT = "statement.jws"


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@dataclass(frozen=True, slots=True)
class Conditions:
    """Conditions on use (Arts. 40(19), 40(20), 36(1)(b), 36(3)), as the sending State sets them."""

    use_limitation: str
    confidentiality: str
    retention: str
    onward_transfer: str
    unknown: Mapping[str, Any] = field(default_factory=dict)

    _KNOWN = ("use_limitation", "confidentiality", "retention", "onward_transfer")

    def __post_init__(self) -> None:
        object.__setattr__(self, "unknown", _frozen(self.unknown))
        for name in self._KNOWN:
            check_text(getattr(self, name), f"conditions.{name}", max_chars=4000)

    def to_json(self) -> dict[str, Any]:
        return {**self.unknown, **{name: getattr(self, name) for name in self._KNOWN}}

    @classmethod
    def from_json(cls, value: object) -> Conditions:
        known, unknown = known_and_unknown(value, cls._KNOWN, what="conditions")
        return cls(**known, unknown=unknown)


def default_conditions(*, sending_state: str, request: str | None) -> Conditions:
    """The Convention's conditions, worded for a package from ``sending_state``."""
    which = f"request {request}" if request else "the request this package answers"
    return Conditions(
        use_limitation=(
            f"Use only for the investigation, prosecution or proceedings described in {which}; "
            f"any other use needs the prior consent of {sending_state} (Art. 40(19))."
        ),
        confidentiality=(
            "Keep the fact and substance of the request confidential, except as needed "
            "to execute it (Art. 40(20))."
        ),
        retention=(
            "Keep personal data only as long as needed for the purposes for which it was "
            "transferred, under effective and appropriate safeguards (Art. 36(1)(b), 36(2))."
        ),
        onward_transfer=(
            "No transfer to a third State or an international organization without the "
            f"prior, written authorization of {sending_state} (Art. 36(3))."
        ),
    )


@dataclass(frozen=True, slots=True)
class PayloadEntry:
    """One payload file: its original name and plaintext digest, and its age file in the bag."""

    name: str
    path: str
    sha256: str
    size: int
    ciphertext_sha256: str
    ciphertext_size: int
    media_type: str | None = None
    acquisition: PayloadAcquisition | None = None
    """How the State that collected the file obtained it (``hanoi.evidence.provenance``)."""
    unknown: Mapping[str, Any] = field(default_factory=dict)

    _KNOWN = ("name", "path", "sha256", "size", "ciphertext_sha256", "ciphertext_size")
    _OPTIONAL = ("media_type", "acquisition")

    def __post_init__(self) -> None:
        object.__setattr__(self, "unknown", _frozen(self.unknown))
        check_name(self.name, "payload name")
        if not is_payload_path(check_relative_path(self.path)) or self.path.count("/") != 1:
            raise MalformedPackage(f"payload path {self.path[:80]!r} is not data/<name>")
        check_digest(self.sha256, "payload sha256")
        check_digest(self.ciphertext_sha256, "payload ciphertext_sha256")
        check_size(self.size, "payload size")
        check_size(self.ciphertext_size, "payload ciphertext_size")
        if self.media_type is not None:
            check_text(self.media_type, "payload media_type", max_chars=200)

    def to_json(self) -> dict[str, Any]:
        value = {**self.unknown, **{name: getattr(self, name) for name in self._KNOWN}}
        if self.media_type is not None:
            value["media_type"] = self.media_type
        if self.acquisition is not None:
            value["acquisition"] = self.acquisition.to_json()
        return value

    @classmethod
    def from_json(cls, value: object) -> PayloadEntry:
        known, unknown = known_and_unknown(
            value, cls._KNOWN, optional=cls._OPTIONAL, what="a payload entry"
        )
        if "acquisition" in known:
            known["acquisition"] = PayloadAcquisition.from_json(known["acquisition"])
        return cls(**known, unknown=unknown)


@dataclass(frozen=True, slots=True)
class Statement:
    package_id: str
    created: datetime
    sending_state: str
    request: str | None
    recipients: tuple[str, ...]
    conditions: Conditions
    payload: tuple[PayloadEntry, ...]
    tag_files: Mapping[str, str]
    version: int = STATEMENT_VERSION
    terms: tuple[Term, ...] = ()
    """The conditions, each with the State that imposed it (``hanoi.evidence.provenance``)."""
    origins: tuple[Origin, ...] = ()
    """Packages of other States this one carries whole, for an unbroken chain."""
    unknown: Mapping[str, Any] = field(default_factory=dict)

    _KNOWN = (
        "version",
        "type",
        "package_id",
        "created",
        "sending_state",
        "recipients",
        "conditions",
        "payload",
        "tag_files",
    )
    _OPTIONAL = ("request", "terms", "origins")

    def __post_init__(self) -> None:
        object.__setattr__(self, "unknown", _frozen(self.unknown))
        object.__setattr__(self, "tag_files", _frozen(self.tag_files))
        folders = [origin.folder for origin in self.origins]
        if len(set(folders)) != len(folders):
            raise MalformedPackage("the statement lists an origin twice")
        check_text(self.package_id, "package_id", max_chars=64)
        check_state(self.sending_state)
        if self.request is not None:
            check_text(self.request, "request", max_chars=128)
        if self.recipients != PASSPHRASE_RECIPIENTS and (
            not self.recipients or any(not r.startswith("age1") for r in self.recipients)
        ):
            raise MalformedPackage(
                "the statement's recipients are age1... recipients, or 'scrypt' alone "
                "(a passphrase)"
            )
        if not self.payload:
            raise MalformedPackage("the statement lists no payload file")
        paths = [entry.path for entry in self.payload]
        if len({p.lower() for p in paths}) != len(paths):
            raise MalformedPackage("the statement lists a payload path twice")
        for path, digest in self.tag_files.items():
            check_relative_path(path)
            check_digest(digest, f"tag_files[{path!r}]")
            if path in (STATEMENT, TAGMANIFEST) or is_payload_path(path):
                raise MalformedPackage(f"the statement cannot bind {path} as a tag file")

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = dict(self.unknown)
        value.update(
            version=self.version,
            type=STATEMENT_TYPE,
            package_id=self.package_id,
            created=utc_text(self.created),
            sending_state=self.sending_state,
            recipients=list(self.recipients),
            conditions=self.conditions.to_json(),
            payload=[entry.to_json() for entry in self.payload],
            tag_files=dict(self.tag_files),
        )
        if self.request is not None:
            value["request"] = self.request
        if self.terms:
            value["terms"] = [term.to_json() for term in self.terms]
        if self.origins:
            value["origins"] = [origin.to_json() for origin in self.origins]
        return value

    def canonical(self) -> bytes:
        return canonical_json(self.to_json(), error=MalformedPackage, what="the statement")


def parse_statement(data: bytes, *, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS) -> Statement:
    """Read statement JSON, which must be in its RFC 8785 canonical form."""
    value = load_json(
        data,
        error=MalformedPackage,
        what="the statement",
        max_bytes=limits.max_statement,
        max_depth=16,
    )
    if not isinstance(value, dict):
        raise MalformedPackage("the statement is a JSON object")
    version = value.get("version")
    if type(version) is not int or version < 1:
        raise MalformedPackage("the statement has no valid 'version'")
    if version != STATEMENT_VERSION:
        raise MalformedPackage(
            f"the statement is version {version}; this verifier reads version {STATEMENT_VERSION}"
        )
    if value.get("type") != STATEMENT_TYPE:
        raise MalformedPackage(f"the statement's 'type' is not {STATEMENT_TYPE!r}")
    known, unknown = known_and_unknown(
        value, Statement._KNOWN, optional=Statement._OPTIONAL, what="the statement"
    )
    payload, recipients, tag_files = known["payload"], known["recipients"], known["tag_files"]
    if not isinstance(payload, list) or len(payload) > limits.max_files:
        raise MalformedPackage("the statement's 'payload' is a list of files")
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        raise MalformedPackage("the statement's 'recipients' is a list of age recipients")
    if not isinstance(tag_files, dict) or len(tag_files) > limits.max_files:
        raise MalformedPackage("the statement's 'tag_files' maps paths to SHA-256 digests")
    terms = _short_list(known, "terms")
    origins = _short_list(known, "origins")
    statement = Statement(
        package_id=known["package_id"],
        created=parse_utc(known["created"], "created"),
        sending_state=known["sending_state"],
        request=known.get("request"),
        recipients=tuple(recipients),
        conditions=Conditions.from_json(known["conditions"]),
        payload=tuple(PayloadEntry.from_json(entry) for entry in payload),
        tag_files=tag_files,
        version=version,
        terms=tuple(Term.from_json(term) for term in terms),
        origins=tuple(Origin.from_json(origin) for origin in origins),
        unknown=unknown,
    )
    if statement.canonical() != data:
        raise MalformedPackage("the statement is not in canonical JSON form (RFC 8785)")
    return statement


def _short_list(known: Mapping[str, Any], name: str) -> list[Any]:
    """An optional member that, when present, is a list of 1-100 entries."""
    if name not in known:
        return []
    value = known[name]
    if not isinstance(value, list) or not 1 <= len(value) <= 100:
        raise MalformedPackage(f"the statement's {name!r} is a list of 1-100 entries")
    return value


@dataclass(frozen=True, slots=True)
class SignedStatement:
    statement: Statement
    key_id: str
    algorithm: str


def sign_statement(statement: Statement, key: Ed25519PrivateKey) -> bytes:
    """The statement as a compact JWS, signed with ``key`` (``kid``: its RFC 7638 thumbprint)."""
    return sign_compact(statement.canonical(), key, typ=JWS_TYPE).encode("ascii")


def open_statement(
    data: bytes,
    *,
    key_for: Callable[[str], Ed25519PublicKey],
    limits: PackageLimits = DEFAULT_PACKAGE_LIMITS,
) -> SignedStatement:
    """Verify the JWS with the key ``key_for(kid)`` returns (it raises if none), then parse it."""
    try:
        parsed = parse_compact(data, typ=JWS_TYPE, max_bytes=limits.max_statement, what=WHAT)
        verify_parsed(parsed, key_for(parsed.key_id))
    except JwsSignatureError as exc:
        raise BadStatementSignature(exc.detail) from None
    except JwsFormatError as exc:
        raise MalformedPackage(exc.detail) from None
    statement = parse_statement(parsed.payload, limits=limits)
    return SignedStatement(statement, parsed.key_id, parsed.header.algorithm)
