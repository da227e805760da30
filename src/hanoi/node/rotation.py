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
- ``log``: the custody log goes on under a new origin and key (:mod:`hanoi.custody.succession`);
  the sequencer signs the succession with the retired key at its first checkpoint.

Each rotation writes the new key beside the live one, hard-links the live key into
``keys/retired/`` and renames the new one over it, so that a crash at any point
leaves either the old key live (perhaps also retired: :func:`~hanoi.node.folder.load_keys`
skips a retired copy of the live key) or the new one live with the old one kept.
Retired files are named ``<kind>.<UTC time>.<key id>.<ext>``: newest sort first.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.crypto.agekeys import AgeIdentity, format_identity_file, read_identity_file
from hanoi.crypto.ed25519keys import (
    format_note_signer_key,
    jwk_thumbprint,
    note_key_id,
    parse_note_signer_key,
    private_from_pem,
    private_to_pem,
    raw_public,
)
from hanoi.errors import Conflict, IntegrityError
from hanoi.files import fsync_folder, publish, write_atomically, write_temporary
from hanoi.node.folder import (
    AGE_PREFIX,
    LOG_KEY_FILE,
    LOG_PREFIX,
    RETIRED_DIR,
    SIGNING_PREFIX,
    format_config,
    read_key_file,
)
from hanoi.node.identity import witness_name
from hanoi.settings import CONFIG_FILE, read_config_file

_ROTATION_SUFFIX = re.compile(r"/r\d{8}T\d{6}Z$")


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


def next_log_origin(origin: str, now: datetime) -> str:
    """The origin a log continues under after a key rotation: the first origin with
    ``/r<UTC time>`` (an earlier rotation's suffix replaced)."""
    return f"{_ROTATION_SUFFIX.sub('', origin)}/r{_stamp(now)}"


def rotate_log_key(node_dir: Path, keys_dir: Path, *, now: datetime) -> Rotated:
    """A new log key under a new origin (ADR 0051): the old key retired (the sequencer
    signs the succession with it), the configuration's ``log_origin`` the new one and its
    ``witness_name`` pinned to the one other States know. Run again after a crash between
    the key and the configuration, it finishes that rotation."""
    config = read_config_file(node_dir)
    origin = str(config["log_origin"])
    live = keys_dir / LOG_KEY_FILE
    live_origin, old = parse_note_signer_key(read_key_file(live).decode())
    old_id = note_key_id(live_origin, raw_public(old.public_key())).hex()
    if live_origin != origin:  # the key was replaced, the configuration not yet
        retired = _retired_log_key(keys_dir, origin)
        if retired is None:
            raise IntegrityError(
                f"{live} is the key of log {live_origin}, the configuration names "
                f"{origin}, and keys/retired/ holds no key of {origin}: restore the key "
                "folder from a backup"
            )
        _write_log_config(node_dir, config, new_origin=live_origin)
        return Rotated("log", origin, live_origin, retired)
    new_origin = next_log_origin(origin, now)
    new = Ed25519PrivateKey.generate()
    retired = keys_dir / RETIRED_DIR / f"{LOG_PREFIX}.{_stamp(now)}.{old_id}.key"
    new_text = format_note_signer_key(new_origin, new) + "\n"
    _retire_and_replace(live, retired, new_text.encode())
    _write_log_config(node_dir, config, new_origin=new_origin)
    return Rotated("log", origin, new_origin, retired)


def _retired_log_key(keys_dir: Path, origin: str) -> Path | None:
    for path in sorted((keys_dir / RETIRED_DIR).glob(f"{LOG_PREFIX}.*"), reverse=True):
        name, _ = parse_note_signer_key(read_key_file(path).decode())
        if name == origin:
            return path
    return None


def _write_log_config(node_dir: Path, config: dict[str, Any], *, new_origin: str) -> None:
    witness = str(config.get("witness_name") or witness_name(str(config["log_origin"])))
    updated = {**config, "log_origin": new_origin, "witness_name": witness}
    write_atomically(node_dir / CONFIG_FILE, format_config(updated).encode(), mode=0o600)
