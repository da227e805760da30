"""C2SP tlog-checkpoint: a log's signed tree head as a signed note.

The note text is at least three lines, each ending in a newline: the origin
(the log's identity), the tree size in decimal with no leading zeroes, the
base64 root hash, then optional non-empty extension lines::

    example.org/hanoi/EGY
    1000
    wyb51c8YD/apSSUfcoUdRFXBFioZIcH8HaOl5K87lwg=

Parsing is strict: any other spelling raises
:class:`~hanoi.custody.errors.MalformedCheckpoint`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hanoi.custody.encoding import b64, decode_hash, parse_decimal
from hanoi.custody.errors import MalformedCheckpoint, VerificationError
from hanoi.custody.limits import DEFAULT_LIMITS, HASH_SIZE, Limits
from hanoi.custody.note import (
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    VerifiedNote,
    open_note,
    sign_note,
)
from hanoi.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: origin, size and root hash, with any extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        lines = (self.origin, *self.extensions)
        if any(not line or any(c < " " for c in line) for line in lines):
            raise InvalidInput("checkpoint lines are non-empty, with no control characters")
        if not 0 <= self.size <= DEFAULT_LIMITS.max_tree_size:
            raise InvalidInput(f"tree size {self.size} is out of range")
        if len(self.root_hash) != HASH_SIZE:
            raise InvalidInput("a checkpoint root hash is 32 bytes")

    def body(self) -> str:
        """The note text: the lines of the checkpoint, each ending in a newline."""
        lines = [self.origin, str(self.size), b64(self.root_hash), *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    def describe(self) -> str:
        return f"{self.origin} size {self.size} root {b64(self.root_hash)}"


def parse_checkpoint(text: str, *, limits: Limits = DEFAULT_LIMITS) -> Checkpoint:
    """Parse a checkpoint body (a signed note's text)."""
    if not text.endswith("\n"):
        raise MalformedCheckpoint("a checkpoint ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedCheckpoint("a checkpoint has an origin, a size and a root hash line")
    origin, size_line, root_line, *extensions = lines
    if not origin or len(origin.encode()) > limits.max_origin_bytes:
        raise MalformedCheckpoint("the checkpoint origin is empty or too long")
    if any(c < " " for line in lines for c in line):
        raise MalformedCheckpoint("a checkpoint line holds a control character")
    size = parse_decimal(
        size_line, error=MalformedCheckpoint, what="the tree size", maximum=limits.max_tree_size
    )
    root = decode_hash(root_line, error=MalformedCheckpoint, what="the root hash")
    if len(extensions) > limits.max_extension_lines or any(not line for line in extensions):
        raise MalformedCheckpoint("checkpoint extension lines are non-empty and few")
    return Checkpoint(origin, size, root, tuple(extensions))


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint whose note verified; ``note_bytes`` is the note exactly as received."""

    checkpoint: Checkpoint
    note: VerifiedNote
    note_bytes: bytes


def open_checkpoint(
    data: bytes,
    verifiers: Iterable[NoteVerifier],
    *,
    origin: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> SignedCheckpoint:
    """Verify a checkpoint note with the log's key(s) and parse it.

    With ``origin``, the checkpoint must name that log. Verifying comes first: the
    text of a note is not to be trusted before a trusted signature checks out.
    """
    note = open_note(data, verifiers, limits=limits)
    checkpoint = parse_checkpoint(note.text, limits=limits)
    if origin is not None and checkpoint.origin != origin:
        raise VerificationError(
            f"the checkpoint is for log {checkpoint.origin!r}, expected {origin!r}"
        )
    return SignedCheckpoint(checkpoint, note, data)


def sign_checkpoint(
    checkpoint: Checkpoint, signers: Sequence[NoteSigner], *, keep: Sequence[NoteSignature] = ()
) -> bytes:
    """The checkpoint as a signed note."""
    return sign_note(checkpoint.body(), signers, keep=keep)
