"""A State's figures as a statement signed by its node, and the check of one. Pure.

A secretariat sums the figures of many States without trusting any of them, nor the
secretariat's own copy: each file carries the signature of the State that computed it,
and anyone can check it with the keys of the signed directory (or of a trust file).

The file is a compact JWS (RFC 7515), EdDSA over Ed25519 (RFC 8037), signed with the
node's signing key, the key of every message between nodes. Its header is exactly
``{"alg": "EdDSA", "kid": <RFC 7638 thumbprint>, "typ": "hanoi-statistics+jws",
"iss": <the State>}``: ``typ`` belongs to no other signed object of Hanoi (messages
``hanoi-message+jws``, receipts, directory entries and documents, evidence statements
have their own), so a statistics file is never taken for one of them, nor one of them for
statistics; ``iss`` names the State, so its key is found before the payload is trusted.
The payload is the RFC 8785 canonical JSON::

    {"version": 1, "type": "hanoi.statistics-statement", "state": "EGY",
     "period": {"from": "2026-01-01", "to": "2026-12-31"},
     "directory_version": 7,          (the signed directory the node held, or null)
     "signed_at": "2027-01-15T09:00:00Z",
     "figures": {... figures_json: docs/statistics.md ...}}

:func:`verify_statistics` checks, in this order, and raises at the first failure:

1. size, before anything else, then the form of the JWS and its header, ``typ`` included
   (:class:`MalformedStatistics`, exit 2);
2. the trust source has the key named by ``kid`` for the State named by ``iss``
   (:class:`UntrustedStatistics`, exit 7);
3. the signature verifies with that key (:class:`ForgedStatistics`, exit 6): any byte
   changed in the header, the payload or the signature fails here;
4. the payload is a statement of this version, in canonical form, with nothing else in
   it (:class:`MalformedStatistics`);
5. the key was valid when the statement says it was signed, and the signed State is the
   State whose key signed (:class:`UntrustedStatistics`);
6. the figures are statistics, strictly (:func:`~hanoi.statistics.figures.parse_figures`:
   counts and durations only, consistent), of that State and period
   (:class:`MalformedStatistics`).

Unknown members are refused, unlike other wire formats of Hanoi: a signed statistics file
must not be able to carry anything but counts out of a node.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hanoi.crypto.jws import (
    JwsFormatError,
    JwsSignatureError,
    parse_compact,
    sign_compact,
    verify_parsed,
)
from hanoi.custody.encoding import load_json
from hanoi.custody.errors import MalformedError
from hanoi.errors import IntegrityError, InvalidInput, PermissionDenied
from hanoi.statistics.figures import Figures, figures_json, parse_figures
from hanoi.wire import NotCanonical, canonical_json, format_time, parse_time

STATEMENT_VERSION = 1
STATEMENT_TYPE = "hanoi.statistics-statement"
JWS_TYPE = "hanoi-statistics+jws"
MAX_STATEMENT_BYTES = 1024 * 1024
"""A year of a busy State is a few kilobytes (counts by kind, State, channel, ground);
anything near this limit is not a statistics file."""
MAX_DEPTH = 8
_MEMBERS = frozenset(
    {"version", "type", "state", "period", "directory_version", "signed_at", "figures"}
)


class MalformedStatistics(MalformedError):
    """Not a signed statistics file of this version: its form, type or figures."""


class ForgedStatistics(IntegrityError):
    """The signature does not verify: the file was changed, or signed by another key."""


class UntrustedStatistics(PermissionDenied):
    """Signed, but not by a key the trust source gives for the State it names."""


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """A State's signing key as the trust source gives it, with its validity if known
    (the directory says when a key was rotated in and out; a trust file does not)."""

    state: str
    public: Ed25519PublicKey
    valid_from: datetime | None = None
    valid_until: datetime | None = None


class StatisticsTrust(Protocol):
    """Where the signers' keys come from: the signed directory, or a trust file
    (:mod:`hanoi.statistics.trust`)."""

    def signing_key(self, state: str, key_id: str) -> TrustedKey:
        """The key ``key_id`` of ``state``; :class:`UntrustedStatistics` when the source
        has no such State, or no such key for it."""
        ...


@dataclass(frozen=True, slots=True)
class SignedStatistics:
    """Figures whose signature, signer and form have been checked."""

    figures: Figures
    directory_version: int | None
    signed_at: datetime
    key_id: str

    @property
    def state(self) -> str:
        return self.figures.state

    @property
    def period(self) -> tuple[date, date]:
        return (self.figures.period_from, self.figures.period_to)


def statement_json(
    figures: Figures, *, directory_version: int | None, signed_at: datetime
) -> dict[str, Any]:
    """The payload that is signed (before its canonical form)."""
    if directory_version is not None and directory_version < 1:
        raise InvalidInput("a directory version is a whole number from 1")
    return {
        "version": STATEMENT_VERSION,
        "type": STATEMENT_TYPE,
        "state": figures.state,
        "period": {
            "from": figures.period_from.isoformat(),
            "to": figures.period_to.isoformat(),
        },
        "directory_version": directory_version,
        "signed_at": format_time(signed_at),
        "figures": figures_json(figures),
    }


def sign_statistics(
    figures: Figures,
    key: Ed25519PrivateKey,
    *,
    directory_version: int | None,
    signed_at: datetime,
) -> bytes:
    """The signed statistics file: a compact JWS over the canonical statement."""
    payload = canonical_json(
        statement_json(figures, directory_version=directory_version, signed_at=signed_at),
        error=MalformedStatistics,
        what="the statistics",
    )
    return sign_compact(payload, key, typ=JWS_TYPE, issuer=figures.state).encode("ascii")


def verify_statistics(data: bytes, trust: StatisticsTrust, *, what: str) -> SignedStatistics:
    """The figures of a signed statistics file, checked as the module says; ``what`` (the
    file's name) starts every error message."""
    try:
        parsed = parse_compact(
            data, typ=JWS_TYPE, max_bytes=MAX_STATEMENT_BYTES, issued=True, what=what
        )
    except JwsFormatError as exc:
        raise MalformedStatistics(exc.detail) from None
    state = parsed.issuer
    try:
        trusted = trust.signing_key(state, parsed.key_id)
    except UntrustedStatistics as exc:
        raise UntrustedStatistics(f"{what}: {exc.detail}") from None
    try:
        verify_parsed(parsed, trusted.public)
    except JwsSignatureError as exc:
        raise ForgedStatistics(exc.detail) from None
    except JwsFormatError as exc:
        raise MalformedStatistics(exc.detail) from None
    statement = _statement(parsed.payload, what)
    signed_at = _signed_at(statement, what)
    _check_signer(statement, trusted, parsed.key_id, signed_at, what)
    return SignedStatistics(
        figures=_figures(statement, what),
        directory_version=_directory_version(statement, what),
        signed_at=signed_at,
        key_id=parsed.key_id,
    )


def _statement(payload: bytes, what: str) -> dict[str, Any]:
    value = load_json(
        payload,
        error=MalformedStatistics,
        what=f"{what}: the statement",
        max_bytes=MAX_STATEMENT_BYTES,
        max_depth=MAX_DEPTH,
    )
    if not isinstance(value, dict):
        raise MalformedStatistics(f"{what}: the statement is not a JSON object")
    if value.get("type") != STATEMENT_TYPE:
        raise MalformedStatistics(f"{what}: the statement's 'type' is not {STATEMENT_TYPE!r}")
    if value.get("version") != STATEMENT_VERSION:
        raise MalformedStatistics(
            f"{what}: the statement is not version {STATEMENT_VERSION}, which this reads"
        )
    extra, missing = sorted(set(value) - _MEMBERS), sorted(_MEMBERS - set(value))
    if extra:
        raise MalformedStatistics(
            f"{what}: the statement has members that are not statistics: "
            f"{', '.join(k[:40] for k in extra[:5])}"
        )
    if missing:
        raise MalformedStatistics(f"{what}: the statement lacks {', '.join(missing)}")
    try:
        canonical = canonical_json(value, what="the statement")
    except NotCanonical as exc:
        raise MalformedStatistics(f"{what}: {exc.detail}") from None
    if canonical != payload:
        raise MalformedStatistics(f"{what}: the statement is not in canonical JSON (RFC 8785)")
    return value


def _signed_at(statement: dict[str, Any], what: str) -> datetime:
    try:
        return parse_time(statement["signed_at"])
    except NotCanonical as exc:
        raise MalformedStatistics(f"{what}: signed_at: {exc.detail}") from None


def _directory_version(statement: dict[str, Any], what: str) -> int | None:
    version = statement["directory_version"]
    if version is None:
        return None
    if type(version) is not int or version < 1:
        raise MalformedStatistics(f"{what}: directory_version is a whole number from 1, or null")
    return version


def _check_signer(
    statement: dict[str, Any], trusted: TrustedKey, key_id: str, signed_at: datetime, what: str
) -> None:
    if statement["state"] != trusted.state:
        raise UntrustedStatistics(
            f"{what}: signed with key {key_id} of {trusted.state}, but gives the figures of "
            f"{str(statement['state'])[:16]!r}: a State signs only its own figures"
        )
    if (trusted.valid_from is not None and signed_at < trusted.valid_from) or (
        trusted.valid_until is not None and signed_at >= trusted.valid_until
    ):
        valid = f"from {format_time(trusted.valid_from)}" if trusted.valid_from else ""
        if trusted.valid_until is not None:
            valid += f" until {format_time(trusted.valid_until)}"
        raise UntrustedStatistics(
            f"{what}: signed at {format_time(signed_at)} with key {key_id} of "
            f"{trusted.state}, which was valid only {valid.strip()}"
        )


def _figures(statement: dict[str, Any], what: str) -> Figures:
    try:
        figures = parse_figures(statement["figures"])
    except InvalidInput as exc:
        raise MalformedStatistics(f"{what}: {exc.detail}", fields=exc.fields) from None
    period = statement["period"]
    signed_period = {"from": figures.period_from.isoformat(), "to": figures.period_to.isoformat()}
    if statement["state"] != figures.state or period != signed_period:
        raise MalformedStatistics(
            f"{what}: the statement's State and period differ from those of its figures"
        )
    return figures
