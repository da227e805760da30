"""The one place that picks adapters (SQLite or PostgreSQL, disk or S3) and builds the node."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine

from hanoi.accounts.service import AccountService
from hanoi.accounts.throttle import LoginThrottle
from hanoi.backup.manifest import RESTORED_MARKER
from hanoi.blobs import BlobStore
from hanoi.clock import Clock, SystemClock
from hanoi.cooperation.data_conditions import DataConditions
from hanoi.cooperation.deadlines import ServiceLevels
from hanoi.cooperation.service import CooperationService
from hanoi.crypto.document_signing import alpha2
from hanoi.crypto.ed25519keys import jwk_thumbprint, note_key_id, raw_public
from hanoi.custody.cosignature import Cosigner, cosignature_key_id
from hanoi.custody.note import Ed25519Signer
from hanoi.custody.quorum import QuorumWait, WitnessRounds
from hanoi.custody.rollback import LogOnHold
from hanoi.custody.service import CustodyLog
from hanoi.custody.succession import Predecessor
from hanoi.custody.witnessing import CosignatureCollector, WitnessService
from hanoi.errors import InvalidInput, Unavailable
from hanoi.evidence.attachable import AttachableFiles
from hanoi.evidence.isolated import VerifyBudget
from hanoi.evidence.service import EvidenceService
from hanoi.evidence.uploads import UploadLimits, UploadService
from hanoi.federation.acceptance import PackageAcceptance
from hanoi.federation.announce import MessageAnnouncer
from hanoi.federation.documents import RequestDocuments
from hanoi.federation.offer_retry import OfferRetry
from hanoi.federation.outcomes import PackageOutcomes
from hanoi.federation.package_bytes import PackageBytes
from hanoi.federation.range_fetch import RangeFetch
from hanoi.federation.receiving import PackageReceiver
from hanoi.federation.scratch import ScratchSpace
from hanoi.federation.sending import PackageSender
from hanoi.federation.service import DirectoryHolder, FederationService
from hanoi.federation.transfers import TransferService
from hanoi.federation.transport import HttpWitnessTransport
from hanoi.federation.witness_peering import WitnessPeering
from hanoi.federation.witness_quorum import LogQuorum
from hanoi.leases import Leases
from hanoi.letters.records import LetterRecords
from hanoi.node.folder import AGE_IDENTITY_FILE, SIGNING_KEY_FILE, identity_of, load_keys
from hanoi.node.identity import NodeIdentity, NodeKeys
from hanoi.node.rotation import (
    Rotated,
    rotate_age_identity,
    rotate_log_key,
    rotate_signing_key,
)
from hanoi.observability.metrics import TRANSFER_BYTES
from hanoi.providers.hi1 import Endpoint
from hanoi.providers.hi1.deliveries import MAX_DELIVERY_BYTES
from hanoi.providers.model import Provider
from hanoi.providers.ordering import ProviderOrders
from hanoi.providers.service import ProviderService
from hanoi.providers.transport import provider_client
from hanoi.settings import Settings, load_settings
from hanoi.statistics.service import StatisticsService
from hanoi.storage import migrate
from hanoi.storage.accounts_repo import AccountsRepository
from hanoi.storage.blob_disk import DiskBlobStore
from hanoi.storage.blob_s3 import S3BlobStore
from hanoi.storage.cooperation_repo import CooperationRepository
from hanoi.storage.custody_repo import CustodyRepository, WitnessRepository
from hanoi.storage.db import check_connection, make_engine
from hanoi.storage.evidence_repo import EvidenceRepository
from hanoi.storage.federation_repo import FederationRepository
from hanoi.storage.gauges_repo import NodeGauges
from hanoi.storage.leases_repo import SqlLeases
from hanoi.storage.letters_repo import LettersRepository
from hanoi.storage.liveness import FolderLiveness
from hanoi.storage.node_keys import has_key, record_key, retire_key
from hanoi.storage.provider_orders_repo import ProviderOrdersRepository
from hanoi.storage.providers_repo import ProvidersRepository
from hanoi.storage.rate_limits_repo import SqlRateCounter
from hanoi.storage.s3 import S3Location
from hanoi.storage.sessions_repo import SessionsRepository
from hanoi.storage.statistics_repo import StatisticsRepository
from hanoi.storage.tile_stores import DiskTileStore, S3TileStore, TileStore
from hanoi.storage.transfers_repo import TransfersRepository
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


def make_tile_store(settings: Settings) -> TileStore:
    if settings.blob_store == "s3":
        return S3TileStore(s3_location(settings, prefix="log/"))
    return DiskTileStore(settings.node_dir / "log")


def service_levels(settings: Settings) -> ServiceLevels:
    return ServiceLevels(
        acknowledge_point_of_contact=timedelta(
            minutes=settings.acknowledge_point_of_contact_minutes
        ),
        acknowledge_emergency=timedelta(minutes=settings.acknowledge_emergency_minutes),
        preservation_reminder=timedelta(days=settings.preservation_reminder_days),
    )


def restored_hold(settings: Settings) -> Callable[[], None]:
    """Holds the log of a node restored from a backup (``hanoi restore`` left
    ``restored.json``) until ``hanoi serve`` has checked it with its witnesses (ADR 0048)."""
    marker = settings.node_dir / RESTORED_MARKER

    def hold() -> None:
        if marker.exists():
            raise LogOnHold(
                f"this node was restored from a backup and its log {settings.log_origin} "
                "signs nothing until 'hanoi serve' has asked its witnesses whether it is "
                "behind; start it first (docs/operations.md, 'Backups and restore')"
            )

    return hold


def open_engine(settings: Settings) -> Engine:
    engine = make_engine(
        settings.resolved_database_url, kept_connections=settings.database_pool_size
    )
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
        witness_public = raw_public(keys.witness_signing.public_key())
        record_key(
            engine,
            key_id=cosignature_key_id(settings.resolved_witness_name, witness_public).hex(),
            purpose="witness-signing",
            public_key=witness_public,
            now=now,
        )
        age_public = keys.age.recipient().public_key
        record_key(
            engine, key_id=str(keys.age.recipient()), purpose="age", public_key=age_public, now=now
        )
    finally:
        engine.dispose()


def rotate_key(settings: Settings, kind: str, clock: Clock) -> Rotated:
    """Rotate one of the node's keys (ADR 0051) and record the change in ``node_keys``:
    the old key retired, the new one listed (each once, if a rotation is run again)."""
    now = clock.now()
    keys_dir = settings.keys_dir

    def reread() -> NodeKeys:  # the keys as the node reads them now
        return load_keys(load_settings(settings.node_dir))

    if kind == "signing":
        rotated = rotate_signing_key(keys_dir, SIGNING_KEY_FILE, now=now)
        purpose, old_id, new_id = "node-signing", rotated.old, rotated.new
        public = raw_public(reread().signing.public_key())
    elif kind == "age":
        rotated = rotate_age_identity(keys_dir, AGE_IDENTITY_FILE, now=now)
        purpose, old_id, new_id = "age", rotated.old, rotated.new
        public = reread().age.recipient().public_key
    elif kind == "log":
        rotated = rotate_log_key(settings.node_dir, keys_dir, now=now)
        keys = reread()
        purpose, public = "log-signing", raw_public(keys.log_signing.public_key())
        new_id = note_key_id(rotated.new, public).hex()
        [old_key] = [key for origin, key in keys.retired_log if origin == rotated.old]
        old_id = note_key_id(rotated.old, raw_public(old_key.public_key())).hex()
    else:
        raise InvalidInput(f"no key kind {kind[:20]!r}; rotate signing, age, log or document")
    engine = open_engine(settings)
    try:
        retire_key(engine, key_id=old_id, now=now)
        if not has_key(engine, new_id):
            record_key(engine, key_id=new_id, purpose=purpose, public_key=public, now=now)
    finally:
        engine.dispose()
    return rotated


def public_identity(settings: Settings) -> NodeIdentity:
    """What ``hanoi node show`` prints and the directory entry carries: the keys' public
    halves, and the successions of the log's former origins from the database."""
    engine = open_engine(settings)
    try:
        successions = CustodyRepository(engine).successions()
    finally:
        engine.dispose()
    return identity_of(settings, load_keys(settings), successions)


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
    custody: CustodyLog
    witness: WitnessService
    collector: CosignatureCollector
    witnesses: WitnessRepository
    evidence: EvidenceService
    cooperation: CooperationService
    conditions: DataConditions
    """Consent to a third State, onward transfer and retention (Art. 36)."""
    federation: FederationService
    messages: FederationRepository
    """The outbox and the inbox's tables, for the operators' pages and the inbox route's
    refusal counter (the federation service's ``MessageStore``)."""
    peering: WitnessPeering
    """The directory's other States as this log's witnesses, and gossip with theirs."""
    transfers: TransferService
    quorum: QuorumWait
    """Waits, bounded, for a checkpoint of this node's log cosigned by the quorum of other
    States' witnesses (packages, exports for court; ADR 0022)."""
    letters: LetterRecords
    """The letters of request this node issued (:mod:`hanoi.letters.issued`)."""
    statistics: StatisticsService
    """The figures for the Conference of the States Parties, computed by the database."""
    leases: Leases
    """This process's leases in the database: one holder at a time for a piece of work
    across the node's processes and hosts (:mod:`hanoi.leases`, ADR 0035)."""
    providers: ProviderService
    """The domestic service providers this node orders over HI-1, kept by its
    administrators (:mod:`hanoi.providers`), and their mutual-TLS clients."""
    provider_orders: ProviderOrders
    """Orders to those providers for requests in execution, their answers and deliveries
    (:mod:`hanoi.providers.ordering`)."""
    gauges: NodeGauges
    """The node's state as counts, read when ``/metrics`` is scraped (ADR 0047)."""

    def close(self) -> None:
        """Release what the node holds open: the database engine's connections. Safe to
        call more than once (a later use of the node opens new connections)."""
        self.engine.dispose()


