"""C2SP signed-note: text signed by one or more keys.

A note is UTF-8 text ending in a newline, a blank line, then signature lines
``— <key name> base64(key ID || signature)`` (the dash is U+2014). The text is
split from the signatures at the *last* blank line.

Verification follows the specification: signatures from unknown keys are kept
but ignored; every signature whose name and key ID match a trusted key must
verify, or the note is rejected (:class:`~hanoi.custody.errors.SignatureError`);
a note with no verified trusted signature is rejected
(:class:`~hanoi.custody.errors.NoTrustedSignature`).

Key encodings live in :mod:`hanoi.crypto.ed25519keys`; this module signs and
verifies with them. Other signature types (the tlog-cosignature type 0x04 in
:mod:`hanoi.custody.cosignature`) plug in through :class:`NoteVerifier`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.crypto.ed25519keys import (
    NoteVerifierKey,
    note_key_id,
    parse_note_signer_key,
    raw_public,
)
from hanoi.custody.encoding import b64, decode_b64
from hanoi.custody.errors import MalformedNote, NoTrustedSignature, SignatureError
from hanoi.custody.limits import DEFAULT_LIMITS, Limits
from hanoi.errors import InvalidInput

SIGNATURE_PREFIX = "\u2014 "  # em dash, space


def check_key_name(name: str, *, limits: Limits = DEFAULT_LIMITS) -> None:
    """A key name is non-empty, printable, with no Unicode space and no ``+``."""
    if (
        not name
        or len(name.encode()) > limits.max_key_name_bytes
        or "+" in name
        or any(c.isspace() for c in name)
        or not name.isprintable()
    ):
        raise MalformedNote(f"invalid key name {name[:64]!r}")


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: the key name, its 4-byte ID, and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {b64(self.key_id + self.signature)}\n"


@dataclass(frozen=True, slots=True)
class Note:
    """A parsed, not yet verified note. ``text`` ends with a newline."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def to_bytes(self) -> bytes:
        return (self.text + "\n" + "".join(s.line() for s in self.signatures)).encode()


@dataclass(frozen=True, slots=True)
class VerifiedNote:
    """A note whose ``verified`` signatures come from trusted keys; the others are kept."""

    text: str
    verified: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...]


class NoteVerifier(Protocol):
    """A trusted key: a name, a 4-byte key ID, and a check that raises on a bad signature."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def verify(self, message: bytes, signature: bytes) -> None:
        """Raise :class:`SignatureError` unless ``signature`` signs ``message``."""
        ...


class NoteSigner(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Ed25519Verifier:
    """A signed-note Ed25519 key (signature type 0x01)."""

    key: NoteVerifierKey

    @classmethod
    def parse(cls, vkey: str) -> Ed25519Verifier:
        return cls(NoteVerifierKey.parse(vkey))

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def key_id(self) -> bytes:
        return self.key.key_id

    def verify(self, message: bytes, signature: bytes) -> None:
        try:
            self.key.public().verify(signature, message)
        except InvalidSignature:
            raise SignatureError(f"bad signature by {self.name}+{self.key_id.hex()}") from None


class Ed25519Signer:
    """Signs notes with an Ed25519 key (signature type 0x01)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self.name = name
        self.key_id = note_key_id(name, raw_public(private_key.public_key()))

    @classmethod
    def parse(cls, skey: str) -> Ed25519Signer:
        """From a ``PRIVATE+KEY+name+keyid+base64`` signer key."""
        name, key = parse_note_signer_key(skey)
        return cls(name, key)

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(
            NoteVerifierKey.from_public(self.name, raw_public(self._private.public_key()))
        )

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)


