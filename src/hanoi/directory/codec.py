"""Directory JSON: strict parsing with errors that name the member, and RFC 8785. Pure.

The file a node exchanges is::

    {"directory": {"format": "hanoi-directory/1", "version": N, "issued_at": ...,
                   "expires": ..., "states": [{"entry": {...}, "signatures": [...]}]},
     "signature": "<detached JWS>"}

``directory`` may also hold ``"offline_states": [{"state": ..., "name": ...,
"authorities": [...], "channels": [...], "declarations": {...}, "source": ...,
"updated": "YYYY-MM-DD"}]``: the States that run no node, which only the
directory authority's signature covers. A State is either in ``states`` or in
``offline_states``, never both.

The signed objects (``directory``, each ``entry`` and each offline State) keep
members this version does not know; the two envelopes around them admit nothing
else, because nothing unsigned travels in a signed document. Every error is a
:class:`~hanoi.directory.errors.MalformedDirectory` (or
:class:`~hanoi.directory.errors.DirectoryTooLarge`) whose field path is a JSON
pointer such as ``/directory/states/2/entry/keys/0/valid_from``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from hanoi.crypto.agekeys import AgeRecipient
from hanoi.crypto.ed25519keys import NoteVerifierKey, jwk_thumbprint
from hanoi.crypto.jws import MAX_SIGNATURE_CHARS
from hanoi.custody.cosignature import CosignerKey
from hanoi.custody.encoding import load_json
from hanoi.custody.errors import MalformedError
from hanoi.custody.succession import FormerLog, check_former_logs
from hanoi.directory import contacts
from hanoi.directory.errors import DirectoryTooLarge, MalformedDirectory
from hanoi.directory.limits import DEFAULT_LIMITS, DirectoryLimits
from hanoi.directory.model import (
    AUTHORITY_KINDS,
    CHANNELS,
    DIRECTORY_FORMAT,
    ENTRY_FORMAT,
    NETWORK_CHANNEL,
    UN_LANGUAGES,
    Authority,
    DeclarationValue,
    Directory,
    NodeKey,
    OfflineState,
    SignedDirectory,
    SignedStateEntry,
    StateEntry,
    decode_public_key,
    parse_time,
)
from hanoi.errors import FieldProblem, HanoiError, InvalidInput
from hanoi.wire import canonical_json

STATE_CODE = re.compile(r"[A-Z]{3}")
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")
DECLARATION_KEY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
MAX_SERIAL = 2**53 - 1
MAX_SUCCESSION_CHARS = 2000
"""A log succession: six short lines and two signature lines."""
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

T = TypeVar("T")


def bad(path: str, message: str) -> MalformedDirectory:
    return MalformedDirectory("the directory is malformed", fields=(FieldProblem(path, message),))


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical JSON: the bytes every signature in the directory covers."""
    return canonical_json(value, error=MalformedDirectory, what="the document")


