"""RFC 6962 proofs from a production Certificate Transparency log (Google Argon2020).

See ``ct-argon2020/README.md``: a tree nobody here built, of 961,984,013 leaves.
The real proofs verify; any changed byte, index or size fails.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from hanoi.custody.errors import ProofError
from hanoi.custody.merkle import leaf_hash, verify_consistency, verify_inclusion

VECTORS = Path(__file__).parent / "ct-argon2020"
SIZE = 961_984_013
ROOT = base64.b64decode("dwlueapdd7LaOEnX2W2Wp9v2XE+KzejHRQGHwEx0oaM=")
OLD_SIZE = 3_654_490
OLD_ROOT = base64.b64decode("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=")


def load(name: str) -> dict[str, object]:
    value: dict[str, object] = json.loads((VECTORS / name).read_text())
    return value


def entry_leaf_hash() -> bytes:
    entries = load("get-entries-10000.json")["entries"]
    assert isinstance(entries, list)
    return leaf_hash(base64.b64decode(entries[0]["leaf_input"]))


def audit_path() -> tuple[int, list[bytes]]:
    response = load("get-proof-by-hash-10000.json")
    index, path = response["leaf_index"], response["audit_path"]
    assert isinstance(index, int)
    assert isinstance(path, list)
    return index, [base64.b64decode(h) for h in path]


def consistency() -> list[bytes]:
    proof = load("get-sth-consistency-3654490.json")["consistency"]
    assert isinstance(proof, list)
    return [base64.b64decode(h) for h in proof]


def flipped(proof: list[bytes], at: int) -> list[bytes]:
    changed = [*proof]
    changed[at] = bytes([changed[at][0] ^ 1]) + changed[at][1:]
    return changed


def test_the_inclusion_proof_verifies() -> None:
    index, path = audit_path()
    assert index == 10_000
    verify_inclusion(leaf_hash=entry_leaf_hash(), index=index, size=SIZE, proof=path, root=ROOT)


def test_the_consistency_proof_verifies() -> None:
    verify_consistency(
        old_size=OLD_SIZE, new_size=SIZE, old_root=OLD_ROOT, new_root=ROOT, proof=consistency()
    )


# RFC 6962 verification binds the *new* tree size only through the proof's shape:
# a size one off with the same shape gives the same root. The signed tree head
# (our checkpoint note) binds size and root together, so these tests change the
# index, the old size, and bytes, each of which the proof itself must catch.


def test_any_change_breaks_the_inclusion_proof() -> None:
    index, path = audit_path()
    leaf = entry_leaf_hash()
    cases = [
        (leaf, index + 1, SIZE, path, ROOT),
        (leaf, index - 1, SIZE, path, ROOT),
        (leaf, index, 2 * SIZE, path, ROOT),
        (leaf, index, SIZE, path, flipped([ROOT], 0)[0]),
        (flipped([leaf], 0)[0], index, SIZE, path, ROOT),
        (leaf, index, SIZE, path[:-1], ROOT),
        *((leaf, index, SIZE, flipped(path, i), ROOT) for i in range(len(path))),
    ]
    for leaf_hash_, index_, size, proof, root in cases:
        with pytest.raises(ProofError):
            verify_inclusion(leaf_hash=leaf_hash_, index=index_, size=size, proof=proof, root=root)


def test_any_change_breaks_the_consistency_proof() -> None:
    proof = consistency()
    cases = [
        (OLD_SIZE + 1, SIZE, OLD_ROOT, ROOT, proof),
        (OLD_SIZE - 1, SIZE, OLD_ROOT, ROOT, proof),
        (OLD_SIZE, SIZE, ROOT, ROOT, proof),
        (OLD_SIZE, SIZE, OLD_ROOT, OLD_ROOT, proof),
        (OLD_SIZE, SIZE, OLD_ROOT, ROOT, proof[:-1]),
        *((OLD_SIZE, SIZE, OLD_ROOT, ROOT, flipped(proof, i)) for i in range(len(proof))),
    ]
    for old_size, new_size, old_root, new_root, path in cases:
        with pytest.raises(ProofError):
            verify_consistency(
                old_size=old_size,
                new_size=new_size,
                old_root=old_root,
                new_root=new_root,
                proof=path,
            )