def open_node(
    settings: Settings,
    *,
    clock: Clock | None = None,
    http_client: Callable[[], httpx.Client] | None = None,
    provider_connect: Callable[[Provider], httpx.Client] = provider_client,
) -> Node:
    """Open an existing node: keys readable, database reachable and migrated, blobs reachable.
    ``http_client`` makes the clients of every call this node makes to another node (the
    outbox, witness peering and cosignatures, package downloads); by default each makes
    its own ``httpx.Client`` with its own timeout. Tests route them to other nodes' apps in
    the same process. ``provider_connect`` opens a service provider's HI-1 client (tests
    route it to a simulated provider in the same process)."""
    clients: dict[str, Any] = {} if http_client is None else {"client": http_client}
    keys = load_keys(settings)
    engine = open_engine(settings)
    current, head = migrate.current_revision(engine), migrate.head_revision(engine)
    if current != head:
        engine.dispose()
        raise Unavailable(
            f"the database is at revision {current or 'none'}, not {head}; run 'hanoi db upgrade'"
        )
    blobs = make_blob_store(settings)
    blobs.check()
    if isinstance(blobs, DiskBlobStore):
        blobs.sweep_temporary()  # leftovers of uploads a crash interrupted a day or more ago
    tiles = make_tile_store(settings)
    tiles.check()
    clock = clock or SystemClock()
    leases = Leases(  # wall-clock time: leases are compared across processes and hosts
        SqlLeases(engine),
        clock=SystemClock(),
        liveness=FolderLiveness(settings.node_dir / "processes"),
    )
    custody_repo = CustodyRepository(engine)
    identity = identity_of(settings, keys, custody_repo.successions())
    witnesses = WitnessRepository(engine)
    uploads = UploadService(
        repository=UploadsRepository(engine),
        staging=settings.node_dir / "uploads",
        blobs=blobs,
        clock=clock,
        limits=UploadLimits(
            max_bytes=settings.upload_max_bytes,
            per_user=settings.uploads_per_user,
            lease_seconds=settings.upload_lease_seconds,
        ),
    )
    custody = CustodyLog(
        origin=settings.log_origin,
        signer=Ed25519Signer(settings.log_origin, keys.log_signing),
        store=custody_repo,
        tiles=tiles,
        clock=clock,
        hold=restored_hold(settings),
        predecessors=[  # the log's origins before a key rotation, to sign the succession
            Predecessor(Ed25519Signer(origin, key), identity.log_verifier_key)
            for origin, key in keys.retired_log
        ],
    )
    accounts = AccountService(  # counts and sessions in the database: shared by every worker
        repository=AccountsRepository(engine),
        clock=clock,
        throttle=LoginThrottle(SqlRateCounter(engine)),
        sessions=SessionsRepository(engine),
        session_clock=SystemClock(),  # browser time, whatever clock the domain runs on
    )
    # Built first, so that every service gets its collaborators at construction: the
    # directory (who runs a node, their keys), the announcer (steps as outbox messages).
    directory = DirectoryHolder(settings.node_dir)
    announcer = MessageAnnouncer(node_state=settings.state, clock=clock)
    evidence_items = EvidenceRepository(engine, custody_repo)
    cooperation_store = CooperationRepository(engine, custody_repo)
    cooperation = CooperationService(
        node_state=settings.state,
        store=cooperation_store,
        custody=custody,
        accounts=accounts,
        blobs=blobs,
        clock=clock,
        levels=service_levels(settings),
        announcer=announcer,
        files=AttachableFiles(uploads=uploads, items=evidence_items),
        reachable=directory.on_network,
    )
    conditions = DataConditions(
        node_state=settings.state,
        cases=cooperation,
        store=cooperation_store,
        custody=custody,
        blobs=blobs,
        clock=clock,
    )
    evidence = EvidenceService(
        node_state=settings.state,
        blobs=blobs,
        store=evidence_items,
        custody=custody,
        uploads=uploads,
        cases=cooperation,
        clock=clock,
        max_bytes=settings.upload_max_bytes,
    )
    witness = WitnessService(
        cosigner=Cosigner(settings.resolved_witness_name, keys.witness_signing),
        store=custody_repo,
        trust=witnesses,
        clock=clock,
    )
    peering = WitnessPeering(
        node_state=settings.state,
        directory=directory,
        peers=witnesses,
        clock=clock,
        witness=witness,
        **clients,
    )
    collector = CosignatureCollector(
        custody=custody,
        store=custody_repo,
        trust=witnesses,
        transport=HttpWitnessTransport(**clients),
        clock=clock,
    )
    log_quorum = LogQuorum(
        state=settings.state,
        log_origin=settings.log_origin,
        log_verifier_key=identity.log_verifier_key,
        own_witness_key=identity.witness_key,
        directory=directory,
        peers=witnesses.peers,
        wanted=settings.min_witnesses,
    )
    quorum = QuorumWait(
        custody=custody,
        rounds=WitnessRounds(collector.collect),
        policy=log_quorum.policy,
        clock=clock,
        prepare=peering.sync,  # the directory's States are the witnesses to ask
    )
    transfers = _transfers(
        settings,
        keys=keys,
        directory=directory,
        packages=TransfersRepository(engine, custody_repo),
        package_bytes=PackageBytes(blobs=blobs, scratch=ScratchSpace(settings.node_dir)),
        leases=leases,
        cooperation=cooperation,
        evidence=evidence,
        custody=custody,
        quorum=quorum,
        log_quorum=log_quorum,
        accounts=accounts,
        clock=clock,
        wake=announcer.queued,
        clients=clients,
    )
    messages = FederationRepository(engine, custody_repo)
    federation = FederationService(  # built last: the inbox hands evidence to transfers
        node_state=settings.state,
        keys=keys,
        directory=directory,
        store=messages,
        cooperation=cooperation,
        custody=custody,
        clock=clock,
        wake=announcer.queued,
        evidence=transfers,
        documents=RequestDocuments(cooperation=cooperation, blobs=blobs),
        **clients,
    )
    providers = ProviderService(
        store=ProvidersRepository(engine),
        refusals=cooperation_store,
        clock=clock,
        connect=provider_connect,
        sender=_hi1_sender(settings),
        signing_key=keys.signing,
    )
    return Node(
        settings=settings,
        engine=engine,
        blobs=blobs,
        identity=identity,
        clock=clock,
        accounts=accounts,
        uploads=uploads,
        custody=custody,
        witness=witness,
        collector=collector,
        witnesses=witnesses,
        evidence=evidence,
        cooperation=cooperation,
        conditions=conditions,
        federation=federation,
        messages=messages,
        peering=peering,
        transfers=transfers,
        quorum=quorum,
        letters=LettersRepository(engine, custody_repo),
        statistics=StatisticsService(
            node_state=settings.state,
            source=StatisticsRepository(engine),
            refusals=cooperation_store,
            clock=clock,
        ),
        leases=leases,
        providers=providers,
        provider_orders=ProviderOrders(
            node_state=settings.state,
            sender=_hi1_sender(settings),
            signing_key=keys.signing,
            store=ProviderOrdersRepository(engine, custody_repo),
            cases=cooperation,
            providers=providers,
            evidence=evidence,
            custody=custody,
            clock=clock,
            leases=leases,
            max_delivery_bytes=min(settings.upload_max_bytes, MAX_DELIVERY_BYTES),
            poll_seconds=settings.provider_poll_seconds,
        ),
        gauges=NodeGauges(engine, min_witnesses=settings.min_witnesses),
    )