def dump_json(value: Any) -> bytes:
    """The human-readable form written to files (signatures do not depend on layout)."""
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class _Object:
    """A JSON object being read, with its path and the members already taken."""

    def __init__(self, value: Any, path: str, limits: DirectoryLimits) -> None:
        if not isinstance(value, dict):
            raise bad(path or "/", "must be a JSON object")
        self.value: dict[str, Any] = value
        self.path = path
        self.limits = limits
        self.taken: set[str] = set()

    def at(self, name: str) -> str:
        return f"{self.path}/{name}"

    def get(self, name: str, *, optional: bool = False) -> Any:
        self.taken.add(name)
        if name not in self.value:
            if optional:
                return None
            raise bad(self.at(name), "is missing")
        if self.value[name] is None:
            raise bad(self.at(name), "must not be null (omit it instead)")
        return self.value[name]

    def text(self, name: str, *, max_chars: int, optional: bool = False) -> str:
        value = self.get(name, optional=optional)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise bad(self.at(name), "must be a string")
        if not value.strip():
            raise bad(self.at(name), "must not be empty")
        if len(value) > max_chars:
            raise DirectoryTooLarge(
                f"{self.at(name)} is longer than {max_chars} characters",
                fields=(FieldProblem(self.at(name), f"longer than {max_chars} characters"),),
            )
        if not value.isprintable():
            raise bad(self.at(name), "must not contain control characters")
        return value

    def matching(self, name: str, pattern: re.Pattern[str], what: str) -> str:
        value = self.text(name, max_chars=self.limits.max_name_chars)
        if not pattern.fullmatch(value):
            raise bad(self.at(name), f"must be {what}")
        return value

    def integer(self, name: str, *, minimum: int = 1) -> int:
        value = self.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(self.at(name), "must be an integer")
        if not minimum <= value <= MAX_SERIAL:
            raise bad(self.at(name), f"must be between {minimum} and {MAX_SERIAL}")
        return value

    def time(self, name: str, *, optional: bool = False) -> datetime | None:
        value = self.get(name, optional=optional)
        if value is None:
            return None
        try:
            if not isinstance(value, str):
                raise ValueError
            return parse_time(value)
        except ValueError:
            raise bad(self.at(name), "must be a UTC time such as 2026-01-31T12:00:00Z") from None

    def required_time(self, name: str) -> datetime:
        moment = self.time(name)
        assert moment is not None  # a required member is never None
        return moment

    def items(self, name: str, *, maximum: int, minimum: int = 1) -> list[tuple[str, Any]]:
        value = self.get(name)
        if not isinstance(value, list):
            raise bad(self.at(name), "must be a JSON array")
        if len(value) > maximum:
            raise DirectoryTooLarge(
                f"{self.at(name)} has {len(value)} items; at most {maximum} are allowed",
                fields=(FieldProblem(self.at(name), f"more than {maximum} items"),),
            )
        if len(value) < minimum:
            raise bad(self.at(name), f"must have at least {minimum} item(s)")
        return [(f"{self.at(name)}/{i}", item) for i, item in enumerate(value)]

    def checked(self, name: str, parse: Callable[[str], T], what: str) -> tuple[str, T]:
        text = self.text(name, max_chars=self.limits.max_key_text_chars)
        try:
            parsed = parse(text)
        except (InvalidInput, ValueError) as exc:
            detail = exc.diagnostics() if isinstance(exc, HanoiError) else str(exc)
            raise bad(self.at(name), f"is not {what}: {detail}") from None
        if str(parsed) != text:
            raise bad(self.at(name), f"is not {what} in canonical form")
        return text, parsed

    def extra(self) -> dict[str, Any]:
        unknown = {k: v for k, v in self.value.items() if k not in self.taken}
        if len(unknown) > self.limits.max_extra_members:
            raise DirectoryTooLarge(f"{self.path or '/'} has too many unknown members")
        return unknown

    def no_extra(self) -> None:
        unknown = sorted(set(self.value) - self.taken)
        if unknown:
            raise bad(self.at(unknown[0][:40]), "is not allowed here (not covered by a signature)")


def _node_url(obj: _Object) -> str:
    url = obj.text("node_url", max_chars=obj.limits.max_url_chars)
    where = obj.at("node_url")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        raise bad(where, "is not a URL") from None
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        raise bad(where, "must be https://host[:port][/path] without credentials or fragment")
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return url  # plain HTTP only on loopback, for the sandbox
    if parts.scheme != "https":
        raise bad(where, "must use https (plain http only on loopback)")
    return url


def _names(obj: _Object) -> dict[str, str]:
    """The optional ``names``: the authority's name in some of the six UN languages."""
    value = obj.get("names", optional=True)
    if value is None:
        return {}
    where = obj.at("names")
    if not isinstance(value, dict):
        raise bad(where, "must be a JSON object of UN language codes to names")
    if not value:
        raise bad(where, "must not be empty (omit it instead)")
    for key in value:
        if key not in UN_LANGUAGES:
            raise bad(
                f"{where}/{key[:40]}",
                f"{key[:40]!r} is not one of the six UN languages ({', '.join(UN_LANGUAGES)})",
            )
    names = _Object(value, where, obj.limits)
    return {key: names.text(key, max_chars=obj.limits.max_name_chars) for key in value}


