"""Rotating a node's keys (ADR 0051): a new key in place, the old one kept in
``keys/retired/`` for what it is still needed for.

- ``signing``: the node signs messages, receipts, statements and its directory entry
  with the new key at its next start. The old private key is kept to cosign the entry
  that lists both keys (other nodes accept a changed entry only when a key they hold
  signed it), never to sign a message. Other States accept either key until the
  overlap period the entry gives the old one ends.
- ``age``: other States encrypt to the new recipient once they hold the new entry;
  what they encrypted to the old one (messages in flight, packages offered) still
  opens, because the node decrypts with every retired identity too.
- ``document``: :func:`~hanoi.node.document_certificate.issue_document_certificate`
  with ``renew`` (ADR 0027); the entry lists the old certificate beside the new.

Each rotation writes the new key beside the live one, hard-links the live key into
``keys/retired/`` and renames the new one over it, so that a crash at any point
leaves either the old key live (perhaps also retired: :func:`~hanoi.node.folder.load_keys`
skips a retired copy of the live key) or the new one live with the old one kept.
Retired files are named ``<kind>.<UTC time>.<key id>.<ext>``: newest sort first.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.crypto.agekeys import AgeIdentity, format_identity_file, read_identity_file
from hanoi.crypto.ed25519keys import jwk_thumbprint, private_from_pem, private_to_pem
from hanoi.errors import Conflict
from hanoi.files import fsync_folder, publish, write_temporary
from hanoi.node.folder import AGE_PREFIX, RETIRED_DIR, SIGNING_PREFIX, read_key_file


@dataclass(frozen=True, slots=True)
class Rotated:
    """What a rotation did, for the operator: the old and new key IDs, where the old
    key is kept."""

    kind: str
    old: str
    new: str
    retired: Path


def age_key_id(identity: AgeIdentity) -> str:
    """A short name for an age identity in a file name: its recipient's SHA-256, 16 hex."""
    return hashlib.sha256(str(identity.recipient()).encode()).hexdigest()[:16]


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ")


def _retire_and_replace(live: Path, retired: Path, new_data: bytes) -> None:
    """Keep ``live`` as ``retired`` (a hard link), then put ``new_data`` in its place."""
    retired.parent.mkdir(mode=0o700, exist_ok=True)
    if retired.exists():
        raise Conflict(f"{retired} exists already; nothing was changed")
    temporary = write_temporary(live, new_data, mode=0o600)
    try:
        os.link(live, retired)
        fsync_folder(retired.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    publish(temporary, live)


def rotate_signing_key(keys_dir: Path, live_name: str, *, now: datetime) -> Rotated:
    """A new Ed25519 node signing key in ``keys_dir/live_name``; the old one retired."""
    live = keys_dir / live_name
    old = private_from_pem(read_key_file(live))
    new = Ed25519PrivateKey.generate()
    old_id, new_id = jwk_thumbprint(old.public_key()), jwk_thumbprint(new.public_key())
    retired = keys_dir / RETIRED_DIR / f"{SIGNING_PREFIX}.{_stamp(now)}.{old_id}.pem"
    _retire_and_replace(live, retired, private_to_pem(new))
    return Rotated("signing", old_id, new_id, retired)


def rotate_age_identity(keys_dir: Path, live_name: str, *, now: datetime) -> Rotated:
    """A new age identity in ``keys_dir/live_name``; the old one retired, still decrypting."""
    live = keys_dir / live_name
    old = read_identity_file(read_key_file(live).decode())
    new = AgeIdentity.generate()
    retired = keys_dir / RETIRED_DIR / f"{AGE_PREFIX}.{_stamp(now)}.{age_key_id(old)}.txt"
    _retire_and_replace(live, retired, format_identity_file(new, created=now.isoformat()).encode())
    return Rotated("age", str(old.recipient()), str(new.recipient()), retired)
