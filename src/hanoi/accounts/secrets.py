"""Password hashing (argon2id) and API tokens (random, stored as SHA-256).

A token reads ``hanoi_<id>_<secret>``: the id (12 hex digits) finds the row, the
secret (32 random bytes, base64url) is checked against its stored SHA-256 in
constant time. Tokens are high-entropy, so a fast hash is right for them; passwords
are not, so they get argon2id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from hanoi.errors import InvalidInput, PermissionDenied

_TOKEN = re.compile(r"^hanoi_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
NODE_HASHER = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
"""argon2id, 64 MiB, 3 passes, 4 lanes (RFC 9106's profile for machines short of memory):
about 0.1 s of CPU per hash on the 2-core test machine, on purpose."""
_hasher = NODE_HASHER


def hash_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )
    return _hasher.hash(password)


_unknown_user_hash: list[str] = []


def verify_password(stored_hash: str | None, password: str) -> None:
    """Raise unless ``password`` matches. With no stored hash (an unknown user, or one
    without a password), a hash of a random password is checked all the same, so that
    the answer takes as long as for a real user and does not tell who exists."""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PermissionDenied("wrong user name or password")
    if stored_hash is None:
        if not _unknown_user_hash:
            _unknown_user_hash.append(_hasher.hash(secrets.token_urlsafe(32)))
        stored_hash = _unknown_user_hash[0]
    try:
        _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        raise PermissionDenied("wrong user name or password") from None


@dataclass(frozen=True, slots=True)
class NewToken:
    token_id: str
    secret_hash: bytes
    plaintext: str

    def __repr__(self) -> str:
        return f"NewToken(token_id={self.token_id!r})"


def new_token() -> NewToken:
    token_id = secrets.token_hex(6)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return NewToken(
        token_id=token_id,
        secret_hash=hashlib.sha256(secret.encode()).digest(),
        plaintext=f"hanoi_{token_id}_{secret}",
    )


def parse_token(token: str) -> tuple[str, bytes]:
    """Return ``(token_id, sha256(secret))``; raise PermissionDenied for a malformed token."""
    match = _TOKEN.match(token)
    if not match:
        raise PermissionDenied("malformed API token")
    return match.group(1), hashlib.sha256(match.group(2).encode()).digest()


def same_hash(stored: bytes, presented: bytes) -> bool:
    return hmac.compare_digest(stored, presented)
