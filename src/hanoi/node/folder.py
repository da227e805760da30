"""The node folder on disk: configuration, keys, database and blobs.

Layout::

    DIR/hanoi.toml                 configuration (no secrets)
    DIR/hanoi.db                   SQLite database (unless database_url says otherwise)
    DIR/blobs/                     content-addressed blob store (unless S3)
    DIR/keys/node-signing.pem      Ed25519, PKCS#8 PEM, mode 0600: the node's identity
    DIR/keys/log-signing.key       Ed25519, C2SP signed-note signer key, mode 0600
    DIR/keys/witness-signing.pem   Ed25519, PKCS#8 PEM, mode 0600: cosigns other logs
    DIR/keys/age-identity.txt      age X25519 identity, age-keygen layout, mode 0600
    DIR/keys/document-signing.pem  ECDSA P-256, PKCS#8 PEM, mode 0600: signs PDF letters
    DIR/keys/document-signing.crt  its self-signed X.509 certificate, PEM, mode 0644
    DIR/keys/document-signing.<serial>.crt  certificates it replaced (ADR 0027)
    DIR/keys/retired/              keys rotated out, newest name last (ADR 0051):
                                   node-signing.<time>.<kid>.pem, age-identity.<time>.<id>.txt,
                                   log-signing.<time>.<key id>.key

``init_node`` builds everything in a temporary sibling folder and renames it
into place at the end, so a failure leaves nothing behind and nothing that
was there is ever overwritten.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.crypto.agekeys import AgeIdentity, format_identity_file, read_identity_file
from hanoi.crypto.document_signing import (
    DocumentSigner,
    certificate_from_pem,
    generate_document_signer,
    signer_from_pem,
)
from hanoi.crypto.ed25519keys import (
    format_note_signer_key,
    jwk_thumbprint,
    parse_note_signer_key,
    private_from_pem,
    private_to_pem,
)
from hanoi.errors import Conflict, IntegrityError, InvalidInput, NotFound
from hanoi.node.identity import NodeIdentity, NodeKeys, default_log_origin
from hanoi.settings import CONFIG_FILE, Settings, build_settings

SIGNING_KEY_FILE = "node-signing.pem"
LOG_KEY_FILE = "log-signing.key"
WITNESS_KEY_FILE = "witness-signing.pem"
AGE_IDENTITY_FILE = "age-identity.txt"
DOCUMENT_KEY_FILE = "document-signing.pem"
DOCUMENT_CERTIFICATE_FILE = "document-signing.crt"
_KEY_FILE_LIMIT = 64 * 1024
RETIRED_DIR = "retired"
SIGNING_PREFIX = "node-signing"
AGE_PREFIX = "age-identity"
LOG_PREFIX = "log-signing"
MAX_RETIRED = 32
"""Retired keys of one kind a node reads: a rotation a month for more than two years."""


def _write_new(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 (whatever the umask), refusing to overwrite."""
    _write_new(path, data, 0o600)


