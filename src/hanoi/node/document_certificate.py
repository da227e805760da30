"""Give an existing node its document-signing certificate, or a new one (ADR 0027).

Nodes made before signed letters have no ``keys/document-signing.*``;
``hanoi node init`` makes them for new nodes. :func:`issue_document_certificate`
creates the pair when neither file exists and refuses otherwise, unless ``renew``.

Renewal runs in this order, so that a crash between two steps loses nothing:

1. generate the new key and certificate in memory;
2. write them beside the live files as ``*.new`` (a leftover of an earlier crash is
   removed first: it was never used);
3. hard-link the live certificate to ``document-signing.<serial>.crt``, so letters it
   signed can still be checked once it is replaced;
4. rename the new certificate, then the new key, over the live ones (each atomic).

A crash inside step 4 leaves the new certificate with the old key;
:func:`~hanoi.node.folder.load_document_signer` then refuses the pair, naming
``--renew``, which archives that certificate too and issues a fresh pair.
The old key is not kept: old letters are checked with the certificate alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hanoi.crypto.document_signing import (
    DocumentSigner,
    fingerprint,
    generate_document_signer,
)
from hanoi.errors import Conflict
from hanoi.files import fsync_folder
from hanoi.node.folder import (
    DOCUMENT_CERTIFICATE_FILE,
    DOCUMENT_KEY_FILE,
    load_document_certificate,
    write_document_signer,
    write_private,
    write_public,
)
from hanoi.settings import Settings


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    signer: DocumentSigner
    path: Path
    archived: Path | None  # where the certificate it replaced was kept, if any


def archive_name(serial: int) -> str:
    return f"document-signing.{serial:x}.crt"


def issue_document_certificate(
    settings: Settings, *, now: datetime, renew: bool = False
) -> IssuedCertificate:
    keys_dir = settings.keys_dir
    key_path = keys_dir / DOCUMENT_KEY_FILE
    certificate_path = keys_dir / DOCUMENT_CERTIFICATE_FILE
    present = [path.name for path in (key_path, certificate_path) if path.exists()]
    if present and not renew:
        current = load_document_certificate(settings)
        which = (
            f"a document-signing certificate (SHA-256 {fingerprint(current)})"
            if current is not None
            else f"{' and '.join(present)} without its pair"
        )
        raise Conflict(
            f"this node already has {which}; nothing was changed. To replace it, run "
            f"'hanoi node document-certificate --dir {settings.node_dir} --renew'"
        )
    signer = generate_document_signer(state=settings.state, name=settings.name, now=now)
    if not present:
        write_document_signer(keys_dir, signer)
        return IssuedCertificate(signer=signer, path=certificate_path, archived=None)
    new_key = key_path.with_name(key_path.name + ".new")
    new_certificate = certificate_path.with_name(certificate_path.name + ".new")
    for leftover in (new_key, new_certificate):
        leftover.unlink(missing_ok=True)
    write_private(new_key, signer.key_pem())
    write_public(new_certificate, signer.certificate_pem())
    archived = _archive(settings)
    os.replace(new_certificate, certificate_path)
    os.replace(new_key, key_path)
    fsync_folder(keys_dir)
    return IssuedCertificate(signer=signer, path=certificate_path, archived=archived)


def _archive(settings: Settings) -> Path | None:
    current = load_document_certificate(settings)
    if current is None:
        return None
    live = settings.keys_dir / DOCUMENT_CERTIFICATE_FILE
    archived = settings.keys_dir / archive_name(current.serial_number)
    if archived.exists():
        if archived.read_bytes() != live.read_bytes():
            raise Conflict(
                f"{archived} exists and holds another certificate; move it away and run "
                "again (nothing was replaced)"
            )
        return archived
    os.link(live, archived)
    return archived
