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

A node that rotated its signing key (ADR 0051) also lists the keys it used before,
so that what they signed stays verifiable::

     "former_keys": [{"signing_public_key": "...", "signing_key_id": "..."}]

A node that rotated its log key lists the origins its log went on from, each with the
succession that ends it (``hanoi node show``)::

     "former_logs": [{"log_origin": "...", "log_verifier_key": "...", "succession": "..."}]

The statement's signer is looked up by ``kid`` (``signing_key_id`` or a former
key's, each the thumbprint of its public key), a custody log by its origin, and
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
from hanoi.custody.succession import FormerLog, check_former_logs
from hanoi.errors import HanoiError, InvalidInput
from hanoi.evidence.layout import DEFAULT_PACKAGE_LIMITS, PackageLimits
from hanoi.evidence.package_errors import UntrustedSigner
from hanoi.node.identity import FormerKey, NodeIdentity

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


MAX_FORMER_KEYS = 32
"""Former signing keys one node may list: a rotation a month for more than two years."""


def _former_keys(value: object, where: str) -> tuple[FormerKey, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_FORMER_KEYS:
        raise MalformedTrustFile(f"{where}: former_keys is a list of at most {MAX_FORMER_KEYS}")
    keys = []
    for number, item in enumerate(value, start=1):
        fields = ("signing_public_key", "signing_key_id")
        if not isinstance(item, dict) or not all(
            isinstance(item.get(f), str) and item[f] for f in fields
        ):
            raise MalformedTrustFile(f"{where}: former key {number} lacks {' or '.join(fields)}")
        keys.append(FormerKey(item["signing_public_key"], item["signing_key_id"]))
    return tuple(keys)


def _former_logs(value: object, where: str) -> tuple[FormerLog, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_FORMER_KEYS:
        raise MalformedTrustFile(f"{where}: former_logs is a list of at most {MAX_FORMER_KEYS}")
    logs = []
    for number, item in enumerate(value, start=1):
        fields = ("log_origin", "log_verifier_key")
        if not isinstance(item, dict) or not all(
            isinstance(item.get(f), str) and item[f] for f in fields
        ):
            raise MalformedTrustFile(f"{where}: former log {number} lacks {' or '.join(fields)}")
        succession = item.get("succession")
        if succession is not None and not isinstance(succession, str):
            raise MalformedTrustFile(f"{where}: former log {number}: succession is a signed note")
        try:
            if Ed25519Verifier.parse(item["log_verifier_key"]).name != item["log_origin"]:
                raise InvalidInput("log_verifier_key does not name log_origin")
        except HanoiError as exc:
            raise MalformedTrustFile(f"{where}: former log {number}: {exc.detail}") from None
        logs.append(FormerLog(item["log_origin"], item["log_verifier_key"], succession))
    return tuple(logs)


def _check_key(public_key: str, key_id: str, where: str) -> None:
    try:
        key = decode_signing_key(public_key)
    except HanoiError as exc:
        raise MalformedTrustFile(f"{where}: {exc.diagnostics()}") from None
    if jwk_thumbprint(key) != key_id:
        raise MalformedTrustFile(
            f"{where}: signing_key_id is not the thumbprint of signing_public_key"
        )


def _node(value: object, number: int) -> NodeIdentity:
    where = f"trust file, node {number}"
    if not isinstance(value, dict):
        raise MalformedTrustFile(f"{where}: an object as 'hanoi node show' prints it")
    missing = [f for f in _FIELDS if not isinstance(value.get(f), str) or not value[f]]
    if missing:
        raise MalformedTrustFile(f"{where}: lacks {', '.join(missing)}")
    node = NodeIdentity(
        **{f: value[f] for f in _FIELDS},
        former_keys=_former_keys(value.get("former_keys"), where),
        former_logs=_former_logs(value.get("former_logs"), where),
    )
    where = f"{where} ({node.state})"
    try:
        AgeRecipient.parse(node.age_recipient)
        Ed25519Verifier.parse(node.log_verifier_key)
        parse_verifier_key(node.witness_key)
    except HanoiError as exc:
        raise MalformedTrustFile(f"{where}: {exc.diagnostics()}") from None
    _check_key(node.signing_public_key, node.signing_key_id, where)
    try:
        check_former_logs(node.former_logs, current_key=node.log_verifier_key)
    except HanoiError as exc:
        raise MalformedTrustFile(f"{where}: {exc.diagnostics()}") from None
    for number, former in enumerate(node.former_keys, start=1):
        _check_key(
            former.signing_public_key, former.signing_key_id, f"{where}, former key {number}"
        )
    return node


@dataclass(frozen=True, slots=True)
class TrustStore:
    nodes: tuple[NodeIdentity, ...]
    min_witnesses: int = 0

    def __post_init__(self) -> None:
        key_ids = [key_id for n in self.nodes for key_id in n.signing_key_ids]
        if len(set(key_ids)) != len(key_ids):
            raise MalformedTrustFile("trust file: a signing key is listed twice")
        origins = [origin for n in self.nodes for origin in n.log_origins]
        if len(set(origins)) != len(origins):
            raise MalformedTrustFile("trust file: a log_origin is listed twice")
        if not 0 <= self.min_witnesses < max(len(self.nodes), 1):
            raise MalformedTrustFile(
                f"trust file: min_witnesses {self.min_witnesses} needs more nodes "
                f"than the {len(self.nodes)} listed"
            )

    def knows(self, key_id: str) -> bool:
        """Whether ``key_id`` is a node's current or former signing key."""
        return any(key_id in n.signing_key_ids for n in self.nodes)

    def signer(self, key_id: str) -> NodeIdentity:
        """The node whose current or former signing key is ``key_id``."""
        for node in self.nodes:
            if key_id in node.signing_key_ids:
                return node
        raise UntrustedSigner(
            f"statement.jws: signed by key {key_id[:64]}, which is not in the trust file"
        )

    def signing_key(self, key_id: str) -> Ed25519PublicKey:
        public = self.signer(key_id).public_key_of(key_id)
        assert public is not None  # signer() found it among that node's keys
        return decode_signing_key(public)

    def log(self, origin: str) -> NodeIdentity | None:
        """The node whose log has, or had before a key rotation, ``origin``."""
        return next((n for n in self.nodes if origin in n.log_origins), None)

    def policy_for(self, origin: str) -> CheckpointPolicy:
        """The log's key, and every other node's witness key, with the file's quorum; a
        former origin's checkpoints no larger than the size its succession ended it at."""
        owner = self.log(origin)
        if owner is None:
            raise InvalidInput(f"the log {origin} is not in the trust file")
        former = next((f for f in owner.former_logs if f.log_origin == origin), None)
        witnesses = [n.witness_key for n in self.nodes if n is not owner]
        return CheckpointPolicy.from_vkeys(
            [owner.log_verifier_key if former is None else former.log_verifier_key],
            witness_keys=witnesses,
            min_witnesses=self.min_witnesses,
            origin=origin,
            max_size=None if former is None else former.final_size(),
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
