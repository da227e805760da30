"""Every C2SP age test vector (``tests/vectors/age/testdata``) through Hanoi's age reader.

Each vector names the outcome a reader must give (see ``tests/vectors/age/README.md``).
Hanoi supports X25519 and scrypt identities; it has none of the hybrid
post-quantum type (``AGE-SECRET-KEY-PQ-1...``). For a vector whose identities
are all of that type, Hanoi holds only its own, unrelated X25519 key, and
``mlkem768x25519`` stanzas are unrecognised stanzas that, per the spec, it
must ignore. The outcome the spec then requires is computed, not listed: an
armor failure stays one; a header that breaks the type-independent grammar
(checked here by an independent regular expression and base64 round trip)
is a header failure; anything else can only be "no match". For those vectors
the file key that the vector publishes is used to check Hanoi's header MAC
and payload decryption on them as well.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.errors import InvalidInput
from hanoi.evidence.age import (
    AgeError,
    Decryptor,
    HeaderMacMismatch,
    Identity,
    MalformedArmor,
    MalformedHeader,
    NoIdentityMatch,
    PayloadCorrupted,
    ScryptIdentity,
)
from hanoi.evidence.age.armor import ArmorDecoder, ArmorEncoder
from hanoi.evidence.age.header import read_header
from hanoi.evidence.age.keys import verify_header_mac
from hanoi.evidence.age.primitives import payload_key
from hanoi.evidence.age.spec import CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, TAG_SIZE
from hanoi.evidence.age.stream import PayloadOpener, PayloadSealer

TESTDATA = Path(__file__).parent / "age" / "testdata"
NAMES = sorted(p.name for p in TESTDATA.iterdir())
EXPECTATIONS = frozenset(
    ["success", "no match", "HMAC failure", "header failure", "payload failure", "armor failure"]
)


@dataclass(frozen=True)
class Vector:
    name: str
    expect: str
    payload: str | None
    file_key: bytes
    identities: tuple[Identity, ...]
    unsupported: tuple[str, ...]
    armored: bool
    data: bytes

    @property
    def supported(self) -> bool:
        """At least one identity the vector lists is of a type Hanoi implements."""
        return bool(self.identities) or not self.unsupported


@functools.cache
def load(name: str) -> Vector:
    raw = (TESTDATA / name).read_bytes()
    head, data = raw.split(b"\n\n", 1)
    fields: dict[str, list[str]] = {}
    for line in head.decode().splitlines():
        key, value = line.split(": ", 1)
        fields.setdefault(key, []).append(value)
    identities: list[Identity] = [ScryptIdentity(p) for p in fields.get("passphrase", [])]
    unsupported: list[str] = []
    for text in fields.get("identity", []):
        try:
            identities.append(AgeIdentity.parse(text))
        except InvalidInput:
            unsupported.append(text.split("1", 1)[0])
    if fields.get("compressed") == ["zlib"]:
        data = zlib.decompress(data)
    [expect] = fields["expect"]
    assert expect in EXPECTATIONS
    return Vector(
        name=name,
        expect=expect,
        payload=fields.get("payload", [None])[0],
        file_key=bytes.fromhex(fields["file key"][0]),
        identities=tuple(identities),
        unsupported=tuple(unsupported),
        armored=fields.get("armored") == ["yes"],
        data=data,
    )


def outcome_of(error: AgeError) -> str:
    for kind, outcome in [
        (MalformedArmor, "armor failure"),
        (MalformedHeader, "header failure"),
        (NoIdentityMatch, "no match"),
        (HeaderMacMismatch, "HMAC failure"),
        (PayloadCorrupted, "payload failure"),
    ]:
        if isinstance(error, kind):
            return outcome
    raise AssertionError(f"unclassified age error {error!r}")


def decrypt(
    vector: Vector, identities: tuple[Identity, ...], *, background: bool
) -> tuple[str, bytes]:
    """Decrypt as a streaming reader would; return the outcome and the plaintext released."""
    released = bytearray()
    try:
        with Decryptor(
            io.BytesIO(vector.data), identities, armor=vector.armored, background=background
        ) as reader:
            while chunk := reader.read(40_000):  # not a divisor of the chunk size
                released += chunk
    except AgeError as error:
        return outcome_of(error), bytes(released)
    return "success", bytes(released)


# -- the independent oracle for type-independent header grammar -----------------------

_B64 = rb"[A-Za-z0-9+/]"
_GRAMMAR = re.compile(
    rb"age-encryption\.org/v1\n"
    rb"(?:-> [\x21-\x7e]+(?: [\x21-\x7e]+)*\n(?:" + _B64 + rb"{64}\n)*" + _B64 + rb"{0,63}\n)+"
    rb"--- " + _B64 + rb"{43}\n"
)


def _canonical(text: bytes) -> bool:
    try:
        raw = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        return False
    return base64.b64encode(raw).rstrip(b"=") == text


def _dearmor(text: bytes) -> bytes:
    lines = text.strip().replace(b"\r\n", b"\n").split(b"\n")
    return base64.b64decode(b"".join(lines[1:-1]))


def breaks_generic_grammar(vector: Vector) -> bool:
    data = _dearmor(vector.data) if vector.armored else vector.data
    match = _GRAMMAR.match(data)
    if match is None:
        return True
    lines = match.group(0).split(b"\n")[1:-1]
    texts = [line.removeprefix(b"--- ") for line in lines if not line.startswith(b"-> ")]
    return not all(_canonical(text) for text in texts)


def required_outcome(vector: Vector) -> str:
    if vector.supported:
        return vector.expect
    if vector.expect == "armor failure":
        return "armor failure"
    return "header failure" if breaks_generic_grammar(vector) else "no match"


# -- the tests ---------------------------------------------------------------------------


def test_every_vector_is_here() -> None:
    assert len(NAMES) == 143


@pytest.mark.parametrize("background", [True, False], ids=["threads", "inline"])
@pytest.mark.parametrize("name", NAMES)
def test_vector(name: str, background: bool) -> None:
    vector = load(name)
    identities = vector.identities if vector.supported else (AgeIdentity.generate(),)
    outcome, released = decrypt(vector, identities, background=background)
    assert outcome == required_outcome(vector)
    if outcome in ("success", "payload failure") and vector.payload is not None:
        assert hashlib.sha256(released).hexdigest() == vector.payload
    else:
        assert released == b""


@pytest.mark.parametrize("name", [n for n in NAMES if load(n).expect != "armor failure"])
def test_parser_agrees_with_the_grammar_oracle(name: str) -> None:
    """The header parser alone refuses exactly the headers that break the generic grammar."""
    vector = load(name)
    data = _binary(vector) if vector.armored else vector.data
    try:
        read_header(io.BytesIO(data).read)
    except MalformedHeader:
        assert breaks_generic_grammar(vector)
    else:
        assert not breaks_generic_grammar(vector)


def _binary(vector: Vector) -> bytes:
    decoder = ArmorDecoder(io.BytesIO(vector.data).read)
    out = bytearray()
    while chunk := decoder.read(CHUNK_SIZE):
        out += chunk
    return bytes(out)


@pytest.mark.parametrize("name", [n for n in NAMES if load(n).expect in ("success", "no match")])
def test_file_key_opens_header_and_payload(name: str) -> None:
    """With the published file key, the MAC verifies and the payload decrypts (all types)."""
    vector = load(name)
    data = _binary(vector) if vector.armored else vector.data
    header, size, _ = read_header(io.BytesIO(data).read)
    verify_header_mac(header, vector.file_key)
    if vector.expect != "success":
        return
    payload = memoryview(data)[size + 16 :]
    opener = PayloadOpener(payload_key(vector.file_key, data[size : size + 16]))
    plaintext = bytearray()
    chunks = range(0, max(len(payload), 1), ENCRYPTED_CHUNK_SIZE)
    for index, start in enumerate(chunks):
        chunk = payload[start : start + ENCRYPTED_CHUNK_SIZE]
        out = memoryview(bytearray(len(chunk) - TAG_SIZE))
        assert opener.open(chunk, out, index=index, final=index == len(chunks) - 1)
        plaintext += out
    assert hashlib.sha256(plaintext).hexdigest() == vector.payload


@pytest.mark.parametrize("name", [n for n in NAMES if load(n).expect != "armor failure"])
def test_encodings_round_trip(name: str) -> None:
    """Whatever Hanoi accepts, it encodes back to the same bytes (header, armor, STREAM)."""
    vector = load(name)
    if vector.armored:
        binary = _binary(vector)
        out = bytearray()
        encoder = ArmorEncoder(out.extend)
        encoder.write(memoryview(binary))
        encoder.finish()
        assert bytes(out) == vector.data.replace(b"\r\n", b"\n").strip() + b"\n"
        return
    try:
        header, size, _ = read_header(io.BytesIO(vector.data).read)
    except MalformedHeader:
        assert vector.expect == "header failure"
        return
    assert header.encode() == vector.data[:size]
    if vector.expect == "success" and vector.supported:
        (_, plaintext) = decrypt(vector, vector.identities, background=False)
        sealer = PayloadSealer(payload_key(vector.file_key, vector.data[size : size + 16]))
        out = memoryview(bytearray(len(vector.data)))
        written = sealer.seal(memoryview(plaintext), out, final=True)
        assert bytes(out[:written]) == vector.data[size + 16 :]


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in NAMES
        if load(n).supported
        and not load(n).armored
        and load(n).expect in ("success", "payload failure")
    ],
)
def test_seeking_reader(name: str) -> None:
    """Random access gives the sequential plaintext, and never accepts a bad payload."""
    vector = load(name)
    _, sequential = decrypt(vector, vector.identities, background=False)
    reader = Decryptor(io.BytesIO(vector.data), vector.identities)
    if vector.expect == "success":
        assert reader.size() == len(sequential)
        for offset in sorted(
            {0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, len(sequential) // 2, len(sequential)}
        ):
            reader.seek(offset)
            assert reader.read(CHUNK_SIZE + 3) == sequential[offset : offset + CHUNK_SIZE + 3]
        reader.seek(-min(len(sequential), 5), io.SEEK_END)
        assert reader.read() == sequential[-5:]
        return
    released = bytearray()

    def read_all_from_start() -> None:
        reader.seek(0)
        while chunk := reader.read(CHUNK_SIZE):
            released.extend(chunk)

    with pytest.raises(PayloadCorrupted):
        read_all_from_start()
    assert sequential.startswith(released)
