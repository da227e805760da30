"""The verifier's trust file: which nodes' keys, logs and witnesses it trusts.

A node trusts other States through the signed directory it holds
(:func:`hanoi.federation.transfers.directory_trust` builds this same :class:`TrustStore`
from it). A verifier outside the federation (a court, a State without a node) has no
directory; it is given this file instead, for ``hanoi evidence verify --trust`` and
``hanoi letter verify --log-trust``.

A JSON file holding one node exactly as ``hanoi node show`` prints it, a list
of such nodes, or ``{"nodes": [...], "min_witnesses": k}``::

    {"state": "EGY", "name": "Central Authority of Egypt",
     "signing_public_key": "<base64url Ed25519>", "signing_key_id": "<RFC 7638 thumbprint>",
     "age_recipient": "age1...", "log_origin": "hanoi.node/egy/...",
     "log_verifier_key": "<signed-note vkey>", "witness_name": "...",
     "witness_key": "<tlog-cosignature vkey>"}

The statement's signer is looked up by ``kid`` (``signing_key_id``, which must
be the thumbprint of ``signing_public_key``), a custody log by its origin, and
witnesses by their keys: a log's checkpoints are checked against its own node's
log key, and the witness keys of every *other* node are the witnesses whose
cosignatures count, ``min_witnesses`` of them at least (default 0). Members
this version does not know are ignored. Pure.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hanoi.crypto.agekeys import AgeRecipient
from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.custody.encoding import load_json
from hanoi.custody.errors import MalformedError
from hanoi.custody.note import Ed25519Verifier
from hanoi.custody.policy import CheckpointPolicy, parse_verifier_key
from hanoi.errors import HanoiError, InvalidInput
from hanoi.evidence.layout import DEFAULT_PACKAGE_LIMITS, PackageLimits
from hanoi.evidence.package_errors import UntrustedSigner
from hanoi.node.identity import NodeIdentity

_FIELDS = (
    "state",
    "name",
    "signing_public_key",
    "signing_key_id",
    "age_recipient",
    "log_origin",
    "log_verifier_key",
    "witness_name",
    "witness_key",
)


class MalformedTrustFile(MalformedError):
    """The trust file is not what ``hanoi node show`` prints (or a list of it)."""


def decode_signing_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key in base64url (a JWK's ``x``, ``signing_public_key``)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidInput("a signing public key is 32 bytes in base64url") from None
    if len(raw) != 32 or base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != text:
        raise InvalidInput("a signing public key is 32 bytes in base64url")
    return Ed25519PublicKey.from_public_bytes(raw)


def _node(value: object, number: int) -> NodeIdentity:
    where = f"trust file, node {number}"
    if not isinstance(value, dict):
        raise MalformedTrustFile(f"{where}: an object as 'hanoi node show' prints it")
    missing = [f for f in _FIELDS if not isinstance(value.get(f), str) or not value[f]]
    if missing:
        raise MalformedTrustFile(f"{where}: lacks {', '.join(missing)}")
    node = NodeIdentity(**{f: value[f] for f in _FIELDS})
    try:
        key = decode_signing_key(node.signing_public_key)
        AgeRecipient.parse(node.age_recipient)
        Ed25519Verifier.parse(node.log_verifier_key)
        parse_verifier_key(node.witness_key)
    except HanoiError as exc:
        raise MalformedTrustFile(f"{where} ({node.state}): {exc.diagnostics()}") from None
    if jwk_thumbprint(key) != node.signing_key_id:
        raise MalformedTrustFile(
            f"{where} ({node.state}): signing_key_id is not the thumbprint of signing_public_key"
        )
    return node


@dataclass(frozen=True, slots=True)
class TrustStore:
    nodes: tuple[NodeIdentity, ...]
    min_witnesses: int = 0

    def __post_init__(self) -> None:
        for field_name in ("signing_key_id", "log_origin"):
            values = [getattr(n, field_name) for n in self.nodes]
            if len(set(values)) != len(values):
                raise MalformedTrustFile(f"trust file: two nodes share a {field_name}")
        if not 0 <= self.min_witnesses < max(len(self.nodes), 1):
            raise MalformedTrustFile(
                f"trust file: min_witnesses {self.min_witnesses} needs more nodes "
                f"than the {len(self.nodes)} listed"
            )

    def signer(self, key_id: str) -> NodeIdentity:
        for node in self.nodes:
            if node.signing_key_id == key_id:
                return node
        raise UntrustedSigner(
            f"statement.jws: signed by key {key_id[:64]}, which is not in the trust file"
        )

    def signing_key(self, key_id: str) -> Ed25519PublicKey:
        return decode_signing_key(self.signer(key_id).signing_public_key)

    def log(self, origin: str) -> NodeIdentity | None:
        return next((n for n in self.nodes if n.log_origin == origin), None)

    def policy_for(self, origin: str) -> CheckpointPolicy:
        """The log's key, and every other node's witness key, with the file's quorum."""
        owner = self.log(origin)
        if owner is None:
            raise InvalidInput(f"the log {origin} is not in the trust file")
        witnesses = [n.witness_key for n in self.nodes if n is not owner]
        return CheckpointPolicy.from_vkeys(
            [owner.log_verifier_key],
            witness_keys=witnesses,
            min_witnesses=self.min_witnesses,
            origin=origin,
        )


def _nodes_of(value: object) -> tuple[Sequence[object], int]:
    if isinstance(value, list):
        return value, 0
    if isinstance(value, dict) and "nodes" in value:
        nodes, quorum = value["nodes"], value.get("min_witnesses", 0)
        if not isinstance(nodes, list):
            raise MalformedTrustFile("trust file: 'nodes' is a list")
        if type(quorum) is not int or quorum < 0:
            raise MalformedTrustFile("trust file: 'min_witnesses' is a whole number")
        return nodes, quorum
    return [value], 0


def parse_trust(data: bytes, *, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS) -> TrustStore:
    value = load_json(
        data,
        error=MalformedTrustFile,
        what="the trust file",
        max_bytes=limits.max_trust_file,
        max_depth=4,
    )
    nodes, quorum = _nodes_of(value)
    if not nodes:
        raise MalformedTrustFile("the trust file lists no node")
    if len(nodes) > limits.max_trusted_nodes:
        raise MalformedTrustFile(f"the trust file lists more than {limits.max_trusted_nodes}")
    return TrustStore(tuple(_node(n, i) for i, n in enumerate(nodes, start=1)), quorum)
