"""The rules of the directory's contact values: e-mail, telephone, postal address, day,
document certificate. Pure.

Each check takes the text the codec read and raises ``ValueError`` whose message the
codec puts beside the member's path (``/authorities/0/email: must be...``). Sizes are
the codec's (:class:`~hanoi.directory.limits.DirectoryLimits`), checked before these.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date

from cryptography import x509

_ATEXT = r"(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|[^\x00-\x7f])"
_LABEL_END = r"(?:[A-Za-z0-9]|[^\x00-\x7f])"
_LABEL = rf"{_LABEL_END}(?:(?:[A-Za-z0-9-]|[^\x00-\x7f]){{0,61}}{_LABEL_END})?"
EMAIL = re.compile(rf"(?P<local>{_ATEXT}+(?:\.{_ATEXT}+)*)@{_LABEL}(?:\.{_LABEL})+")
"""A plausible addr-spec: an RFC 5322 dot-atom (non-ASCII letters allowed, RFC 6531), ``@``,
and a domain of at least two labels. No display name, no angle brackets, no quoted local
part, no address literal."""
MAX_EMAIL_LOCAL_CHARS = 64  # RFC 5321, 4.5.3.1.1
TELEPHONE = re.compile(r"\+?[0-9 ().-]+")
"""ASCII digits, spaces, ``(``, ``)``, ``-`` and ``.``, and ``+`` only first."""
MIN_TELEPHONE_DIGITS, MAX_TELEPHONE_DIGITS = 3, 20
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check_email(text: str) -> None:
    found = EMAIL.fullmatch(text)
    if (
        found is None
        or len(found["local"]) > MAX_EMAIL_LOCAL_CHARS
        or text.rsplit(".", 1)[1].isdigit()  # a top-level domain is never all digits
    ):
        raise ValueError("must be an e-mail address such as mla@justice.example")


def check_telephone(text: str) -> None:
    digits = sum("0" <= ch <= "9" for ch in text)
    if not TELEPHONE.fullmatch(text) or not (
        MIN_TELEPHONE_DIGITS <= digits <= MAX_TELEPHONE_DIGITS
    ):
        raise ValueError(
            "must be a telephone number of digits, spaces, + (first), -, (, ) and . "
            "such as +20 2 0000 0000"
        )


def postal_lines(text: str) -> list[str]:
    """The lines of a postal address (separated by ``\\n``), each printable, not all blank."""
    lines = text.split("\n")
    if not text.strip():
        raise ValueError("must not be empty (omit it instead)")
    if not all(line.isprintable() for line in lines):
        raise ValueError("must not contain control characters other than line feeds")
    return lines


def parse_day(text: object) -> date:
    if not isinstance(text, str) or not DAY.fullmatch(text):
        raise ValueError("must be a day such as 2026-01-31")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("must be a day such as 2026-01-31") from None


def decode_certificate(text: str) -> x509.Certificate:
    """A DER X.509 certificate in standard, padded, canonical base64."""
    try:
        der = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("must be standard base64 (with = padding)") from None
    if not der or base64.b64encode(der).decode("ascii") != text:
        raise ValueError("must be standard base64 (with = padding) in canonical form")
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise ValueError(f"is not a DER X.509 certificate: {str(exc)[:200]}") from None
