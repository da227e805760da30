"""Passphrases for evidence sent to a State without a node. Pure.

Such a State has no age key in the directory, so its package is encrypted to a
passphrase (age's ``scrypt`` recipient type) that the exporting authority sends by
another channel. Three rules, each checked here, whatever the caller:

1. a passphrase is the only recipient: age refuses a file that mixes an ``scrypt``
   stanza with others, because a passphrase would then not authenticate the file;
2. a passphrase for an export has at least :data:`MIN_EXPORT_CHARS` characters, no
   control characters (it must be typed at ``age``'s prompt) and is not blank;
3. a passphrase never appears in a message: every error here names the rule, never the
   value (:class:`~hanoi.evidence.age.ScryptRecipient` hides it from ``repr`` too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from hanoi.crypto.agekeys import AgeRecipient
from hanoi.errors import InvalidInput
from hanoi.evidence.age import Recipient, ScryptIdentity, ScryptRecipient
from hanoi.evidence.age.spec import DEFAULT_SCRYPT_LOG_N

MIN_EXPORT_CHARS = 12
MAX_CHARS = 1024
MAX_INPUT_BYTES = 4 * MAX_CHARS + 2
"""The most a passphrase file or standard input may hold (UTF-8, and one line end)."""

Scheme = Literal["x25519", "scrypt"]


def passphrase_text(data: bytes, *, what: str) -> str:
    """A passphrase read from a file or standard input: UTF-8, one line; a single trailing
    line end (``\\n`` or ``\\r\\n``) is not part of it."""
    if len(data) > MAX_INPUT_BYTES:
        raise InvalidInput(f"{what}: longer than a passphrase ({MAX_CHARS} characters at most)")
    if data.endswith(b"\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n"):
        data = data[:-1]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{what}: the passphrase is not UTF-8 text") from None
    if not text:
        raise InvalidInput(f"{what}: empty; the passphrase is the first line")
    _check_characters(text, what=what)
    return text


def _check_characters(text: str, *, what: str) -> None:
    if len(text) > MAX_CHARS:
        raise InvalidInput(f"{what}: a passphrase has at most {MAX_CHARS} characters")
    if not text.isprintable():
        raise InvalidInput(
            f"{what}: the passphrase holds a line break or another control character, "
            "which cannot be typed at age's prompt"
        )


def export_recipient(passphrase: str, *, what: str = "the passphrase") -> ScryptRecipient:
    """The age recipient for an export to ``passphrase``, if it is strong enough (rule 2),
    with the work factor the ``age`` tool uses (2**18)."""
    _check_characters(passphrase, what=what)
    if not passphrase.strip():
        raise InvalidInput(f"{what}: blank")
    if len(passphrase) < MIN_EXPORT_CHARS:
        raise InvalidInput(
            f"{what}: too short; a passphrase for evidence has at least "
            f"{MIN_EXPORT_CHARS} characters (several words are easier to dictate and type)"
        )
    return ScryptRecipient(passphrase, log_n=DEFAULT_SCRYPT_LOG_N)


def reading_identity(passphrase: str, *, what: str = "the passphrase") -> ScryptIdentity:
    """An identity to decrypt with ``passphrase`` (no minimum: it is the sender's)."""
    _check_characters(passphrase, what=what)
    return ScryptIdentity(passphrase)


def scheme_of(recipients: Sequence[Recipient]) -> Scheme:
    """``"scrypt"`` for one passphrase (checked as for an export, rules 1 and 2),
    ``"x25519"`` for age public keys; anything else is refused."""
    if not recipients:
        raise InvalidInput("give at least one age recipient (age1...), or a passphrase")
    passphrases = [r for r in recipients if isinstance(r, ScryptRecipient)]
    if not passphrases:
        if not all(isinstance(r, AgeRecipient) for r in recipients):
            raise InvalidInput("an evidence package is encrypted to age1... recipients")
        return "x25519"
    if len(recipients) > 1:
        raise InvalidInput(
            "a passphrase and age recipients are mutually exclusive: age accepts a passphrase "
            "only as the one recipient of a file"
        )
    [recipient] = passphrases
    export_recipient(recipient.passphrase)
    if recipient.log_n < DEFAULT_SCRYPT_LOG_N:
        raise InvalidInput(
            f"the scrypt work factor of an export is at least 2**{DEFAULT_SCRYPT_LOG_N}"
        )
    return "scrypt"
