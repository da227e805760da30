"""Packing evidence: a BagIt bag of age files, a signed statement, custody proofs, CASE/UCO.

:func:`build_package` reads each payload file once: the plaintext streams
through the age :class:`~hanoi.evidence.age.Encryptor`, which hashes the
plaintext and the ciphertext in the same pass and writes the ciphertext straight
into the bag (folder or tar). Memory stays at a few MiB whatever the size.
Then come the custody files, the CASE/UCO description, the BagIt tag files, the
statement that binds them all, and ``tagmanifest-sha256.txt``; the bag is moved
into place only when complete.

:func:`export_package` is the node-side entry: it packs evidence items from the
blob store with their custody events and proofs, signed with the node's key.
Collaborators are passed in; nothing here reads settings or the clock itself.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hanoi import __version__
from hanoi.blobs import BlobStore
from hanoi.clock import Clock
from hanoi.crypto.agekeys import AgeRecipient
from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.errors import IntegrityError, InvalidInput, NotFound
from hanoi.evidence.age import Encryptor, Recipient
from hanoi.evidence.bag import bagit_txt, format_bag_info, format_manifest, payload_oxum
from hanoi.evidence.bagio import BagWriter, bag_folder, open_bag_writer
from hanoi.evidence.caseuco import DescribedFile, DescribedStep, case_uco_bytes, describe_package
from hanoi.evidence.custody_bundle import CustodySource, CustodyStep, collect_custody, custody_files
from hanoi.evidence.fields import check_name, check_state, check_text, utc_text
from hanoi.evidence.guide import Guide, GuideFacts
from hanoi.evidence.items import EvidenceItem
from hanoi.evidence.layout import (
    BAG_INFO,
    BAGIT_TXT,
    CASE_UCO,
    MANIFEST,
    STATEMENT,
    TAGMANIFEST,
    payload_path,
)
from hanoi.evidence.origins import OriginBundle, origin_files
from hanoi.evidence.passphrase import Scheme, scheme_of
from hanoi.evidence.payload_check import Metered, Progress
from hanoi.evidence.provenance import PayloadAcquisition, Term
from hanoi.evidence.statement import (
    PASSPHRASE_RECIPIENTS,
    Conditions,
    PayloadEntry,
    Statement,
    default_conditions,
    sign_statement,
)
from hanoi.node.identity import NodeKeys


@dataclass(frozen=True, slots=True)
class PayloadSource:
    """A file to pack: its original name and how to open it (read once, to the end)."""

    name: str
    open: Callable[[], BinaryIO]
    size: int | None = None
    media_type: str | None = None
    expected_sha256: str | None = None
    acquisition: PayloadAcquisition | None = None
    """How the State that collected it obtained it; signed in the statement."""


@dataclass(frozen=True, slots=True)
class PackedPackage:
    path: Path
    statement: Statement
    key_id: str
    public_key: Ed25519PublicKey
    custody_events: int


def _encrypt(
    writer: BagWriter,
    source: PayloadSource,
    *,
    path: str,
    recipients: Sequence[Recipient],
    progress: Progress | None,
) -> PayloadEntry:
    """One pass: read the plaintext, hash it, encrypt it, hash and write the ciphertext."""
    plain, cipher = hashlib.sha256(), hashlib.sha256()
    with source.open() as src, writer.payload(path) as dst:
        reader: BinaryIO = src
        if progress is not None:
            progress.start(source.name, source.size)
            reader = Metered(src, progress.advance)  # type: ignore[assignment]
        with Encryptor(dst, recipients, plaintext_hash=plain, ciphertext_hash=cipher) as sealed:
            sealed.copy_from(reader)
    digest = plain.hexdigest()
    if source.expected_sha256 is not None and digest != source.expected_sha256:
        raise IntegrityError(
            f"{source.name}: read as SHA-256 {digest}, recorded as {source.expected_sha256}"
        )
    return PayloadEntry(
        name=source.name,
        path=path,
        sha256=digest,
        size=sealed.plaintext_bytes,
        ciphertext_sha256=cipher.hexdigest(),
        ciphertext_size=sealed.ciphertext_bytes,
        media_type=source.media_type,
        acquisition=source.acquisition,
    )


def _bag_info(
    *, package_id: str, created: datetime, state: str, request: str | None, oxum: str
) -> bytes:
    fields = [
        ("Bag-Software-Agent", f"hanoi {__version__}"),
        ("Bagging-Date", created.date().isoformat()),
        ("Payload-Oxum", oxum),
        ("External-Identifier", package_id),
        ("Sending-State", state),
    ]
    if request is not None:
        fields.append(("Request-Reference", request))
    fields.append(("Creation-Time", utc_text(created)))
    return format_bag_info(fields)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_inputs(
    files: Sequence[PayloadSource],
    recipients: Sequence[Recipient],
    state: str,
    request: str | None,
) -> Scheme:
    if not files:
        raise InvalidInput("a package needs at least one file")
    scheme = scheme_of(recipients)  # age keys, or one strong passphrase
    check_state(state)
    if request is not None:
        check_text(request, "the request reference", max_chars=128)
    for source in files:
        check_name(source.name, "a file name")
    return scheme


def _tag_files(
    *,
    payload: Sequence[PayloadEntry],
    steps: Sequence[CustodyStep],
    sources: Sequence[PayloadSource],
    package_id: str,
    created: datetime,
    state: str,
    request: str | None,
    origins: Sequence[OriginBundle],
    guide: tuple[Guide, GuideFacts] | None,
) -> dict[str, bytes]:
    """Every tag file the statement binds: custody, CASE/UCO, BagIt declaration and
    manifests, the originating packages carried whole, and the verification guide."""
    tags = custody_files(steps)
    if guide is not None:
        text, facts = guide
        tags[text.path] = text.render(facts)
    tags.update(origin_files(origins))
    described = [
        DescribedFile(e.path, e.name, e.sha256, e.size, e.media_type, s.acquisition)
        for e, s in zip(payload, sources, strict=True)
    ]
    tags[CASE_UCO] = case_uco_bytes(
        describe_package(
            package_id=package_id,
            created=created,
            sending_state=state,
            request=request,
            files=described,
            custody=[DescribedStep(s.event, s.salt, s.log_origin, s.index) for s in steps],
        )
    )
    tags[BAGIT_TXT] = bagit_txt()
    tags[BAG_INFO] = _bag_info(
        package_id=package_id,
        created=created,
        state=state,
        request=request,
        oxum=payload_oxum(e.ciphertext_size for e in payload),
    )
    tags[MANIFEST] = format_manifest({e.path: e.ciphertext_sha256 for e in payload})
    return tags


def build_package(
    out: Path,
    *,
    files: Sequence[PayloadSource],
    recipients: Sequence[Recipient],
    signing_key: Ed25519PrivateKey,
    sending_state: str,
    request: str | None,
    clock: Clock,
    conditions: Conditions | None = None,
    terms: Sequence[Term] = (),
    origins: Sequence[OriginBundle] = (),
    custody: CustodySource | None = None,
    guide: Guide | None = None,
    progress: Progress | None = None,
) -> PackedPackage:
    """Pack ``files`` for ``recipients`` into ``out`` (a ``.tar``, or else a folder).
    ``recipients``: age public keys, or one passphrase (:mod:`hanoi.evidence.passphrase`);
    ``terms``: the conditions with who imposed them; ``origins``: packages received from
    other States whose files these are, carried whole (:mod:`hanoi.evidence.origins`);
    ``guide``: the verification guide to add (:mod:`hanoi.evidence.guide`)."""
    recipients = list(dict.fromkeys(recipients))
    scheme = _check_inputs(files, recipients, sending_state, request)
    conditions = conditions or default_conditions(sending_state=sending_state, request=request)
    package_id, created = str(uuid.uuid4()), clock.now()
    writer = open_bag_writer(out, mtime=int(created.timestamp()))
    try:
        payload: list[PayloadEntry] = []
        for source in files:
            path = payload_path(source.name, taken={e.path for e in payload})
            payload.append(
                _encrypt(writer, source, path=path, recipients=recipients, progress=progress)
            )
        digests = [e.sha256 for e in payload]
        steps = collect_custody(custody, digests, request=request) if custody else []
        facts = GuideFacts(
            folder=bag_folder(out),
            package_id=package_id,
            created=created,
            sending_state=sending_state,
            request=request,
            scheme=scheme,
            payload=payload,
        )
        tags = _tag_files(
            payload=payload,
            steps=steps,
            sources=files,
            package_id=package_id,
            created=created,
            state=sending_state,
            request=request,
            origins=origins,
            guide=None if guide is None else (guide, facts),
        )
        statement = Statement(
            package_id=package_id,
            created=created,
            sending_state=sending_state,
            request=request,
            recipients=_recipients_named(recipients, scheme),
            conditions=conditions,
            payload=tuple(payload),
            tag_files={path: _sha256(data) for path, data in tags.items()},
            terms=tuple(terms),
            origins=tuple(bundle.origin for bundle in origins),
        )
        tags[STATEMENT] = sign_statement(statement, signing_key)
        tags[TAGMANIFEST] = format_manifest({p: _sha256(d) for p, d in tags.items()})
        for path in sorted(tags):
            writer.add(path, tags[path])
        location = writer.commit()
    except BaseException:
        writer.abort()
        raise
    public = signing_key.public_key()
    return PackedPackage(location, statement, jwk_thumbprint(public), public, len(steps))


def _recipients_named(recipients: Sequence[Recipient], scheme: Scheme) -> tuple[str, ...]:
    """The statement's ``recipients``: the age public keys, or ``scrypt`` for a passphrase
    (which is never written anywhere)."""
    if scheme == "scrypt":
        return PASSPHRASE_RECIPIENTS
    return tuple(str(r) for r in recipients if isinstance(r, AgeRecipient))


def export_package(
    out: Path,
    *,
    items: Sequence[EvidenceItem],
    blobs: BlobStore,
    custody: CustodySource,
    keys: NodeKeys,
    sending_state: str,
    request: str | None,
    recipients: Sequence[Recipient],
    clock: Clock,
    conditions: Conditions | None = None,
    terms: Sequence[Term] = (),
    origins: Mapping[str, OriginBundle] | None = None,
    guide: Guide | None = None,
    progress: Progress | None = None,
) -> PackedPackage:
    """Pack evidence items of a node, with their custody events and proofs, signed by the
    node. An item received from another State is described as that State's statement
    describes it, and that statement travels too: ``origins`` maps the id of each package
    the items came in (the items' ``package_id``, this node's id for the transfer) to that
    package, read with :func:`~hanoi.evidence.origins.read_origin`."""
    if not items:
        raise NotFound("no evidence items to export")
    by_package = dict(origins or {})
    files = []
    for item in items:
        acquisition: PayloadAcquisition | None = acquisition_of(item, collected_by=sending_state)
        if item.package_id is not None:
            bundle = by_package.get(item.package_id)
            if bundle is None:
                raise InvalidInput(
                    f"evidence item {item.id} came in package {item.package_id}, which is not "
                    "given: its originating statement must travel with it"
                )
            acquisition = bundle.acquisition_for(item.sha256)
        files.append(
            PayloadSource(
                name=item.acquisition.original_name,
                open=partial(blobs.open, item.sha256),
                size=item.size,
                media_type=item.acquisition.media_type,
                expected_sha256=item.sha256,
                acquisition=acquisition,
            )
        )
    used = sorted({item.package_id for item in items if item.package_id is not None})
    return build_package(
        out,
        files=files,
        recipients=recipients,
        signing_key=keys.signing,
        sending_state=sending_state,
        request=request,
        clock=clock,
        conditions=conditions,
        terms=terms,
        origins=[by_package[package_id] for package_id in used],
        custody=custody,
        guide=guide,
        progress=progress,
    )


def acquisition_of(item: EvidenceItem, *, collected_by: str) -> PayloadAcquisition:
    """How this node's own item was obtained, as a statement says it. ``state`` stays the
    State that collected it into its records (this node's); an item another State sent off
    the network adds where it came from, by which channel, under which reference."""
    a = item.acquisition
    return PayloadAcquisition(
        source_kind=a.source_kind.value,
        source=a.source,
        obtained_at=a.acquired_at,
        method=a.method,
        officer=a.officer,
        state=collected_by,
        article=a.article,
        legal_basis=a.legal_basis,
        authority=a.authority,
        received_from=a.received_from,
        channel=a.channel.value if a.channel is not None else None,
        channel_reference=a.channel_reference,
    )