def _hi1_sender(settings: Settings) -> Endpoint | None:
    """The node's HI-1 ``EndpointID``: its State's ISO alpha-2 code and its name."""
    country = alpha2(settings.state)
    if country is None:
        return None
    return Endpoint(country, settings.name[:255].strip() or settings.state)


def _transfers(
    settings: Settings,
    *,
    keys: NodeKeys,
    directory: DirectoryHolder,
    packages: TransfersRepository,
    package_bytes: PackageBytes,
    leases: Leases,
    cooperation: CooperationService,
    evidence: EvidenceService,
    custody: CustodyLog,
    quorum: QuorumWait,
    log_quorum: LogQuorum,
    accounts: AccountService,
    clock: Clock,
    wake: threading.Event,
    clients: dict[str, Any],
) -> TransferService:
    """Evidence packages both ways: the sender, the receiver (with its download and its
    acceptance), the outcomes; ``wake`` is set when a message is queued. Packages' bytes
    are in the blob store; this host's working files in the node folder's scratch space,
    where what a crash left a day ago is swept now."""
    package_bytes.scratch.sweep()
    outcomes = PackageOutcomes(node_state=settings.state, store=packages, clock=clock, wake=wake)
    sender = PackageSender(
        node_state=settings.state,
        packages=package_bytes,
        leases=leases,
        keys=keys,
        directory=directory,
        store=packages,
        cooperation=cooperation,
        evidence=evidence,
        custody=custody,
        quorum=quorum,
        witnesses=log_quorum,
        user_named=accounts.named,
        clock=clock,
        chunk_bytes=settings.transfer_chunk_bytes,
        wait_seconds=settings.witness_wait_seconds,
        wake=wake,
    )
    receiver = PackageReceiver(
        packages=package_bytes,
        leases=leases,
        directory=directory,
        store=packages,
        acceptance=PackageAcceptance(
            node_state=settings.state,
            keys=keys,
            directory=directory,
            store=packages,
            packages=package_bytes,
            evidence=evidence,
            outcomes=outcomes,
            clock=clock,
            verify_budget=VerifyBudget(
                base_seconds=settings.package_verify_seconds,
                seconds_per_gib=settings.package_verify_seconds_per_gib,
                memory_bytes=settings.package_verify_memory_bytes,
            ),
            min_witnesses=settings.min_witnesses,
        ),
        outcomes=outcomes,
        clock=clock,
        max_bytes=settings.upload_max_bytes,
        download=RangeFetch(
            chunk_bytes=settings.transfer_chunk_bytes,
            received=TRANSFER_BYTES.labels(direction="received").inc,
            **clients,
        ),
        retry=OfferRetry(expiry=timedelta(days=settings.package_offer_expiry_days)),
    )
    return TransferService(
        packages=package_bytes,
        store=packages,
        cooperation=cooperation,
        evidence=evidence,
        receiver=receiver,
        outcomes=outcomes,
        sender=sender,
    )