def _check_characters(data: bytes, *, limits: Limits) -> str:
    if len(data) > limits.max_note_bytes:
        raise MalformedNote(f"the note is larger than {limits.max_note_bytes} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedNote("the note is not valid UTF-8") from None
    if any(c < " " and c != "\n" for c in text):
        raise MalformedNote("the note contains a control character")
    return text


def parse_signature_line(line: str, *, limits: Limits = DEFAULT_LIMITS) -> NoteSignature:
    """Parse one signature line, without its final newline."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNote("a signature line starts with an em dash and a space")
    name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    check_key_name(name, limits=limits)
    if not space:
        raise MalformedNote("a signature line has a key name, a space and a signature")
    raw = decode_b64(encoded, error=MalformedNote, what="a signature")
    if len(raw) < 5:
        raise MalformedNote("a signature is a 4-byte key ID and at least one byte")
    return NoteSignature(name, raw[:4], raw[4:])


def parse_signature_lines(text: str, *, limits: Limits = DEFAULT_LIMITS) -> list[NoteSignature]:
    """Parse newline-terminated signature lines (a note's tail, or a witness response)."""
    if not text.endswith("\n"):
        raise MalformedNote("signature lines end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) > limits.max_signatures:
        raise MalformedNote(f"more than {limits.max_signatures} signatures")
    return [parse_signature_line(line, limits=limits) for line in lines]


def parse_note(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Note:
    """Parse a signed note strictly, without verifying any signature."""
    text = _check_characters(data, limits=limits)
    split = text.rfind("\n\n")
    if split < 0:
        raise MalformedNote("the note has no blank line before its signatures")
    body, tail = text[: split + 1], text[split + 2 :]
    if not tail:
        raise MalformedNote("the note has no signatures")
    return Note(body, tuple(parse_signature_lines(tail, limits=limits)))


def _index(verifiers: Iterable[NoteVerifier]) -> dict[tuple[str, bytes], NoteVerifier]:
    known: dict[tuple[str, bytes], NoteVerifier] = {}
    for verifier in verifiers:
        key = (verifier.name, verifier.key_id)
        if key in known:
            raise InvalidInput(f"two trusted keys share the name and ID {verifier.name}")
        known[key] = verifier
    return known


def verify_note(note: Note, verifiers: Iterable[NoteVerifier]) -> VerifiedNote:
    """Verify ``note`` against trusted keys; see the module docstring for the rules."""
    known = _index(verifiers)
    message = note.text.encode()
    verified: list[NoteSignature] = []
    unverified: list[NoteSignature] = []
    seen: set[tuple[str, bytes]] = set()
    for signature in note.signatures:
        key = (signature.name, signature.key_id)
        verifier = known.get(key)
        if verifier is None:
            if signature not in unverified:
                unverified.append(signature)
            continue
        verifier.verify(message, signature.signature)
        if key not in seen:
            seen.add(key)
            verified.append(signature)
    if not verified:
        signers = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in unverified[:4])
        trusted = ", ".join(f"{n}+{i.hex()}" for n, i in known) or "none"
        raise NoTrustedSignature(
            f"wrong key: the note is signed by {signers}, not by a trusted key ({trusted})"
        )
    return VerifiedNote(note.text, tuple(verified), tuple(unverified))


def open_note(
    data: bytes, verifiers: Iterable[NoteVerifier], *, limits: Limits = DEFAULT_LIMITS
) -> VerifiedNote:
    """Parse and verify a signed note."""
    return verify_note(parse_note(data, limits=limits), verifiers)


def sign_note(
    text: str, signers: Sequence[NoteSigner], *, keep: Sequence[NoteSignature] = ()
) -> bytes:
    """Sign ``text``; signatures in ``keep`` (from other keys) come first, as received."""
    if not text.endswith("\n"):
        raise InvalidInput("a note's text ends with a newline")
    try:
        message = text.encode()
    except UnicodeEncodeError:
        raise InvalidInput("a note's text is not encodable as UTF-8") from None
    _check_characters(message, limits=DEFAULT_LIMITS)
    if not signers and not keep:
        raise InvalidInput("a note needs at least one signature")
    fresh = []
    for signer in signers:
        check_key_name(signer.name)
        fresh.append(NoteSignature(signer.name, signer.key_id, signer.sign(message)))
    mine = {(s.name, s.key_id) for s in fresh}
    kept = tuple(s for s in keep if (s.name, s.key_id) not in mine)
    return Note(text, kept + tuple(fresh)).to_bytes()
