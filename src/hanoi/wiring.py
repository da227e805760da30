"""The one place that picks adapters (SQLite or PostgreSQL, disk or S3) and builds the node."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from hanoi.accounts.service import AccountService
from hanoi.clock import Clock, SystemClock
from hanoi.crypto.ed25519keys import jwk_thumbprint, note_key_id, raw_public
from hanoi.errors import Unavailable
from hanoi.evidence.uploads import UploadLimits, UploadService
from hanoi.node.folder import load_identity
from hanoi.node.identity import NodeIdentity, NodeKeys
from hanoi.settings import Settings
from hanoi.storage import migrate
from hanoi.storage.accounts_repo import AccountsRepository
from hanoi.storage.blob_disk import DiskBlobStore
from hanoi.storage.blob_s3 import S3BlobStore
from hanoi.storage.blobs import BlobStore
from hanoi.storage.db import check_connection, make_engine
from hanoi.storage.node_keys import record_key
from hanoi.storage.s3 import S3Location
from hanoi.storage.uploads_repo import UploadsRepository


def s3_location(settings: Settings, *, prefix: str = "") -> S3Location:
    assert settings.s3_endpoint_url is not None  # enforced by Settings
    secret = settings.s3_secret_access_key
    return S3Location(
        endpoint_url=settings.s3_endpoint_url,
        bucket=settings.s3_bucket,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=secret.get_secret_value() if secret else None,
        prefix=settings.s3_prefix + prefix,
    )


def make_blob_store(settings: Settings) -> BlobStore:
    if settings.blob_store == "s3":
        return S3BlobStore(s3_location(settings))
    return DiskBlobStore(settings.resolved_blob_dir)


def open_engine(settings: Settings) -> Engine:
    engine = make_engine(settings.resolved_database_url)
    check_connection(engine)
    return engine


def upgrade_database(settings: Settings) -> tuple[str | None, str | None]:
    """Apply every pending migration; returns (revision before, revision after)."""
    engine = open_engine(settings)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        return before, migrate.current_revision(engine)
    finally:
        engine.dispose()


def prepare_new_node(settings: Settings, keys: NodeKeys, clock: Clock) -> None:
    """Migrate a new node's database, record its public keys, and check its blob store."""
    make_blob_store(settings).check()
    engine = open_engine(settings)
    try:
        migrate.upgrade(engine)
        now = clock.now()
        signing_public = keys.signing.public_key()
        log_public = raw_public(keys.log_signing.public_key())
        record_key(
            engine,
            key_id=jwk_thumbprint(signing_public),
            purpose="node-signing",
            public_key=raw_public(signing_public),
            now=now,
        )
        record_key(
            engine,
            key_id=note_key_id(settings.log_origin, log_public).hex(),
            purpose="log-signing",
            public_key=log_public,
            now=now,
        )
        age_public = keys.age.recipient().public_key
        record_key(
            engine, key_id=str(keys.age.recipient()), purpose="age", public_key=age_public, now=now
        )
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Node:
    """A running node's collaborators, built once at start-up."""

    settings: Settings
    engine: Engine
    blobs: BlobStore
    identity: NodeIdentity
    clock: Clock
    accounts: AccountService
    uploads: UploadService


def open_node(settings: Settings, *, clock: Clock | None = None) -> Node:
    """Open an existing node: keys readable, database reachable and migrated, blobs reachable."""
    identity = load_identity(settings)
    engine = open_engine(settings)
    current, head = migrate.current_revision(engine), migrate.head_revision(engine)
    if current != head:
        engine.dispose()
        raise Unavailable(
            f"the database is at revision {current or 'none'}, not {head}; run 'hanoi db upgrade'"
        )
    blobs = make_blob_store(settings)
    blobs.check()
    clock = clock or SystemClock()
    return Node(
        settings=settings,
        engine=engine,
        blobs=blobs,
        identity=identity,
        clock=clock,
        accounts=AccountService(repository=AccountsRepository(engine), clock=clock),
        uploads=UploadService(
            repository=UploadsRepository(engine),
            staging=settings.node_dir / "uploads",
            blobs=blobs,
            clock=clock,
            limits=UploadLimits(
                max_bytes=settings.upload_max_bytes, per_user=settings.uploads_per_user
            ),
        ),
    )
