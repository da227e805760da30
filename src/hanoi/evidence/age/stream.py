"""The age payload: STREAM over ChaCha20-Poly1305 in 64 KiB chunks.

Chunk ``i`` is sealed with the nonce ``i`` (11 bytes, big-endian) followed by
``0x01`` for the final chunk and ``0x00`` for the others. The final chunk may be
shorter than 64 KiB and may be empty only when the whole payload is empty.

:class:`PayloadSealer` and :class:`PayloadOpener` work on caller-owned buffers
(``encrypt_into`` / ``decrypt_into``), several chunks per call, so the
reader and writer reuse their memory; ``cryptography`` releases the GIL inside
OpenSSL, so other threads run meanwhile. Pure: no I/O.
"""

from __future__ import annotations

import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from hanoi.errors import InvalidInput
from hanoi.evidence.age.errors import PayloadCorrupted
from hanoi.evidence.age.spec import CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, TAG_SIZE

_NONCE_SIZE = 12
_LAST_FLAG = 11


def chunk_count(plaintext_size: int) -> int:
    """How many chunks a payload of ``plaintext_size`` bytes has (one if empty)."""
    return max(1, -(-plaintext_size // CHUNK_SIZE))


def encrypted_size(plaintext_size: int) -> int:
    return plaintext_size + chunk_count(plaintext_size) * TAG_SIZE


def plaintext_size(payload_size: int) -> int:
    """The plaintext size of a payload of ``payload_size`` bytes (after the nonce).

    Raises :class:`PayloadCorrupted` if no valid chunk sequence has that size.
    """
    chunks = -(-payload_size // ENCRYPTED_CHUNK_SIZE)
    size = payload_size - chunks * TAG_SIZE
    if payload_size <= 0 or size < 0 or chunk_count(size) != chunks:
        raise PayloadCorrupted(f"no age payload is {payload_size} bytes long")
    return size


class _Nonces:
    def __init__(self) -> None:
        self.buffer = bytearray(_NONCE_SIZE)

    def at(self, index: int, *, final: bool) -> bytearray:
        struct.pack_into(">Q", self.buffer, 3, index)
        self.buffer[_LAST_FLAG] = 1 if final else 0
        return self.buffer


class PayloadSealer:
    """Encrypts chunks in order; :attr:`index` is the next chunk's number."""

    def __init__(self, key: bytes) -> None:
        self._aead = ChaCha20Poly1305(key)
        self._nonces = _Nonces()
        self.index = 0
        self.finished = False

    def seal(self, plaintext: memoryview, out: memoryview, *, final: bool) -> int:
        """Seal ``plaintext`` as consecutive chunks into ``out``; return the bytes written.

        Unless ``final``, ``plaintext`` must be whole chunks. With ``final``, its
        last chunk (possibly short, empty only for an empty payload) ends the stream.
        """
        if self.finished:
            raise InvalidInput("the age payload is already finished")
        size = len(plaintext)
        if not final and (size == 0 or size % CHUNK_SIZE):
            raise InvalidInput("only whole chunks can be sealed before the final one")
        if final and size == 0 and self.index:
            raise InvalidInput("the final chunk may be empty only in an empty payload")
        chunks = chunk_count(size) if final else size // CHUNK_SIZE
        written = 0
        for n in range(chunks):
            piece = plaintext[n * CHUNK_SIZE : (n + 1) * CHUNK_SIZE]
            last = final and n == chunks - 1
            end = written + len(piece) + TAG_SIZE
            nonce = self._nonces.at(self.index, final=last)
            self._aead.encrypt_into(nonce, piece, None, out[written:end])
            written = end
            self.index += 1
        self.finished = final
        return written


class PayloadOpener:
    """Decrypts single chunks at any index (for seeking) with a reused nonce buffer."""

    def __init__(self, key: bytes) -> None:
        self._aead = ChaCha20Poly1305(key)
        self._nonces = _Nonces()

    def open(self, ciphertext: memoryview, out: memoryview, *, index: int, final: bool) -> bool:
        """Decrypt chunk ``index`` into ``out[: len(ciphertext) - 16]``; ``False`` if forged.

        On ``False`` the output holds unauthenticated bytes that must not be used.
        """
        size = len(ciphertext) - TAG_SIZE
        if size < 0:
            return False
        nonce = self._nonces.at(index, final=final)
        try:
            self._aead.decrypt_into(nonce, ciphertext, None, out[:size])
        except InvalidTag:
            return False
        return True