def _authority(obj: _Object) -> Authority:
    kind = obj.text("kind", max_chars=40)
    if kind not in AUTHORITY_KINDS:
        raise bad(obj.at("kind"), f"must be one of {', '.join(AUTHORITY_KINDS)}")
    languages: list[str] = []
    for path, item in obj.items("languages", maximum=obj.limits.max_languages):
        if not isinstance(item, str) or len(item) > 35 or not LANGUAGE_TAG.fullmatch(item):
            raise bad(path, "must be a BCP 47 language tag such as en, fr or zh-Hans")
        if item in languages:
            raise bad(path, f"repeats the language {item!r}")
        languages.append(item)
    return Authority(
        kind=kind,
        name=obj.text("name", max_chars=obj.limits.max_name_chars),
        languages=tuple(languages),
        contact=obj.text("contact", max_chars=obj.limits.max_contact_chars),
        names=_names(obj),
        postal_address=_postal_address(obj),
        email=_email(obj),
        telephone=_telephone(obj),
        extra=obj.extra(),
    )


def _checked_value(obj: _Object, name: str, check: Callable[[str], object], text: str) -> str:
    try:
        check(text)
    except ValueError as exc:
        raise bad(obj.at(name), str(exc)) from None
    return text


def _postal_address(obj: _Object) -> str:
    """Optional: printable lines separated by ``\\n`` (no other control character)."""
    value = obj.get("postal_address", optional=True)
    if value is None:
        return ""
    where = obj.at("postal_address")
    if not isinstance(value, str):
        raise bad(where, "must be a string")
    limits = obj.limits
    if len(value) > limits.max_postal_address_chars:
        raise DirectoryTooLarge(
            f"{where} is longer than {limits.max_postal_address_chars} characters",
            fields=(FieldProblem(where, f"longer than {limits.max_postal_address_chars}"),),
        )
    if value.count("\n") >= limits.max_postal_address_lines:
        raise DirectoryTooLarge(
            f"{where} has more than {limits.max_postal_address_lines} lines",
            fields=(FieldProblem(where, f"more than {limits.max_postal_address_lines} lines"),),
        )
    return _checked_value(obj, "postal_address", contacts.postal_lines, value)


def _email(obj: _Object) -> str:
    """Optional: a plausible addr-spec, ``local@domain.tld`` (no name, no angle brackets)."""
    value = obj.text("email", max_chars=obj.limits.max_email_chars, optional=True)
    return _checked_value(obj, "email", contacts.check_email, value) if value else ""


def _telephone(obj: _Object) -> str:
    """Optional: digits, spaces, ``(``, ``)``, ``-``, ``.``, and ``+`` first."""
    value = obj.text("telephone", max_chars=obj.limits.max_telephone_chars, optional=True)
    return _checked_value(obj, "telephone", contacts.check_telephone, value) if value else ""


def _channels(obj: _Object, *, optional: bool) -> tuple[str, ...]:
    """The channels requests may go by, from :data:`CHANNELS`, most preferred first."""
    if optional and obj.get("channels", optional=True) is None:
        return ()
    channels: list[str] = []
    for path, item in obj.items("channels", maximum=obj.limits.max_channels):
        if not isinstance(item, str) or item not in CHANNELS:
            raise bad(path, f"must be one of {', '.join(CHANNELS)}")
        if item in channels:
            raise bad(path, f"repeats the channel {item!r}")
        channels.append(item)
    return tuple(channels)


def _document_certificates(obj: _Object) -> tuple[str, ...]:
    """Optional: DER X.509 certificates in standard, padded base64, each parsed."""
    if obj.get("document_certificates", optional=True) is None:
        return ()
    limit = obj.limits.max_certificate_chars
    found: list[str] = []
    for path, item in obj.items(
        "document_certificates", maximum=obj.limits.max_document_certificates
    ):
        if not isinstance(item, str):
            raise bad(path, "must be a string of base64")
        if len(item) > limit:
            raise DirectoryTooLarge(
                f"{path} is longer than {limit} characters",
                fields=(FieldProblem(path, f"longer than {limit} characters"),),
            )
        try:
            contacts.decode_certificate(item)
        except ValueError as exc:
            raise bad(path, str(exc)) from None
        if item in found:
            raise bad(path, "repeats a certificate")
        found.append(item)
    return tuple(found)


