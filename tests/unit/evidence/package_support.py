"""Helpers for the evidence package tests: nodes with keys, an in-memory custody log whose
checkpoints other nodes cosign, a packer in one call, and tools to tamper with a package."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.clock import FixedClock
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.custody.checkpoint import Checkpoint, sign_checkpoint
from hanoi.custody.cosignature import Cosigner
from hanoi.custody.events import CustodyAction, CustodyEvent, event_commitment, new_salt
from hanoi.custody.merkle import MemoryHashStore, inclusion_proof, leaf_hash, tree_hash
from hanoi.custody.note import Ed25519Signer
from hanoi.custody.service import LoggedEvent
from hanoi.custody.tlogproof import TlogProof
from hanoi.evidence.bag import format_manifest, parse_manifest, payload_oxum
from hanoi.evidence.layout import STATEMENT, TAGMANIFEST
from hanoi.evidence.package import PackedPackage, PayloadSource, build_package
from hanoi.evidence.statement import Statement, parse_statement, sign_statement
from hanoi.node.identity import NodeIdentity, NodeKeys, witness_name
from hanoi.node.identity import default_log_origin as origin_for

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class KeyedNode:
    keys: NodeKeys
    identity: NodeIdentity

    @property
    def origin(self) -> str:
        return self.identity.log_origin

    def cosigner(self) -> Cosigner:
        return Cosigner(witness_name(self.origin), self.keys.witness_signing)


def make_node(state: str, name: str | None = None) -> KeyedNode:
    keys = NodeKeys(
        signing=Ed25519PrivateKey.generate(),
        log_signing=Ed25519PrivateKey.generate(),
        witness_signing=Ed25519PrivateKey.generate(),
        age=AgeIdentity.generate(),
    )
    identity = NodeIdentity.of(
        state=state,
        name=name or f"Central Authority of {state}",
        log_origin=origin_for(state, keys),
        keys=keys,
    )
    return KeyedNode(keys, identity)


@dataclass
class MemoryCustody:
    """A node's custody log in memory, with the witnesses that cosign its checkpoints."""

    node: KeyedNode
    witnesses: Sequence[KeyedNode] = ()
    hashes: MemoryHashStore = field(default_factory=MemoryHashStore)
    logged: list[LoggedEvent] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return self.node.origin

    def record(self, event: CustodyEvent) -> LoggedEvent:
        salt = new_salt()
        commitment = event_commitment(event, salt)
        index = self.hashes.append(leaf_hash(commitment))
        logged = LoggedEvent(index, event, salt, commitment)
        self.logged.append(logged)
        return logged

    def collected(self, digest: str, *, officer: str = "amira", request: str = "EGY-2026-1"):
        return self.record(
            CustodyEvent(
                action=CustodyAction.COLLECTED,
                time=NOW,
                node=self.node.identity.state,
                officer=officer,
                request_id=request,
                article="Art. 44",
                evidence_sha256=digest,
            )
        )

    def events_for(self, subject: str) -> list[LoggedEvent]:
        return [e for e in self.logged if f"sha256:{e.event.evidence_sha256}" == subject]

    def checkpoint(self) -> bytes:
        size = self.hashes.size
        checkpoint = Checkpoint(self.origin, size, tree_hash(size, self.hashes))
        body = checkpoint.body()
        cosignatures = [w.cosigner().cosign(body, timestamp=1_790_000_000) for w in self.witnesses]
        signer = Ed25519Signer(self.origin, self.node.keys.log_signing)
        return sign_checkpoint(checkpoint, [signer], keep=cosignatures)

    def proof_for(self, index: int) -> TlogProof:
        size = self.hashes.size
        return TlogProof(
            index,
            tuple(inclusion_proof(index=index, size=size, reader=self.hashes)),
            self.checkpoint(),
        )


def source(path: Path, name: str | None = None) -> PayloadSource:
    return PayloadSource(
        name=name or path.name, open=lambda: path.open("rb", buffering=0), size=path.stat().st_size
    )


def pack(
    out: Path,
    files: Sequence[Path],
    *,
    sender: KeyedNode,
    recipients: Sequence[AgeIdentity],
    custody: MemoryCustody | None = None,
    request: str | None = "EGY-2026-1",
) -> PackedPackage:
    return build_package(
        out,
        files=[source(f) for f in files],
        recipients=[r.recipient() for r in recipients],
        signing_key=sender.keys.signing,
        sending_state=sender.identity.state,
        request=request,
        clock=FixedClock(NOW),
        custody=custody,
    )


def write_evidence(folder: Path, sizes: dict[str, int]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, size in sizes.items():
        path = folder / name
        path.write_bytes(os.urandom(size))
        paths.append(path)
    return paths


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def flip_byte(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if offset is None else offset
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def refresh_tagmanifest(bag: Path) -> None:
    """What a forger does after editing a tag file: recompute the (unsigned) tagmanifest."""
    listed = parse_manifest((bag / TAGMANIFEST).read_bytes(), name=TAGMANIFEST)
    digests = {p: sha256_file(bag / p) for p in listed}
    (bag / TAGMANIFEST).write_bytes(format_manifest(digests))


def refresh_manifest(bag: Path) -> None:
    """Recompute manifest-sha256.txt and Payload-Oxum for the files in data/, then the
    tagmanifest."""
    files = [p for p in sorted((bag / "data").iterdir()) if p.is_file()]
    digests = {f"data/{p.name}": sha256_file(p) for p in files}
    (bag / "manifest-sha256.txt").write_bytes(format_manifest(digests))
    info = bag / "bag-info.txt"
    oxum = payload_oxum(p.stat().st_size for p in files)
    lines = [
        f"Payload-Oxum: {oxum}" if line.startswith("Payload-Oxum:") else line
        for line in info.read_text().splitlines()
    ]
    info.write_text("\n".join(lines) + "\n")
    refresh_tagmanifest(bag)


def read_statement(bag: Path) -> Statement:
    return parse_statement(_b64url((bag / STATEMENT).read_bytes().split(b".")[1]))


def resign(
    bag: Path,
    key: Ed25519PrivateKey,
    change: Callable[[Statement], Statement] = lambda s: s,
) -> None:
    """What a dishonest *sender* can do: rebind every tag file in a freshly signed statement."""
    refresh_tagmanifest(bag)
    listed = parse_manifest((bag / TAGMANIFEST).read_bytes(), name=TAGMANIFEST)
    rebound = {p: d for p, d in listed.items() if p != STATEMENT}
    new = change(replace(read_statement(bag), tag_files=rebound))
    (bag / STATEMENT).write_bytes(sign_statement(new, key))
    refresh_tagmanifest(bag)


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


def extract_tar(archive: Path, into: Path) -> Path:
    with tarfile.open(archive) as tar:
        # Extraction filters (PEP 706) came in CPython 3.11.4: Debian's patched 3.11.2,
        # which bootstrap may choose, has none. These tars are the tests' own.
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(into, **safe)  # type: ignore[arg-type]
        root = tar.getnames()[0].split("/")[0]
    return into / root


def tar_with(path: Path, members: Sequence[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def copy_bag(bag: Path, target: Path) -> Path:
    shutil.copytree(bag, target)
    return target
