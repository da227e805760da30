"""The held directory in a node folder: the pinned authority key and the accepted document.

Layout::

    NODE_DIR/directory/authority.pub   the pinned directory authority key (PEM public key)
    NODE_DIR/directory/current.json    the accepted document, byte for byte as imported

Every write goes to a temporary file in the same folder, is fsynced and renamed
into place, and the folder is fsynced: a crash leaves the old file or the new
one, never half of one. A document is written only after
:meth:`~hanoi.directory.trust.TrustedDirectory.update` accepted it, so a refused
document never replaces the held one. Imports into one node folder are
serialised by an advisory lock.

The rest of the node reads the directory through :func:`load_held`.
"""

from __future__ import annotations

import base64
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.directory.errors import DirectoryTooLarge, NoDirectory, PinMismatch
from hanoi.directory.limits import DEFAULT_LIMITS, DirectoryLimits
from hanoi.directory.trust import DirectoryUpdate, TrustedDirectory
from hanoi.errors import InvalidInput, NotFound
from hanoi.files import write_atomically

FOLDER = "directory"
AUTHORITY_FILE = "authority.pub"
CURRENT_FILE = "current.json"
LOCK_FILE = ".lock"
MAX_KEY_FILE_BYTES = 4096


def read_limited(path: Path, max_bytes: int, *, what: str) -> bytes:
    """Read at most ``max_bytes`` from ``path``; a larger file is refused, not truncated."""
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise NotFound(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise InvalidInput(f"{what} {path} is a folder, not a file") from None
    if len(data) > max_bytes:
        raise DirectoryTooLarge(f"{what} {path} is larger than {max_bytes} bytes")
    return data


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def parse_public_key(data: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key as PEM (``BEGIN PUBLIC KEY``) or one line of base64url."""
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        try:
            key = load_pem_public_key(text)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"not a PEM public key: {exc}") from None
        if not isinstance(key, Ed25519PublicKey):
            raise InvalidInput("the PEM public key is not an Ed25519 key")
        return key
    try:
        raw = base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))
        if len(raw) != 32:
            raise ValueError
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise InvalidInput(
            "an authority key is a PEM public key or 43 characters of base64url"
        ) from None


def read_public_key(path: Path) -> Ed25519PublicKey:
    return parse_public_key(read_limited(path, MAX_KEY_FILE_BYTES, what="the key file"))


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(mode=0o755, exist_ok=True)
    with (folder / LOCK_FILE).open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _folder(node_dir: Path) -> Path:
    if not node_dir.is_dir():
        raise NotFound(f"{node_dir} is not a node folder")
    return node_dir / FOLDER


def load_held(
    node_dir: Path, *, limits: DirectoryLimits = DEFAULT_LIMITS
) -> TrustedDirectory | None:
    """The node's trusted directory: ``None`` if no authority key is pinned yet.

    With a pinned key but no document yet, the result holds nothing
    (:meth:`~TrustedDirectory.key_for` raises :class:`NoDirectory`). The held
    document's signatures are checked again; expiry is left to the caller
    (:meth:`~TrustedDirectory.require_fresh`).
    """
    folder = _folder(node_dir)
    pin_path = folder / AUTHORITY_FILE
    if not pin_path.exists():
        return None
    authority = read_public_key(pin_path)
    current = folder / CURRENT_FILE
    if not current.exists():
        return TrustedDirectory(authority, limits=limits)
    data = read_limited(current, limits.max_document_bytes, what="the held directory")
    return TrustedDirectory.from_held(authority, data, limits=limits)


def import_document(
    node_dir: Path,
    data: bytes,
    *,
    now: datetime,
    pin: Ed25519PublicKey | None = None,
    limits: DirectoryLimits = DEFAULT_LIMITS,
) -> DirectoryUpdate:
    """Check ``data`` against the held directory and keep it if every rule passes.

    The first import needs ``pin``, the directory authority key, obtained out of
    band; later ones may repeat the same key but never change it.
    """
    folder = _folder(node_dir)
    with _locked(folder):
        trusted = load_held(node_dir, limits=limits)
        if trusted is None:
            if pin is None:
                raise NotFound(
                    "no directory authority key is pinned in this node; "
                    "give it with --pin for the first import"
                )
            trusted = TrustedDirectory(pin, limits=limits)
        elif pin is not None and jwk_thumbprint(pin) != trusted.authority_key_id:
            raise PinMismatch(
                f"this node pins directory authority key {trusted.authority_key_id}, "
                f"not {jwk_thumbprint(pin)}; nothing was changed"
            )
        result = trusted.update(data, now)
        pin_path = folder / AUTHORITY_FILE
        if not pin_path.exists():
            write_atomically(pin_path, public_key_pem(trusted.authority_key))
        if not result.unchanged or not (folder / CURRENT_FILE).exists():
            write_atomically(folder / CURRENT_FILE, data)
        return result


def export_held(node_dir: Path, *, limits: DirectoryLimits = DEFAULT_LIMITS) -> bytes:
    """The held document, byte for byte as imported (its signatures checked again)."""
    trusted = load_held(node_dir, limits=limits)
    held = trusted.held_bytes if trusted is not None else None
    if held is None:
        raise NoDirectory(f"{node_dir} holds no directory yet; import one first")
    return held
