"""A log that continues under a new origin and key (ADR 0051). Pure.

Rotating a node's log key starts a new log origin. The tree does not start again: the
entries, tiles and indexes stay as they are, and checkpoints from the rotation on are
signed by the new key under the new origin. The old origin ends at its last checkpoint,
and a *succession* says so, as a C2SP signed note signed by **both** keys::

    hanoi.log-succession/v1
    <old origin>
    <size of the old origin's last checkpoint>
    <its root hash, base64>
    <new origin>
    <new origin's verifier key>

A verifier that trusts the old key learns from it which key signs from there on, and
that no checkpoint of the old origin larger than ``size`` is genuine (the old key may
leak once it is retired); one that trusts the new key learns where its tree began.
The first line cannot be a checkpoint's origin of either log, so neither key's
signature on it can be taken for a checkpoint, nor a checkpoint for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hanoi.custody.encoding import b64, decode_hash, parse_decimal
from hanoi.custody.errors import MalformedError, VerificationError
from hanoi.custody.limits import DEFAULT_LIMITS, Limits
from hanoi.custody.note import (
    Ed25519Verifier,
    NoteSigner,
    NoteVerifier,
    open_note,
    parse_note,
    sign_note,
)
from hanoi.errors import InvalidInput

HEADER = "hanoi.log-succession/v1"


class MalformedSuccession(MalformedError):
    """The text of a log succession is not the six lines it must be."""


class LogMovedOn(VerificationError):
    """The log's latest checkpoint is another origin's than this process signs for, and
    not one it succeeds: a process started before a log key rotation."""


@dataclass(frozen=True, slots=True)
class Predecessor:
    """A log origin this one succeeds: its retired key (named after the old origin),
    and this log's verifier key, as the succession names it."""

    signer: NoteSigner
    new_verifier_key: str


@dataclass(frozen=True, slots=True)
class Succession:
    old_origin: str
    size: int
    root: bytes
    new_origin: str
    new_verifier_key: str

    def text(self) -> str:
        return (
            f"{HEADER}\n{self.old_origin}\n{self.size}\n{b64(self.root)}\n"
            f"{self.new_origin}\n{self.new_verifier_key}\n"
        )


@dataclass(frozen=True, slots=True)
class FormerLog:
    """A log origin a node's custody log went on from: its key, and the succession that
    ends it (None until the node has published the new origin's first checkpoint). What
    ``hanoi node show``, a trust file and a directory entry list as ``former_logs``."""

    log_origin: str
    log_verifier_key: str
    succession: str | None = None

    def ended(self) -> Succession | None:
        """The succession's content (verified where the former log was read: a trust file,
        a directory entry); None without one."""
        if self.succession is None:
            return None
        return read_succession(self.succession.encode())

    def final_size(self) -> int | None:
        """The old origin's last size; None without a succession."""
        ended = self.ended()
        return None if ended is None else ended.size

    def as_json(self) -> dict[str, str]:
        shown = {"log_origin": self.log_origin, "log_verifier_key": self.log_verifier_key}
        if self.succession is not None:
            shown["succession"] = self.succession
        return shown


def check_former_logs(former: Sequence[FormerLog], *, current_key: str) -> None:
    """Each former log's succession verifies under its own key and names as successor the
    current log's key or a later former log's; raises :class:`VerificationError` or
    :class:`MalformedSuccession`."""
    successors = {current_key, *(f.log_verifier_key for f in former)}
    for log in former:
        if log.succession is None:
            continue
        succession = open_succession(
            log.succession.encode(), old_key=Ed25519Verifier.parse(log.log_verifier_key)
        )
        if succession.new_verifier_key not in successors - {log.log_verifier_key}:
            raise VerificationError(
                f"the succession of log {log.log_origin} names a successor this node does not list"
            )


@dataclass(frozen=True, slots=True)
class SignedSuccession:
    succession: Succession
    note: str  # the signed note, as published


def sign_succession(succession: Succession, *, old: NoteSigner, new: NoteSigner) -> bytes:
    """The succession as a note signed by the old log key and the new one."""
    if old.name != succession.old_origin or new.name != succession.new_origin:
        raise MalformedSuccession("the succession is signed by the keys of the two origins")
    return sign_note(succession.text(), [old, new])


def parse_succession(text: str, *, limits: Limits = DEFAULT_LIMITS) -> Succession:
    lines = text.split("\n")
    if len(lines) != 7 or lines[0] != HEADER or lines[-1] != "":
        raise MalformedSuccession(f"a log succession is {HEADER!r} and five lines")
    _, old_origin, size_line, root_line, new_origin, new_key, _ = lines
    size = parse_decimal(
        size_line, error=MalformedSuccession, what="the size", maximum=limits.max_tree_size
    )
    root = decode_hash(root_line, error=MalformedSuccession, what="the root hash")
    if not old_origin or not new_origin or old_origin == new_origin:
        raise MalformedSuccession("a succession names two different origins")
    return Succession(old_origin, size, root, new_origin, new_key)


def read_succession(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Succession:
    """What a succession note says, its signatures not checked (:func:`open_succession`
    checks them): to find which key checks it, or one checked before."""
    return parse_succession(parse_note(data, limits=limits).text, limits=limits)


def open_succession(
    data: bytes, *, old_key: NoteVerifier, limits: Limits = DEFAULT_LIMITS
) -> Succession:
    """A succession of the log ``old_key`` signs for, verified by that key and by the new
    key it names: either missing or wrong raises :class:`VerificationError`."""
    note = open_note(data, [old_key], limits=limits)
    succession = parse_succession(note.text, limits=limits)
    if succession.old_origin != old_key.name:
        raise VerificationError(
            f"the succession is of log {succession.old_origin!r}, not {old_key.name!r}"
        )
    try:
        new_key = Ed25519Verifier.parse(succession.new_verifier_key)
    except InvalidInput as exc:
        raise MalformedSuccession(f"the new verifier key: {exc.detail}") from None
    if new_key.name != succession.new_origin:
        raise MalformedSuccession("the new verifier key is not named after the new origin")
    open_note(data, [new_key], limits=limits)  # and the new key signed it too
    return succession
