"""Our custody-log core against logs made by the Go reference implementation.

The folders under ``c2sp/`` were written by ``golang.org/x/mod/sumdb/tlog`` and
``sumdb/note`` (see ``c2sp/README.md``): their proofs must verify with our code,
our code must produce the very same proofs, tiles and signed checkpoints, and
our auditor must accept the logs and find the fork.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.custody.audit import audit_log
from hanoi.custody.checkpoint import open_checkpoint, parse_checkpoint, sign_checkpoint
from hanoi.custody.errors import NoTrustedSignature, ProofError, SplitViewError
from hanoi.custody.merkle import (
    MemoryHashStore,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)
from hanoi.custody.note import Ed25519Signer, Ed25519Verifier, parse_note
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.tiles import (
    TileHashReader,
    encode_entry_bundle,
    entry_bundles_for_size,
    parse_entry_bundle,
    parse_tile_path,
    read_tile_data,
    tiles_for_size,
)

VECTORS = Path(__file__).parent / "c2sp"
LOGS = ["log-1000", "log-600", "log-fork"]


def vectors(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / name / "vectors.json").read_text())


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def hashes(items: list[str] | None) -> list[bytes]:
    return [b64(h) for h in items or []]


class Folder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def fetch(self, path: str, *, max_bytes: int) -> bytes:
        return (self.root / path).read_bytes()[: max_bytes + 1]


def log_entries(name: str) -> list[bytes]:
    size = vectors(name)["size"]
    out: list[bytes] = []
    for bundle in entry_bundles_for_size(size):
        out += parse_entry_bundle((VECTORS / name / bundle.path()).read_bytes(), width=bundle.width)
    return out


@pytest.fixture(scope="module", params=LOGS)
def log(request: pytest.FixtureRequest) -> tuple[str, MemoryHashStore]:
    store = MemoryHashStore()
    for entry in log_entries(request.param):
        store.append(leaf_hash(entry))
    return request.param, store


def test_the_go_proofs_verify(log: tuple[str, MemoryHashStore]) -> None:
    name, _ = log
    v = vectors(name)
    for case in v["inclusion"]:
        verify_inclusion(
            leaf_hash=leaf_hash(b64(case["leaf_b64"])),
            index=case["index"],
            size=case["size"],
            proof=hashes(case["proof_b64"]),
            root=b64(case["root_b64"]),
        )
    for case in v["consistency"]:
        verify_consistency(
            old_size=case["old_size"],
            new_size=case["new_size"],
            old_root=b64(case["old_root_b64"]),
            new_root=b64(case["new_root_b64"]),
            proof=hashes(case["proof_b64"]),
        )


def test_a_changed_go_proof_fails(log: tuple[str, MemoryHashStore]) -> None:
    name, _ = log
    case = vectors(name)["consistency"][-1]
    proof = hashes(case["proof_b64"])
    proof[0] = bytes(32)
    with pytest.raises(ProofError):
        verify_consistency(
            old_size=case["old_size"],
            new_size=case["new_size"],
            old_root=b64(case["old_root_b64"]),
            new_root=b64(case["new_root_b64"]),
            proof=proof,
        )


def test_our_proofs_are_the_go_proofs(log: tuple[str, MemoryHashStore]) -> None:
    name, store = log
    v = vectors(name)
    assert tree_hash(v["size"], store) == b64(v["root_b64"])
    for case in v["inclusion"]:
        assert tree_hash(case["size"], store) == b64(case["root_b64"])
        proof = inclusion_proof(index=case["index"], size=case["size"], reader=store)
        assert proof == hashes(case["proof_b64"])
    for case in v["consistency"]:
        proof = consistency_proof(
            old_size=case["old_size"], new_size=case["new_size"], reader=store
        )
        assert proof == hashes(case["proof_b64"])


def test_our_tiles_and_bundles_are_the_go_files(log: tuple[str, MemoryHashStore]) -> None:
    name, store = log
    size = vectors(name)["size"]
    served = {
        p.relative_to(VECTORS / name).as_posix() for p in (VECTORS / name / "tile").rglob("*")
    }
    served = {p for p in served if (VECTORS / name / p).is_file()}
    ours = {t.path() for t in tiles_for_size(size)} | {
        b.path() for b in entry_bundles_for_size(size)
    }
    assert ours == served
    for path in sorted(served):
        assert parse_tile_path(path).path() == path
    for tile in tiles_for_size(size):
        assert read_tile_data(tile, store) == (VECTORS / name / tile.path()).read_bytes()
    entries = log_entries(name)
    for bundle in entry_bundles_for_size(size):
        first = bundle.index * 256
        expected = (VECTORS / name / bundle.path()).read_bytes()
        assert encode_entry_bundle(entries[first : first + bundle.width]) == expected
    reader = TileHashReader(size, lambda t: (VECTORS / name / t.path()).read_bytes())
    assert tree_hash(size, reader) == root_from_leaf_hashes([leaf_hash(e) for e in entries])


def test_our_signed_checkpoint_is_the_go_checkpoint_byte_for_byte() -> None:
    for name in LOGS:
        v = vectors(name)
        served = (VECTORS / name / "checkpoint").read_bytes()
        signer = Ed25519Signer.parse(v["signer_key"])
        assert str(signer.verifier().key) == v["verifier_key"]
        body = parse_checkpoint(parse_note(served).text)
        assert body.size == v["size"]
        assert body.root_hash == b64(v["root_b64"])
        assert sign_checkpoint(body, [signer]) == served
        opened = open_checkpoint(served, [Ed25519Verifier.parse(v["verifier_key"])])
        assert opened.checkpoint.origin == v["origin"]


def test_the_auditor_accepts_the_logs_and_finds_the_fork() -> None:
    policy = CheckpointPolicy.from_vkeys([vectors("log-1000")["verifier_key"]])
    for name in LOGS:
        assert audit_log(Folder(VECTORS / name), policy=policy).entries == vectors(name)["size"]
    history = (VECTORS / "log-600" / "checkpoint").read_bytes()
    audit_log(Folder(VECTORS / "log-1000"), policy=policy, previous=history)
    for recorded in ("log-600", "log-1000"):
        with pytest.raises(SplitViewError, match="fork"):
            audit_log(
                Folder(VECTORS / "log-fork"),
                policy=policy,
                previous=(VECTORS / recorded / "checkpoint").read_bytes(),
            )


def test_the_wrong_key_is_refused() -> None:
    origin = vectors("log-1000")["origin"]
    stranger = Ed25519Signer(origin, Ed25519PrivateKey.generate())
    policy = CheckpointPolicy(log_keys=(stranger.verifier(),))
    with pytest.raises(NoTrustedSignature):
        audit_log(Folder(VECTORS / "log-1000"), policy=policy)