def _former_logs(obj: _Object, log_verifier_key: str) -> tuple[FormerLog, ...]:
    """Optional: the log origins before a log key rotation, each with its key and the
    succession that ends it, which must verify (ADR 0051)."""
    if obj.get("former_logs", optional=True) is None:
        return ()
    found: list[FormerLog] = []
    for where, item in obj.items("former_logs", maximum=obj.limits.max_keys):
        log = _Object(item, where, obj.limits)
        origin = log.text("log_origin", max_chars=obj.limits.max_name_chars)
        key, verifier = log.checked(
            "log_verifier_key", NoteVerifierKey.parse, "a signed-note verifier key"
        )
        if verifier.name != origin:
            raise bad(log.at("log_verifier_key"), "does not name the log_origin")
        succession = log.get("succession", optional=True)
        if succession is not None and (
            not isinstance(succession, str)
            or len(succession) > MAX_SUCCESSION_CHARS
            or not succession.replace("\n", "").isprintable()
        ):
            raise bad(log.at("succession"), "must be a signed note (hanoi node show)")
        found.append(FormerLog(origin, key, succession))
    try:
        check_former_logs(found, current_key=log_verifier_key)
    except HanoiError as exc:
        raise bad(obj.at("former_logs"), exc.detail) from None
    return tuple(found)


def _authorities(obj: _Object) -> tuple[Authority, ...]:
    return tuple(
        _authority(_Object(item, where, obj.limits))
        for where, item in obj.items("authorities", maximum=obj.limits.max_authorities)
    )


def _day(obj: _Object, name: str) -> date:
    try:
        return contacts.parse_day(obj.get(name))
    except ValueError as exc:
        raise bad(obj.at(name), str(exc)) from None


def _node_key(obj: _Object) -> NodeKey:
    key_id = obj.text("key_id", max_chars=100)
    public_text = obj.text("public_key", max_chars=100)
    try:
        public = decode_public_key(public_text)
    except ValueError as exc:
        raise bad(obj.at("public_key"), f"is not an Ed25519 public key: {exc}") from None
    if jwk_thumbprint(public) != key_id:
        raise bad(obj.at("key_id"), "is not the RFC 7638 thumbprint of public_key")
    valid_from = obj.required_time("valid_from")
    valid_until = obj.time("valid_until", optional=True)
    if valid_until is not None and valid_until <= valid_from:
        raise bad(obj.at("valid_until"), "must be later than valid_from")
    return NodeKey(
        key_id=key_id,
        public_key=public_text,
        valid_from=valid_from,
        valid_until=valid_until,
        extra=obj.extra(),
    )


def _declarations(obj: _Object) -> dict[str, DeclarationValue]:
    value = obj.get("declarations")
    where = obj.at("declarations")
    if not isinstance(value, dict):
        raise bad(where, "must be a JSON object of catalogue keys to values")
    if len(value) > obj.limits.max_declarations:
        raise DirectoryTooLarge(f"{where} has more than {obj.limits.max_declarations} members")
    for key, item in value.items():
        if len(key) > 100 or not DECLARATION_KEY.fullmatch(key):
            raise bad(f"{where}/{key[:40]}", "is not a catalogue key (lower-case-with-hyphens)")
        if isinstance(item, str):
            if len(item) > obj.limits.max_value_chars:
                raise DirectoryTooLarge(f"{where}/{key} is too long")
        elif not isinstance(item, bool | int):
            raise bad(f"{where}/{key}", "must be true, false, an integer or a string")
    return dict(value)


