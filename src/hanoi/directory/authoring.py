"""Building State entries and directory documents. Pure.

A State builds its entry from its node's public identity
(:class:`~hanoi.node.identity.NodeIdentity`) and signs it with its node key; the
secretariat assembles the signed entries, and the States without a node it
records itself (:func:`load_offline_file`), into a :class:`Directory` and signs
it with the directory authority key. Everything built here goes through the same
parser a receiving node uses, so what a State signs is what nodes accept.
"""

from __future__ import annotations

import base64
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding

from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.custody.encoding import load_json
from hanoi.custody.errors import MalformedError
from hanoi.directory.codec import parse_directory, parse_entry, parse_offline_state
from hanoi.directory.errors import MalformedDirectory
from hanoi.directory.limits import DEFAULT_LIMITS, DirectoryLimits
from hanoi.directory.model import (
    DIRECTORY_FORMAT,
    ENTRY_FORMAT,
    DeclarationValue,
    Directory,
    SignedStateEntry,
    StateEntry,
    format_time,
)
from hanoi.directory.signing import verify_self_signed
from hanoi.errors import FieldProblem, InvalidInput
from hanoi.node.identity import NodeIdentity

AUTHORITY_MEMBERS = ("kind", "name", "languages", "contact")
AUTHORITY_CONTACT_MEMBERS = ("postal_address", "email", "telephone")
"""Optional on an authority: how to reach it by letter, e-mail or telephone."""
AUTHORITY_FILE_MEMBERS = (*AUTHORITY_MEMBERS, "names", *AUTHORITY_CONTACT_MEMBERS)
OFFLINE_MEMBERS = (
    "state", "name", "authorities", "channels", "declarations", "source", "updated",
)  # fmt: skip
NAME_PREFIX = "name."
MAX_AUTHORITIES_FILE_BYTES = 256 * 1024
MAX_OFFLINE_FILE_BYTES = 2 * 1024 * 1024
MAX_CERTIFICATE_FILE_BYTES = 64 * 1024
_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,15})")


def parse_authority_spec(text: str) -> dict[str, Any]:
    """``kind=central-authority; name=...; name.ar=...; languages=ar,en; contact=...`` as JSON.

    ``name.<code>`` gives the name in one of the six UN languages (``ar``, ``zh``,
    ``en``, ``fr``, ``ru``, ``es``); the codec checks the codes and the texts.
    ``postal_address=``, ``email=`` and ``telephone=`` are optional (a postal address
    of several lines needs the file).
    """
    members: dict[str, Any] = {}
    names: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if sep and name.startswith(NAME_PREFIX):
            language = name[len(NAME_PREFIX) :]
            if language in names:
                raise InvalidInput(f"--authority {text[:60]!r}: {name[:20]} is given twice")
            names[language] = value.strip()
            continue
        if not sep or name not in (*AUTHORITY_MEMBERS, *AUTHORITY_CONTACT_MEMBERS):
            raise InvalidInput(
                f"--authority {text[:60]!r}: write kind=...; name=...; languages=..,..; "
                f"contact=... and any name.ar=..., name.fr=..., postal_address=..., "
                f"email=..., telephone=... (unknown or missing member {name[:20]!r})"
            )
        if name in members:
            raise InvalidInput(f"--authority {text[:60]!r}: {name} is given twice")
        members[name] = value.strip()
    missing = [name for name in AUTHORITY_MEMBERS if name not in members]
    if missing:
        raise InvalidInput(f"--authority {text[:60]!r} lacks {', '.join(missing)}")
    members["languages"] = [lang.strip() for lang in members["languages"].split(",")]
    authority = {name: members[name] for name in AUTHORITY_MEMBERS}
    if names:
        authority["names"] = names
    authority.update({name: members[name] for name in AUTHORITY_CONTACT_MEMBERS if name in members})
    return authority


def _load_tables(data: bytes, *, toml: bool, member: str, what: str, max_bytes: int) -> list[Any]:
    """The non-empty list ``member``, the file's only member, from TOML or JSON."""
    if len(data) > max_bytes:
        raise InvalidInput(f"{what} is larger than {max_bytes} bytes")
    value: Any
    if toml:
        try:
            value = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InvalidInput(f"{what} is not valid TOML: {exc}") from None
    else:
        value = load_json(
            data,
            error=MalformedError,
            what=what,
            max_bytes=max_bytes,
            max_depth=DEFAULT_LIMITS.max_depth,
        )
    if not isinstance(value, dict) or set(value) != {member}:
        raise InvalidInput(
            f"{what} must have one member, {member} (a list of [[{member}]] tables in TOML)"
        )
    items = value[member]
    if not isinstance(items, list) or not items:
        raise InvalidInput(f"{member} in {what} must be a non-empty list")
    return items


