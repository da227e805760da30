"""SQLAlchemy table definitions. Alembic migrations must match them exactly
(``tests/integration/test_migrations.py`` fails when they drift)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite stores none, so add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The node's own public keys, current and retired, so that rotation keeps history.
node_keys = Table(
    "node_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("purpose", String(32), nullable=False),  # "node-signing" | "log-signing" | "age"
    Column("public_key", LargeBinary(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("retired_at", UTCDateTime(), nullable=True),
    UniqueConstraint("purpose", "public_key"),
)

# --- custody log (hanoi.custody) --------------------------------------------------------
# An append is acknowledged once its row is committed in custody_pending. The sequencer
# moves rows to custody_entries, where each gets its index exactly once, then publishes
# tiles and a checkpoint (compare-and-swap on log_state). See hanoi.custody.sequencer.

BigId = BigInteger().with_variant(Integer(), "sqlite")

custody_pending = Table(
    "custody_pending",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("commitment", LargeBinary(32), nullable=False),
    Column("event", LargeBinary, nullable=False),
    Column("salt", LargeBinary(32), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("enqueued_at", UTCDateTime(), nullable=False),
)

custody_entries = Table(
    "custody_entries",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("commitment", LargeBinary(32), nullable=False),
    Column("event", LargeBinary, nullable=False),
    Column("salt", LargeBinary(32), nullable=False),
    Column("subject", String(128), nullable=False, index=True),
    Column("enqueued_at", UTCDateTime(), nullable=False),
)

# One row (id = 1): the latest published checkpoint. Updated only by compare-and-swap on size.
log_state = Table(
    "log_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("checkpoint", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Every checkpoint this node signed, with the cosignatures witnesses returned for it.
checkpoints = Table(
    "checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Where the log went on after a key rotation (ADR 0051): the old origin's last checkpoint
# size and the succession note signed by the old and the new log key.
log_successions = Table(
    "log_successions",
    metadata,
    Column("old_origin", String(200), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("new_origin", String(200), nullable=False, unique=True),
    Column("note", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

cosignatures = Table(
    "cosignatures",
    metadata,
    Column("size", BigInteger, ForeignKey("checkpoints.size"), primary_key=True),
    Column("witness", String(200), primary_key=True),
    Column("signature_line", Text, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)

# This node as a witness of other logs: the last checkpoint it cosigned for each origin.
witnessed_logs = Table(
    "witnessed_logs",
    metadata,
    Column("origin", String(200), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("checkpoint", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Split views and other misbehaviour detected by this node.
log_alerts = Table(
    "log_alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("origin", String(200), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("detected_at", UTCDateTime(), nullable=False),
)

# --- accounts (hanoi.accounts) ----------------------------------------------------------

users = Table(
    "users",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    Column("password_hash", String(200), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("disabled_at", UTCDateTime(), nullable=True),
    Column("title", String(200), nullable=True),  # for the reports they certify (0011)
    # "issuer sub" of the identity provider's subject this user signs in as (0022)
    # unique by an index, not a constraint: SQLite then adds and drops the column in place
    # (a table rebuild would drop 'users' under its tokens' foreign keys)
    Column("external_subject", String(600), nullable=True),
    Index("uq_users_external_subject", "external_subject", unique=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(12), primary_key=True),
    Column("user_id", BigId, ForeignKey("users.id"), nullable=False, index=True),
    Column("secret_hash", LargeBinary(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

# --- resumable uploads (tus) --------------------------------------------------------------
# The offset is the truth: bytes past it in the staging file are from a write that
# was not acknowledged (a crash), and are cut off before the next PATCH.

uploads = Table(
    "uploads",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", BigId, ForeignKey("users.id"), nullable=False, index=True),
    Column("length", BigInteger, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("metadata", Text, nullable=False),
    Column("expected_sha256", String(64), nullable=True),
    Column("digest", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("completed_at", UTCDateTime(), nullable=True),
    # Whoever holds an unexpired lease is the only writer of the staging file (migration 0010).
    Column("lease", String(32), nullable=True),
    Column("lease_until", UTCDateTime(), nullable=True),
)

# --- witnessing -----------------------------------------------------------------------------
# Logs of other States that this node cosigns (until the signed directory of issue 7
# supplies them), and the witnesses this node asks to cosign its own checkpoints.

witness_trust = Table(
    "witness_trust",
    metadata,
    Column("origin", String(200), primary_key=True),
    Column("verifier_key", Text, nullable=False),
    Column("added_at", UTCDateTime(), nullable=False),
)

witness_peers = Table(
    "witness_peers",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("url", Text, nullable=False),
    Column("cosigner_key", Text, nullable=False),
    Column("cosigned_size", BigInteger, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("added_at", UTCDateTime(), nullable=False),
)

# --- evidence items ---------------------------------------------------------------------------

evidence_items = Table(
    "evidence_items",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", BigInteger, nullable=False),
    Column("original_name", String(255), nullable=False),
    Column("media_type", String(200), nullable=False),
    Column("source_kind", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("method", Text, nullable=False),
    Column("acquired_at", UTCDateTime(), nullable=False),
    Column("officer", String(200), nullable=False),
    Column("request_ref", String(128), nullable=False, index=True),
    Column("article", String(200), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("deleted_at", UTCDateTime(), nullable=True),  # blob deleted under a retention period
    # The incoming package the item was received in (migration 0010; filled for the items
    # received before it by migration 0016); none if collected here.
    Column("package_id", String(64), ForeignKey("evidence_packages.id"), nullable=True, index=True),
    # How it was obtained, beyond source and method (migration 0011): the legal basis or the
    # order's reference, and the executing authority.
    Column("legal_basis", Text, nullable=True),
    Column("authority", String(500), nullable=True),
    # Received from a State without a node, off the network (migration 0015): the State, the
    # channel (hanoi.cooperation.routes.Route, never "hanoi") and its reference; all or none.
    Column("received_from", String(3), nullable=True),
    Column("channel", String(16), nullable=True),
    Column("channel_reference", String(200), nullable=True),
)

# --- cooperation requests (hanoi.cooperation) ---------------------------------------------
# A request's document (without history) and its steps, one row each; status and desired
# status are replayed from the steps on every load and copied here only for filtering.
# The (request_id, sequence) key makes two concurrent steps on one request a conflict.

cooperation_requests = Table(
    "cooperation_requests",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("route", String(16), nullable=False, server_default="hanoi"),  # ADR 0028
    Column("requesting_state", String(3), nullable=False),
    Column("requested_state", String(3), nullable=False),
    Column("side", String(16), nullable=False),  # this node's side of the request
    Column("status", String(48), nullable=False, index=True),
    Column("desired_status", String(48), nullable=True),
    Column("urgency", String(16), nullable=False),
    Column("steps", Integer, nullable=False),
    Column("document", Text, nullable=False),
    Column("retain_until", UTCDateTime(), nullable=True, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False, index=True),
)

request_steps = Table(
    "request_steps",
    metadata,
    Column("request_id", String(128), ForeignKey("cooperation_requests.id"), primary_key=True),
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("transition", String(48), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("record", Text, nullable=False),
)

case_assignments = Table(
    "case_assignments",
    metadata,
    Column("request_id", String(128), ForeignKey("cooperation_requests.id"), primary_key=True),
    Column("user_id", BigId, ForeignKey("users.id"), primary_key=True, index=True),
    Column("assigned_by", String(64), nullable=False),
    Column("assigned_at", UTCDateTime(), nullable=False),
)

# Every refusal of access (role, case or State), for auditors.
access_refusals = Table(
    "access_refusals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("user_name", String(64), nullable=False),
    Column("user_role", String(32), nullable=False),
    Column("action", String(64), nullable=False),
    Column("request_id", String(128), nullable=True),
    Column("detail", String(500), nullable=False),
)

# A deadline alert is raised once per request, rule, state and due time.
deadline_alerts = Table(
    "deadline_alerts",
    metadata,
    Column("request_id", String(128), ForeignKey("cooperation_requests.id"), primary_key=True),
    Column("rule", String(48), primary_key=True),
    Column("state", String(16), primary_key=True),
    Column("due_at", UTCDateTime(), primary_key=True),
    Column("side", String(16), nullable=False),
    Column("article", String(200), nullable=False),
    Column("raised_at", UTCDateTime(), nullable=False, index=True),
)

# Consent of the State that sent data to pass it on to a third State (Art. 36(3)).
onward_consents = Table(
    "onward_consents",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "request_id", String(128), ForeignKey("cooperation_requests.id"), index=True, nullable=False
    ),
    Column("third_state", String(3), nullable=False),
    Column("consenting_state", String(3), nullable=False),
    Column("written", Integer, nullable=False),
    Column("reference", String(500), nullable=False),
    Column("scope", Text, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

# --- federation (hanoi.federation) -----------------------------------------------------------
# The outbox is written in the same transaction as the step it announces, so a step is
# never taken without its message, and a message is never sent for a step not taken.

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(32), primary_key=True),  # the message id
    Column("recipient", String(3), nullable=False),
    Column("type", String(32), nullable=False),
    Column("request_id", String(128), nullable=True, index=True),
    Column("message", Text, nullable=False),  # canonical JSON; sent_at is renewed per attempt
    Column("status", String(16), nullable=False),  # pending | delivered
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False, index=True),
    Column("last_error", String(500), nullable=True),
    Column("receipt", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("delivered_at", UTCDateTime(), nullable=True),
)

# Every message this node accepted, by id and content digest: a duplicate is answered with
# the same receipt, a replay with other content is refused.
inbox_messages = Table(
    "inbox_messages",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("content_sha256", String(64), nullable=False),
    Column("sender", String(3), nullable=False),
    Column("type", String(32), nullable=False),
    Column("request_id", String(128), nullable=True, index=True),
    Column("message", Text, nullable=False),
    Column("receipt", Text, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)

# Refused messages, for operators (never their content). Refusals of the same kind from the
# same source within an hour are counted in one row (``count``, ``last_at``), so a flood of
# garbage costs no more rows than one refusal (migration 0010).
inbox_refusals = Table(
    "inbox_refusals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("status", Integer, nullable=False),
    Column("problem", String(64), nullable=False),
    Column("detail", String(500), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("source", String(64), nullable=False, server_default=""),
    Column("count", Integer, nullable=False, server_default="1"),
    Column("last_at", UTCDateTime(), nullable=True),
)

# Evidence packages offered to or by another State, moved in resumable chunks.
evidence_packages = Table(
    "evidence_packages",
    metadata,
    Column("id", String(64), primary_key=True),  # unguessable: the fetch capability
    Column("request_id", String(128), nullable=False, index=True),
    Column("direction", String(8), nullable=False),  # outgoing | incoming (ports.Direction)
    Column("peer", String(3), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    # hanoi.federation.ports.PackageStatus; outgoing: packing | awaiting-witnesses | offered |
    # accepted | refused | expired; incoming: offered | fetching | accepted | refused | expired
    # (migration 0011: 32 long)
    Column("status", String(32), nullable=False),
    Column("received", BigInteger, nullable=False),
    Column("error", String(500), nullable=True),
    Column("report", Text, nullable=True),  # JSON: what verification found (migration 0009)
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # Fetch attempts of an incoming package and when to try again (backoff, migration 0010).
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime(), nullable=True),
    # An outgoing package not packed yet (waiting for witnesses): its items' ids, as JSON.
    Column("items", Text, nullable=True),
    # What the receiving node found, from its signed outcome message (migration 0011).
    Column("peer_report", Text, nullable=True),
    Column("peer_outcome_at", UTCDateTime(), nullable=True),
    # Why this node refused an incoming package, as a code (PackageRefusal, migration 0018).
    Column("refusal_reason", String(32), nullable=True),
    Index("ix_evidence_packages_created_at", "created_at"),
)

# --- counters and sessions shared by every process (migration 0010) -------------------------
# Fixed-window counters: ``key`` is the SHA-256 (hex) of what is counted (a user name at an
# address, an address), ``window`` the window's first second (Unix time, a multiple of the
# window's length, so that windows of any length share one clean-up; ADR 0017). One
# upsert adds an attempt and returns the count, so concurrent attempts are counted exactly.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("window", BigInteger, primary_key=True, autoincrement=False),
    Column("count", Integer, nullable=False),
)

# Signed-in UI sessions: the cookie carries a random secret, the row its SHA-256 (hex).
# Logout deletes the row, so a copied cookie stops working at once.
ui_sessions = Table(
    "ui_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", BigId, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)

# Letters issued (hanoi.letters, migrations 0012 and 0014): the index of the letter-issued
# custody events, by request and by verification code. The signed PDF is in the blob store
# under ``sha256``; the custody event, queued in the same transaction, is the proof.
issued_letters = Table(
    "issued_letters",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column(
        "request_id",
        String(128),
        ForeignKey("cooperation_requests.id"),
        nullable=False,
        index=True,
    ),
    Column("language", String(8), nullable=False),
    Column("verification_code", String(16), nullable=False, unique=True),
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("officer", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("override_reason", Text, nullable=True),
    # A letter of request, or the requested State's answer to a step (migration 0014).
    Column("purpose", String(16), nullable=False, server_default="request"),
    Column("step", String(64), nullable=True),
    Column("step_sequence", Integer, nullable=True),
)


# --- statistics (hanoi.statistics, migration 0018; ADR 0036) ---------------------------------
# What the figures read of each request, written in the same transaction as its steps
# (hanoi.statistics.facts), so that every figure is one aggregate query over small rows.

FACT_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_request_facts_made": ("made_at", "direction", "kind", "other_state", "channel",
                              "urgency", "outcome", "outcome_at", "preservation",
                              "preserved_at", "request_id"),
    "ix_request_facts_decided": ("decided_at", "received_at", "direction", "urgency", "kind",
                                 "other_state"),
    "ix_request_facts_executed": ("executed_at", "received_at", "direction", "urgency", "kind",
                                  "other_state"),
    "ix_request_facts_preserved": ("preserved_until", "preservation", "direction", "kind",
                                   "other_state", "continued_at"),
}  # fmt: skip
"""The figures' indexes (migration 0018), each covering what one query reads."""