def write_public(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0644 (whatever the umask), refusing to overwrite."""
    _write_new(path, data, 0o644)


def read_key_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > _KEY_FILE_LIMIT:
            raise InvalidInput(f"{path} is too large to be a key file")
        if path.stat().st_mode & 0o077:
            raise IntegrityError(
                f"{path} is readable by other users; run 'chmod 600 {path}' and check who read it"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"missing key file {path}") from None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def format_config(values: dict[str, Any]) -> str:
    lines = ["# Hanoi node configuration. HANOI_* environment variables override these."]
    lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def load_keys(settings: Settings) -> NodeKeys:
    keys_dir = settings.keys_dir
    signing = private_from_pem(read_key_file(keys_dir / SIGNING_KEY_FILE))
    log_origin, log_signing = parse_note_signer_key(read_key_file(keys_dir / LOG_KEY_FILE).decode())
    if log_origin != settings.log_origin:
        raise IntegrityError(
            f"{keys_dir / LOG_KEY_FILE} is the key of log {log_origin}, but the configuration "
            f"names {settings.log_origin}: a log key rotation was interrupted; run "
            f"'hanoi node rotate-key log --dir {settings.node_dir}' again to finish it"
        )
    witness = private_from_pem(read_key_file(keys_dir / WITNESS_KEY_FILE))
    age = read_identity_file(read_key_file(keys_dir / AGE_IDENTITY_FILE).decode())
    signing_id = jwk_thumbprint(signing.public_key())
    retired_signing = (
        private_from_pem(read_key_file(p)) for p in _retired(keys_dir, SIGNING_PREFIX)
    )
    retired_age = (
        read_identity_file(read_key_file(p).decode()) for p in _retired(keys_dir, AGE_PREFIX)
    )
    return NodeKeys(
        signing=signing,
        log_signing=log_signing,
        witness_signing=witness,
        age=age,
        # A crash during a rotation may leave the live key retired too: it counts once.
        retired_signing=tuple(
            k for k in retired_signing if jwk_thumbprint(k.public_key()) != signing_id
        ),
        retired_age=tuple(i for i in retired_age if i.secret_key != age.secret_key),
        retired_log=tuple(
            (name, key)
            for name, key in (
                parse_note_signer_key(read_key_file(p).decode())
                for p in _retired(keys_dir, LOG_PREFIX)
            )
            if name != log_origin
        ),
    )


def _retired(keys_dir: Path, prefix: str) -> list[Path]:
    """``keys/retired/<prefix>.*``, newest first, at most :data:`MAX_RETIRED`."""
    folder = keys_dir / RETIRED_DIR
    if not folder.is_dir():
        return []
    found = sorted(folder.glob(f"{prefix}.*"), key=lambda p: p.name, reverse=True)
    return found[:MAX_RETIRED]


def load_identity(settings: Settings) -> NodeIdentity:
    return identity_of(settings, load_keys(settings))


def identity_of(
    settings: Settings, keys: NodeKeys, successions: Mapping[str, str] | None = None
) -> NodeIdentity:
    """The public identity of the node ``settings`` describe, holding ``keys``;
    ``successions``: its log's succession notes by old origin (from its database)."""
    return NodeIdentity.of(
        state=settings.state,
        name=settings.name,
        log_origin=settings.log_origin,
        keys=keys,
        witness=settings.resolved_witness_name,
        successions=successions,
    )


def _read_certificate_file(path: Path) -> bytes:
    if path.stat().st_size > _KEY_FILE_LIMIT:
        raise InvalidInput(f"{path} is too large to be a certificate file")
    return path.read_bytes()


def load_document_certificate(settings: Settings) -> x509.Certificate | None:
    """The node's document-signing certificate, or None if it has none yet."""
    try:
        return _certificate_at(settings.keys_dir / DOCUMENT_CERTIFICATE_FILE)
    except FileNotFoundError:
        return None


def _certificate_at(path: Path) -> x509.Certificate:
    try:
        return certificate_from_pem(_read_certificate_file(path))
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: not a PEM X.509 certificate ({exc.detail})") from None


def document_certificates(settings: Settings, *, limit: int) -> list[x509.Certificate]:
    """The live document-signing certificate, then those it replaced, newest first (the
    archived names hold the serial, not the time: ordered by their start of validity);
    at most ``limit``. What the node's directory entry lists, so that letters signed
    before a rotation still check (ADR 0051)."""
    live = load_document_certificate(settings)
    if live is None:
        return []
    archived = [_certificate_at(path) for path in settings.keys_dir.glob("document-signing.*.crt")]
    archived.sort(key=lambda c: c.not_valid_before_utc, reverse=True)
    return [live, *(c for c in archived if c.serial_number != live.serial_number)][:limit]


def load_document_signer(settings: Settings) -> DocumentSigner:
    """The key and certificate that sign the node's PDF letters (ADR 0027)."""
    keys_dir = settings.keys_dir
    missing = [
        name
        for name in (DOCUMENT_KEY_FILE, DOCUMENT_CERTIFICATE_FILE)
        if not (keys_dir / name).exists()
    ]
    if missing:
        raise NotFound(
            f"this node has no document-signing certificate ({', '.join(missing)} missing in "
            f"{keys_dir}); run 'hanoi node document-certificate --dir {settings.node_dir}'"
        )
    return signer_from_pem(
        read_key_file(keys_dir / DOCUMENT_KEY_FILE),
        _read_certificate_file(keys_dir / DOCUMENT_CERTIFICATE_FILE),
    )


def write_document_signer(keys_dir: Path, signer: DocumentSigner) -> None:
    write_private(keys_dir / DOCUMENT_KEY_FILE, signer.key_pem())
    write_public(keys_dir / DOCUMENT_CERTIFICATE_FILE, signer.certificate_pem())


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise Conflict(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise Conflict(f"{target} is not empty; choose a new or empty folder (nothing was changed)")


def init_node(
    target: Path,
    *,
    state: str,
    name: str,
    now: datetime,
    log_origin: str | None = None,
    prepare: Callable[[Settings, NodeKeys], None],
) -> NodeIdentity:
    """Create a node folder at ``target``. ``prepare`` migrates the database and
    checks the blob store of the fresh settings before the folder is moved into place."""
    target = target.resolve()
    _check_target(target)
    keys = NodeKeys(
        signing=Ed25519PrivateKey.generate(),
        log_signing=Ed25519PrivateKey.generate(),
        witness_signing=Ed25519PrivateKey.generate(),
        age=AgeIdentity.generate(),
    )
    config: dict[str, Any] = {
        "state": state,
        "name": name,
        "log_origin": log_origin or default_log_origin(state, keys),
    }
    # Validate before touching the disk: a bad State code or name fails here.
    build_settings({**config, "node_dir": target})
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
    try:
        settings = build_settings({**config, "node_dir": staging})
        keys_dir = settings.keys_dir
        keys_dir.mkdir(mode=0o700)
        write_private(keys_dir / SIGNING_KEY_FILE, private_to_pem(keys.signing))
        write_private(
            keys_dir / LOG_KEY_FILE,
            format_note_signer_key(settings.log_origin, keys.log_signing).encode() + b"\n",
        )
        write_private(keys_dir / WITNESS_KEY_FILE, private_to_pem(keys.witness_signing))
        write_private(
            keys_dir / AGE_IDENTITY_FILE,
            format_identity_file(keys.age, created=now.isoformat()).encode(),
        )
        write_document_signer(keys_dir, generate_document_signer(state=state, name=name, now=now))
        settings.resolved_blob_dir.mkdir(exist_ok=True)
        (staging / CONFIG_FILE).write_text(format_config(config), encoding="utf-8")
        prepare(settings, keys)
        _check_target(target)
        if target.is_dir():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.chmod(target, 0o700)
    return NodeIdentity.of(state=state, name=name, log_origin=str(config["log_origin"]), keys=keys)