def _table(item: Any, *, where: str, what: str, members: Sequence[str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InvalidInput(f"{where} in {what} is not a table")
    unknown = sorted(set(item) - set(members))
    if unknown:
        raise InvalidInput(
            f"{where} in {what} has an unknown member {unknown[0][:40]!r}; "
            f"write {', '.join(members)}"
        )
    return dict(item)


def load_authorities_file(data: bytes, *, toml: bool) -> list[dict[str, Any]]:
    """The authorities a State writes in a file, TOML (``[[authorities]]`` tables) or JSON
    (``{"authorities": [...]}``), each with the members of an entry's authority:
    ``kind``, ``name``, ``languages``, ``contact`` and optionally ``names``,
    ``postal_address``, ``email`` and ``telephone``.

    Only the shape is checked here; :func:`build_entry` checks the values as a
    receiving node does, with errors that name the member.
    """
    what = "the authorities file"
    items = _load_tables(
        data, toml=toml, member="authorities", what=what, max_bytes=MAX_AUTHORITIES_FILE_BYTES
    )
    return [
        _table(item, where=f"authorities[{index}]", what=what, members=AUTHORITY_FILE_MEMBERS)
        for index, item in enumerate(items)
    ]


def load_offline_file(data: bytes, *, toml: bool) -> list[dict[str, Any]]:
    """The States without a node the secretariat records, TOML (``[[offline_states]]``
    tables, each with ``[[offline_states.authorities]]``) or JSON
    (``{"offline_states": [...]}``): ``state``, ``name``, ``authorities`` (as in an
    authorities file), ``channels``, optionally ``declarations``, ``source`` and
    ``updated`` (a TOML date or ``"YYYY-MM-DD"``).

    Only the shape is checked here; :func:`assemble` checks the values as a
    receiving node does, with errors that name the member.
    """
    what = "the offline States file"
    items = _load_tables(
        data, toml=toml, member="offline_states", what=what, max_bytes=MAX_OFFLINE_FILE_BYTES
    )
    states: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        where = f"offline_states[{index}]"
        state = _table(item, where=where, what=what, members=OFFLINE_MEMBERS)
        authorities = state.get("authorities")
        if isinstance(authorities, list):
            state["authorities"] = [
                _table(a, where=f"{where}.authorities[{i}]", what=what,
                       members=AUTHORITY_FILE_MEMBERS)
                for i, a in enumerate(authorities)
            ]  # fmt: skip
        updated = state.get("updated")
        if isinstance(updated, datetime):
            raise InvalidInput(f"{where}.updated in {what} must be a day, not a time")
        if isinstance(updated, date):
            state["updated"] = updated.isoformat()
        state.setdefault("declarations", {})
        states.append(state)
    return states


def certificate_from_pem(data: bytes) -> str:
    """A PEM X.509 certificate (the node's document-signing certificate) as the entry
    carries it: DER in standard, padded base64. A malformed one is refused."""
    if len(data) > MAX_CERTIFICATE_FILE_BYTES:
        raise InvalidInput(f"the certificate is larger than {MAX_CERTIFICATE_FILE_BYTES} bytes")
    try:
        certificate = x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise InvalidInput(f"not a PEM X.509 certificate: {str(exc)[:200]}") from None
    return certificate_text(certificate)


def certificate_text(certificate: x509.Certificate) -> str:
    """A certificate as the entry carries it: DER in standard, padded base64."""
    return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")


DEFAULT_OVERLAP = timedelta(days=30)
"""How long a rotated-out node key stays valid beside the new one when the entry does not
say (``--retire-previous-at``): time for every State to fetch the directory that lists
the new key (ADR 0051)."""


def cosigning_keys(
    retired: Sequence[Ed25519PrivateKey], previous: StateEntry | None
) -> list[Ed25519PrivateKey]:
    """The retired node keys that the previous entry lists: a changed entry must be signed
    by a key the other nodes hold (ADR 0011), which after a rotation is the old one."""
    if previous is None:
        return []
    return [k for k in retired if previous.has_key(jwk_thumbprint(k.public_key()))]


def parse_declaration(text: str) -> tuple[str, DeclarationValue]:
    """``key=value``: ``true``/``false`` are booleans, decimals are integers, else text."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise InvalidInput(f"--declare {text[:60]!r}: write catalogue-key=value")
    raw = raw.strip()
    value: DeclarationValue
    if raw in ("true", "false"):
        value = raw == "true"
    elif _INTEGER.fullmatch(raw):
        value = int(raw)
    else:
        value = raw
    return key.strip(), value


def entry_keys(
    identity: NodeIdentity,
    *,
    valid_from: datetime,
    previous: StateEntry | None = None,
    retire_previous_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """The node's current key, plus the previous entry's other keys (a rotation).

    With ``retire_previous_at``, every previous key that has no end yet gets that
    end: the overlap period during which both old and new keys are accepted.
    """
    keys: list[dict[str, Any]] = []
    current_listed = False
    for old in previous.keys if previous else ():
        value = old.to_json()
        if old.key_id == identity.signing_key_id:
            current_listed = True
        elif retire_previous_at is not None and old.valid_until is None:
            value["valid_until"] = format_time(retire_previous_at)
        keys.append(value)
    if not current_listed:
        keys.append(
            {
                "key_id": identity.signing_key_id,
                "public_key": identity.signing_public_key,
                "valid_from": format_time(valid_from),
            }
        )
    return keys


def build_entry(
    identity: NodeIdentity,
    *,
    node_url: str,
    authorities: Sequence[Mapping[str, Any]],
    declarations: Mapping[str, DeclarationValue],
    valid_from: datetime,
    serial: int | None = None,
    previous: StateEntry | None = None,
    retire_previous_at: datetime | None = None,
    channels: Sequence[str] = (),
    document_certificates: Sequence[str] = (),
    limits: DirectoryLimits = DEFAULT_LIMITS,
) -> StateEntry:
    """A State entry for the node ``identity``; checked as a receiving node checks it.

    ``channels`` and ``document_certificates`` (base64 DER, :func:`certificate_from_pem`)
    are written only when given, so an entry without them reads as before.
    """
    if previous is not None and previous.state != identity.state:
        raise InvalidInput(f"the previous entry is of {previous.state}, not {identity.state}")
    if serial is None:
        serial = previous.serial + 1 if previous else 1
    value: dict[str, Any] = {
        **(dict(previous.extra) if previous else {}),
        "format": ENTRY_FORMAT,
        "state": identity.state,
        "name": identity.name,
        "serial": serial,
        "node_url": node_url,
        "authorities": [dict(a) for a in authorities],
        "keys": entry_keys(
            identity,
            valid_from=valid_from,
            previous=previous,
            retire_previous_at=retire_previous_at,
        ),
        "age_recipient": identity.age_recipient,
        "log_origin": identity.log_origin,
        "log_verifier_key": identity.log_verifier_key,
        "witness_name": identity.witness_name,
        "witness_key": identity.witness_key,
        "declarations": dict(declarations),
    }
    if channels:
        value["channels"] = list(channels)
    if document_certificates:
        value["document_certificates"] = list(document_certificates)
    if identity.former_logs:
        value["former_logs"] = [f.as_json() for f in identity.former_logs]
    return parse_entry(value, limits=limits)


def assemble(
    entries: Sequence[SignedStateEntry],
    *,
    version: int,
    issued_at: datetime,
    expires: datetime,
    offline: Sequence[Mapping[str, Any]] = (),
    limits: DirectoryLimits = DEFAULT_LIMITS,
) -> Directory:
    """The document for the directory authority to sign: entries sorted by State, then
    the States without a node (``offline``, as :func:`load_offline_file` reads them),
    sorted by State too.

    Each entry must already be signed by a key it lists; a State given twice, or both
    with an entry and without a node, is refused. Errors in ``offline`` name the
    member as ``/offline_states/<index in the file>/...``.
    """
    seen: dict[str, int] = {}
    for index, signed in enumerate(entries):
        if signed.state in seen:
            raise MalformedDirectory(
                f"{signed.state} is given twice (entries {seen[signed.state]} and {index})",
                fields=(FieldProblem(f"entries/{index}", "repeats a State"),),
            )
        seen[signed.state] = index
        verify_self_signed(signed)
    ordered = sorted(entries, key=lambda signed: signed.state)
    value: dict[str, Any] = {
        "format": DIRECTORY_FORMAT,
        "version": version,
        "issued_at": format_time(issued_at),
        "expires": format_time(expires),
        "states": [signed.to_json() for signed in ordered],
    }
    recorded: dict[str, Any] = {}
    for index, item in enumerate(offline):
        where = f"/offline_states/{index}"
        state = parse_offline_state(item, path=where, limits=limits)
        if state.state in seen:
            raise MalformedDirectory(
                f"{state.state} runs a node (entries/{seen[state.state]}) and is also "
                f"given without one ({where})",
                fields=(FieldProblem(f"{where}/state", "is also given with a node"),),
            )
        if state.state in recorded:
            raise MalformedDirectory(
                f"{state.state} is given twice without a node",
                fields=(FieldProblem(f"{where}/state", "repeats a State"),),
            )
        recorded[state.state] = state.to_json()
    if recorded:
        value["offline_states"] = [recorded[code] for code in sorted(recorded)]
    return parse_directory(value, path="", limits=limits)


def parse_cli_time(text: str, *, what: str) -> datetime:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 time with a zone, to the second."""
    try:
        if len(text) == 10:
            moment = datetime.fromisoformat(text + "T00:00:00+00:00")
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{what} {text[:40]!r} is not YYYY-MM-DD or an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{what} {text[:40]!r} needs a time zone, such as Z")
    return moment.replace(microsecond=0)
