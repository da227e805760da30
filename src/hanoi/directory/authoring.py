"""Building State entries and directory documents. Pure.

A State builds its entry from its node's public identity
(:class:`~hanoi.node.identity.NodeIdentity`) and signs it with its node key; the
secretariat assembles the signed entries into a :class:`Directory` and signs it
with the directory authority key. Everything built here goes through the same
parser a receiving node uses, so what a State signs is what nodes accept.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from hanoi.custody.encoding import load_json
from hanoi.custody.errors import MalformedError
from hanoi.directory.codec import parse_directory, parse_entry
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
AUTHORITY_FILE_MEMBERS = (*AUTHORITY_MEMBERS, "names")
NAME_PREFIX = "name."
MAX_AUTHORITIES_FILE_BYTES = 256 * 1024
_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,15})")


def parse_authority_spec(text: str) -> dict[str, Any]:
    """``kind=central-authority; name=...; name.ar=...; languages=ar,en; contact=...`` as JSON.

    ``name.<code>`` gives the name in one of the six UN languages (``ar``, ``zh``,
    ``en``, ``fr``, ``ru``, ``es``); the codec checks the codes and the texts.
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
        if not sep or name not in AUTHORITY_MEMBERS:
            raise InvalidInput(
                f"--authority {text[:60]!r}: write kind=...; name=...; languages=..,..; "
                f"contact=... and any name.ar=..., name.fr=... "
                f"(unknown or missing member {name[:20]!r})"
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
    return authority


def load_authorities_file(data: bytes, *, toml: bool) -> list[dict[str, Any]]:
    """The authorities a State writes in a file, TOML (``[[authorities]]`` tables) or JSON
    (``{"authorities": [...]}``), each with the members of an entry's authority:
    ``kind``, ``name``, ``languages``, ``contact`` and optionally ``names``.

    Only the shape is checked here; :func:`build_entry` checks the values as a
    receiving node does, with errors that name the member.
    """
    if len(data) > MAX_AUTHORITIES_FILE_BYTES:
        raise InvalidInput(
            f"the authorities file is larger than {MAX_AUTHORITIES_FILE_BYTES} bytes"
        )
    value: Any
    if toml:
        try:
            value = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InvalidInput(f"the authorities file is not valid TOML: {exc}") from None
    else:
        value = load_json(
            data,
            error=MalformedError,
            what="the authorities file",
            max_bytes=MAX_AUTHORITIES_FILE_BYTES,
            max_depth=DEFAULT_LIMITS.max_depth,
        )
    if not isinstance(value, dict) or set(value) != {"authorities"}:
        raise InvalidInput(
            "the authorities file must have one member, authorities "
            "(a list of [[authorities]] tables in TOML)"
        )
    items = value["authorities"]
    if not isinstance(items, list) or not items:
        raise InvalidInput("authorities in the authorities file must be a non-empty list")
    authorities: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidInput(f"authorities[{index}] in the authorities file is not a table")
        unknown = sorted(set(item) - set(AUTHORITY_FILE_MEMBERS))
        if unknown:
            raise InvalidInput(
                f"authorities[{index}] in the authorities file has an unknown member "
                f"{unknown[0][:40]!r}; write {', '.join(AUTHORITY_FILE_MEMBERS)}"
            )
        authorities.append(dict(item))
    return authorities


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
    limits: DirectoryLimits = DEFAULT_LIMITS,
) -> StateEntry:
    """A State entry for the node ``identity``; checked as a receiving node checks it."""
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
    return parse_entry(value, limits=limits)


def assemble(
    entries: Sequence[SignedStateEntry],
    *,
    version: int,
    issued_at: datetime,
    expires: datetime,
    limits: DirectoryLimits = DEFAULT_LIMITS,
) -> Directory:
    """The document for the directory authority to sign: entries sorted by State.

    Each entry must already be signed by a key it lists; a State given twice is refused.
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
    value = {
        "format": DIRECTORY_FORMAT,
        "version": version,
        "issued_at": format_time(issued_at),
        "expires": format_time(expires),
        "states": [signed.to_json() for signed in ordered],
    }
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
