"""Constants of age v1 (C2SP ``age``) and the limits Hanoi applies when reading.

All the limits a reader applies sit in one frozen object, :class:`Limits`, so a
node can tighten them in one place (in the spirit of python-tuf's ``UpdaterConfig``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hanoi.errors import InvalidInput

VERSION_PREFIX = b"age-encryption.org/"
VERSION_LINE = b"age-encryption.org/v1\n"
STANZA_PREFIX = b"->"
MAC_PREFIX = b"---"

FILE_KEY_SIZE = 16
MAC_SIZE = 32
PAYLOAD_NONCE_SIZE = 16
TAG_SIZE = 16
CHUNK_SIZE = 64 * 1024
ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
COLUMNS = 64
BYTES_PER_LINE = COLUMNS // 4 * 3

HEADER_LABEL = b"header"
PAYLOAD_LABEL = b"payload"

ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
ARMOR_END = b"-----END AGE ENCRYPTED FILE-----"

DEFAULT_SCRYPT_LOG_N = 18  # what the age tool uses for ``age -p``: about one second


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on the work and memory an untrusted age file may demand of a reader.

    - ``max_header_bytes``: the whole header, version line to MAC line. An
      X25519 stanza takes about 100 bytes, a post-quantum one about 1,600.
    - ``max_stanzas``: recipient stanzas in one header.
    - ``max_scrypt_log_n``: the highest scrypt work factor (log2 N) accepted. At
      20, scrypt needs 1 GiB of memory and a few seconds; the age tool writes 18.
    - ``max_armor_whitespace``: whitespace allowed before and after an armored
      file, as in the Go reference.
    """

    max_header_bytes: int = 256 * 1024
    max_stanzas: int = 256
    max_scrypt_log_n: int = 20
    max_armor_whitespace: int = 1024

    def __post_init__(self) -> None:
        if self.max_header_bytes < len(VERSION_LINE) + 64:
            raise InvalidInput("max_header_bytes is too small to hold any age header")
        if self.max_stanzas < 1:
            raise InvalidInput("max_stanzas must allow at least one stanza")
        if not 1 <= self.max_scrypt_log_n <= 30:
            raise InvalidInput("max_scrypt_log_n must be between 1 and 30")
        if self.max_armor_whitespace < 0:
            raise InvalidInput("max_armor_whitespace cannot be negative")


DEFAULT_LIMITS = Limits()