def parse_entry(
    value: Any, *, path: str = "", limits: DirectoryLimits = DEFAULT_LIMITS
) -> StateEntry:
    """A :class:`StateEntry` from its JSON object (already decoded)."""
    obj = _Object(value, path, limits)
    if obj.get("format") != ENTRY_FORMAT:
        raise bad(obj.at("format"), f"must be {ENTRY_FORMAT!r} (another version wrote it?)")
    state = obj.matching("state", STATE_CODE, "an ISO 3166-1 alpha-3 code such as EGY")
    authorities = _authorities(obj)
    keys = [
        _node_key(_Object(item, where, limits))
        for where, item in obj.items("keys", maximum=limits.max_keys)
    ]
    key_ids = [key.key_id for key in keys]
    if len(set(key_ids)) != len(key_ids):
        raise bad(obj.at("keys"), "lists the same key twice")
    age_recipient, _ = obj.checked("age_recipient", AgeRecipient.parse, "an age recipient")
    log_origin = obj.text("log_origin", max_chars=limits.max_name_chars)
    log_key, log_verifier = obj.checked(
        "log_verifier_key", NoteVerifierKey.parse, "a signed-note verifier key"
    )
    if log_verifier.name != log_origin:
        raise bad(obj.at("log_verifier_key"), "does not name the log_origin")
    witness_name = obj.text("witness_name", max_chars=limits.max_name_chars)
    witness_key, cosigner = obj.checked("witness_key", CosignerKey.parse, "a cosigner key")
    if cosigner.name != witness_name:
        raise bad(obj.at("witness_key"), "does not name the witness_name")
    entry = StateEntry(
        state=state,
        name=obj.text("name", max_chars=limits.max_name_chars),
        serial=obj.integer("serial"),
        node_url=_node_url(obj),
        authorities=authorities,
        keys=tuple(keys),
        age_recipient=age_recipient,
        log_origin=log_origin,
        log_verifier_key=log_key,
        witness_name=witness_name,
        witness_key=witness_key,
        declarations=_declarations(obj),
        channels=_channels(obj, optional=True),
        document_certificates=_document_certificates(obj),
        former_logs=_former_logs(obj, log_key),
        extra=obj.extra(),
    )
    _same_as_read(entry.to_json(), value, path)
    if len(canonical(value)) > limits.max_entry_bytes:
        raise DirectoryTooLarge(
            f"{path or 'the entry'} is larger than {limits.max_entry_bytes} bytes"
        )
    return entry


def _same_as_read(written: Any, read: Any, path: str) -> None:
    """The model must write back exactly what it read, or signatures would not match."""
    if canonical(written) != canonical(read):
        raise bad(path or "/", "does not round-trip through this version's model")


def parse_signed_entry(
    value: Any, *, path: str = "", limits: DirectoryLimits = DEFAULT_LIMITS
) -> SignedStateEntry:
    obj = _Object(value, path, limits)
    entry = parse_entry(obj.get("entry"), path=obj.at("entry"), limits=limits)
    signatures: list[str] = []
    for where, item in obj.items("signatures", maximum=limits.max_signatures):
        if not isinstance(item, str) or not item or len(item) > MAX_SIGNATURE_CHARS:
            raise bad(where, "must be a detached JWS string")
        signatures.append(item)
    obj.no_extra()
    return SignedStateEntry(entry=entry, signatures=tuple(signatures))


def parse_offline_state(
    value: Any, *, path: str = "", limits: DirectoryLimits = DEFAULT_LIMITS
) -> OfflineState:
    """An :class:`OfflineState` from its JSON object: a State without a node."""
    obj = _Object(value, path, limits)
    state = obj.matching("state", STATE_CODE, "an ISO 3166-1 alpha-3 code such as EGY")
    name = obj.text("name", max_chars=limits.max_name_chars)
    authorities = _authorities(obj)
    channels = _channels(obj, optional=False)
    if NETWORK_CHANNEL in channels:
        raise bad(
            f"{obj.at('channels')}/{channels.index(NETWORK_CHANNEL)}",
            f"a State without a node cannot take requests by {NETWORK_CHANNEL!r}; "
            "list it in states with its signed entry instead",
        )
    offline = OfflineState(
        state=state,
        name=name,
        authorities=authorities,
        channels=channels,
        declarations=_declarations(obj),
        source=obj.text("source", max_chars=limits.max_source_chars),
        updated=_day(obj, "updated"),
        extra=obj.extra(),
    )
    _same_as_read(offline.to_json(), value, path)
    return offline