request_facts = Table(
    "request_facts",
    metadata,
    Column("request_id", String(128), ForeignKey("cooperation_requests.id"), primary_key=True),
    Column("direction", String(8), nullable=False),  # outgoing | incoming
    Column("kind", String(64), nullable=False),
    Column("other_state", String(3), nullable=False),
    Column("channel", String(16), nullable=False),  # the route: hanoi, diplomatic, ...
    Column("urgency", String(16), nullable=False),
    Column("preservation", Integer, nullable=False),
    Column("made_at", UTCDateTime(), nullable=True),  # sent or received
    Column("received_at", UTCDateTime(), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("executed_at", UTCDateTime(), nullable=True),
    Column("preserved_at", UTCDateTime(), nullable=True),
    Column("preserved_until", UTCDateTime(), nullable=True),
    Column("continued_at", UTCDateTime(), nullable=True),
    Column("outcome", String(24), nullable=False),
    Column("outcome_at", UTCDateTime(), nullable=True),
    # Each query of the figures reads one of these indexes and never the table (SQLite
    # spent most of its time fetching rows one by one): see FACT_INDEXES.
    *(Index(name, *columns) for name, columns in FACT_INDEXES.items()),
)

# The steps that changed the outcome a request counts under, or extended a preservation.
request_milestones = Table(
    "request_milestones",
    metadata,
    Column("request_id", String(128), ForeignKey("cooperation_requests.id"), primary_key=True),
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("mark", String(24), nullable=False),
)

# Each ground of each refusal, with the article that provides for it: codes, never words.
refusal_grounds = Table(
    "refusal_grounds",
    metadata,
    Column("request_id", String(128), ForeignKey("cooperation_requests.id"), primary_key=True),
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("ground", String(64), primary_key=True),
    Column("article", String(32), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)

# --- leases ---------------------------------------------------------------------------------
# One holder at a time for a named piece of work across processes and hosts, until
# ``expires_at`` unless renewed (``hanoi.leases``; migration 0017, ADR 0035).
leases = Table(
    "leases",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("taken_at", UTCDateTime(), nullable=False),
)

# --- the provider directory (hanoi.providers) -------------------------------------------------
# The domestic service providers this node orders over ETSI TS 103 120 HI-1 (issue 20,
# migration 0019). Each change to an entry is kept in provider_changes, written in the same
# transaction as the change; secrets never appear there (fingerprints instead).
providers = Table(
    "providers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("endpoint", String(2048), nullable=False),
    Column("hi1_country_code", String(2), nullable=False),
    Column("hi1_unique_identifier", String(255), nullable=False),
    Column("client_certificate_chain", Text, nullable=True),
    Column("client_private_key", Text, nullable=True),
    Column("ca_bundle", Text, nullable=True),
    Column("csp_config", Text, nullable=True),  # the GETCSPCONFIG answer, JSON
    Column("csp_config_fetched_at", UTCDateTime(), nullable=True),
    Column("disabled_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("hi1_country_code", "hi1_unique_identifier"),
)

provider_changes = Table(
    "provider_changes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("provider_id", String(64), ForeignKey("providers.id"), nullable=False, index=True),
    Column("changed_at", UTCDateTime(), nullable=False),
    Column("changed_by", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("fields", Text, nullable=False),  # JSON array of field names
    Column("summary", Text, nullable=False),  # JSON object: field name -> value as shown
)


# --- orders to providers (hanoi.providers.ordering) ----------------------------------------
# Each HI-1 order sent (or tried) for a request in execution, its status as the provider
# last gave it, each delivery received for it (migration 0020) and each notification
# (0021). An order and its custody events are written in one transaction; a delivery or a
# notification is recorded once (order, object id).
provider_orders = Table(
    "provider_orders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("request_id", String(128), nullable=False, index=True),
    Column("provider_id", String(64), ForeignKey("providers.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("officer", String(64), nullable=False),
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("domestic_reference", Text, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("order_sha256", String(64), nullable=False),
    Column("transaction_id", String(36), nullable=False, unique=True),
    Column("task_id", String(36), nullable=False),
    Column("authorisation_id", String(36), nullable=False),
    Column("document_id", String(36), nullable=False),
    Column("task_reference", Text, nullable=True),
    Column("provider_status", String(64), nullable=True),
    Column("error_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("last_polled_at", UTCDateTime(), nullable=True),
    Column("complete", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

provider_deliveries = Table(
    "provider_deliveries",
    metadata,
    Column("order_id", String(32), ForeignKey("provider_orders.id"), primary_key=True),
    Column("object_id", String(64), primary_key=True),
    Column("sequence_number", Integer, nullable=True),
    Column("last_sequence", Boolean, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("sha256", String(64), nullable=True),
    Column("size", BigInteger, nullable=True),
    Column("evidence_item_id", String(32), nullable=True),
    Column("problem", Text, nullable=True),
    Index("ix_provider_deliveries_object_id", "object_id"),
)

provider_notifications = Table(
    "provider_notifications",
    metadata,
    Column("order_id", String(32), ForeignKey("provider_orders.id"), primary_key=True),
    Column("object_id", String(64), primary_key=True),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("type_owner", String(64), nullable=True),
    Column("type_name", String(64), nullable=True),
    Column("type_value", String(200), nullable=True),
    Column("details", Text, nullable=True),
    Column("provider_time", String(64), nullable=True),
    Column("statuses", Text, nullable=False),  # JSON array of [object, status, details]
    Index("ix_provider_notifications_object_id", "object_id"),
)