def _offline_states(obj: _Object, on_network: dict[str, int]) -> tuple[OfflineState, ...]:
    """The optional ``offline_states``: each State once, and none that also runs a node."""
    if obj.get("offline_states", optional=True) is None:
        return ()
    found: list[OfflineState] = []
    seen: set[str] = set()
    for where, item in obj.items("offline_states", maximum=obj.limits.max_offline_states):
        offline = parse_offline_state(item, path=where, limits=obj.limits)
        if offline.state in seen:
            raise bad(f"{where}/state", f"{offline.state} appears more than once")
        if offline.state in on_network:
            raise bad(
                f"{where}/state",
                f"{offline.state} is also listed with a node "
                f"(states/{on_network[offline.state]}); a State is one or the other",
            )
        seen.add(offline.state)
        found.append(offline)
    return tuple(found)


def parse_directory(
    value: Any, *, path: str = "", limits: DirectoryLimits = DEFAULT_LIMITS
) -> Directory:
    obj = _Object(value, path, limits)
    if obj.get("format") != DIRECTORY_FORMAT:
        raise bad(obj.at("format"), f"must be {DIRECTORY_FORMAT!r} (another version wrote it?)")
    version = obj.integer("version")
    issued_at = obj.required_time("issued_at")
    expires = obj.required_time("expires")
    if expires <= issued_at:
        raise bad(obj.at("expires"), "must be later than issued_at")
    states: list[SignedStateEntry] = []
    seen: dict[str, int] = {}
    for where, item in obj.items("states", maximum=limits.max_states, minimum=0):
        signed = parse_signed_entry(item, path=where, limits=limits)
        if signed.state in seen:
            raise bad(f"{where}/entry/state", f"{signed.state} appears more than once")
        seen[signed.state] = len(states)
        states.append(signed)
    directory = Directory(
        version=version,
        issued_at=issued_at,
        expires=expires,
        states=tuple(states),
        offline_states=_offline_states(obj, seen),
        extra=obj.extra(),
    )
    _same_as_read(directory.to_json(), value, path)
    return directory


def _load(data: bytes, *, what: str, max_bytes: int, limits: DirectoryLimits) -> Any:
    if len(data) > max_bytes:
        raise DirectoryTooLarge(f"{what} is {len(data)} bytes; the limit is {max_bytes}")
    try:
        return load_json(
            data, error=MalformedError, what=what, max_bytes=max_bytes, max_depth=limits.max_depth
        )
    except MalformedError as exc:
        raise MalformedDirectory(exc.diagnostics()) from None


def load_document(data: bytes, *, limits: DirectoryLimits = DEFAULT_LIMITS) -> SignedDirectory:
    """Parse a signed directory file (any JSON layout). Checks form only, not signatures."""
    value = _load(
        data, what="the directory document", max_bytes=limits.max_document_bytes, limits=limits
    )
    obj = _Object(value, "", limits)
    directory = parse_directory(obj.get("directory"), path="/directory", limits=limits)
    signature = obj.get("signature")
    if not isinstance(signature, str) or len(signature) > MAX_SIGNATURE_CHARS:
        raise bad("/signature", "must be a detached JWS string")
    obj.no_extra()
    return SignedDirectory(directory=directory, signature=signature)


def load_signed_entry(data: bytes, *, limits: DirectoryLimits = DEFAULT_LIMITS) -> SignedStateEntry:
    """Parse a State-signed entry file, as ``hanoi directory entry`` prints it."""
    value = _load(data, what="the State entry", max_bytes=limits.max_entry_bytes * 2, limits=limits)
    return parse_signed_entry(value, limits=limits)
