"""RFC 6962 hashing, the stored hash layout, proof generation and verification."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanoi.custody.errors import ProofError
from hanoi.custody.merkle import (
    EMPTY_ROOT,
    MemoryHashStore,
    consistency_proof,
    consistency_proof_indexes,
    inclusion_proof,
    inclusion_proof_indexes,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    root_from_leaf_hashes,
    split_stored_hash_index,
    stored_hash_count,
    stored_hash_index,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)
from hanoi.errors import InvalidInput

LEAVES = [leaf_hash(bytes([i])) for i in range(70)]


def mth(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962's recursive definition, as the reference."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


class Recorder:
    """A reader that remembers what it was asked for."""

    def __init__(self, store: MemoryHashStore) -> None:
        self.store = store
        self.asked: list[int] = []

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        self.asked.extend(indexes)
        return self.store.read_hashes(indexes)


@pytest.fixture(scope="module")
def store() -> MemoryHashStore:
    store = MemoryHashStore()
    for leaf in LEAVES:
        store.append(leaf)
    return store


def test_hashes_use_the_rfc_6962_prefixes() -> None:
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_stored_hash_index_matches_the_reference_layout() -> None:
    # The first stored hashes: leaf 0, leaf 1, node(0,1), leaf 2, leaf 3, node(2,3), node(0..3)
    expected = [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0), (0, 4)]
    assert [stored_hash_index(level, n) for level, n in expected] == list(range(8))
    assert [stored_hash_count(n) for n in range(6)] == [0, 1, 3, 4, 7, 8]


@given(st.integers(0, 40), st.integers(0, 1 << 40))
def test_split_stored_hash_index_inverts_it(level: int, n: int) -> None:
    assert split_stored_hash_index(stored_hash_index(level, n)) == (level, n)


def test_store_holds_every_subtree(store: MemoryHashStore) -> None:
    assert len(store.read_hashes(range(stored_hash_count(len(LEAVES))))) == stored_hash_count(70)
    for size in range(len(LEAVES) + 1):
        assert tree_hash(size, store) == mth(LEAVES[:size]) == root_from_leaf_hashes(LEAVES[:size])


def test_every_inclusion_proof_verifies_and_every_change_fails(store: MemoryHashStore) -> None:
    for size in range(1, 40):
        root = mth(LEAVES[:size])
        for index in range(size):
            recorder = Recorder(store)
            proof = inclusion_proof(index=index, size=size, reader=recorder)
            assert recorder.asked == inclusion_proof_indexes(index=index, size=size)
            verify_inclusion(
                leaf_hash=LEAVES[index], index=index, size=size, proof=proof, root=root
            )
            with pytest.raises(ProofError):
                verify_inclusion(
                    leaf_hash=LEAVES[index], index=index, size=size, proof=[*proof, root], root=root
                )
            if proof:
                with pytest.raises(ProofError):
                    verify_inclusion(
                        leaf_hash=LEAVES[index], index=index, size=size, proof=proof[:-1], root=root
                    )
            other = (index + 1) % size
            if other != index:
                with pytest.raises(ProofError):
                    verify_inclusion(
                        leaf_hash=LEAVES[index], index=other, size=size, proof=proof, root=root
                    )


def test_every_consistency_proof_verifies_and_every_change_fails(store: MemoryHashStore) -> None:
    for new in range(1, 40):
        new_root = mth(LEAVES[:new])
        for old in range(0, new + 1):
            old_root = mth(LEAVES[:old])
            recorder = Recorder(store)
            proof = consistency_proof(old_size=old, new_size=new, reader=recorder)
            assert recorder.asked == consistency_proof_indexes(old_size=old, new_size=new)
            verify_consistency(
                old_size=old, new_size=new, old_root=old_root, new_root=new_root, proof=proof
            )
            if 0 < old < new:
                for i in range(len(proof)):
                    bad = [*proof]
                    bad[i] = bytes(32)
                    with pytest.raises(ProofError):
                        verify_consistency(
                            old_size=old,
                            new_size=new,
                            old_root=old_root,
                            new_root=new_root,
                            proof=bad,
                        )
                with pytest.raises(ProofError):
                    verify_consistency(
                        old_size=old,
                        new_size=new,
                        old_root=new_root,
                        new_root=new_root,
                        proof=proof,
                    )


def test_consistency_edge_cases() -> None:
    root = mth(LEAVES[:5])
    verify_consistency(old_size=0, new_size=5, old_root=b"", new_root=root, proof=[])
    verify_consistency(old_size=5, new_size=5, old_root=root, new_root=root, proof=[])
    with pytest.raises(ProofError, match="two different roots"):
        verify_consistency(old_size=5, new_size=5, old_root=EMPTY_ROOT, new_root=root, proof=[])
    with pytest.raises(ProofError, match="is empty"):
        verify_consistency(old_size=0, new_size=5, old_root=b"", new_root=root, proof=[root])
    with pytest.raises(ProofError, match="cannot extend"):
        verify_consistency(old_size=6, new_size=5, old_root=root, new_root=root, proof=[])
    with pytest.raises(ProofError, match="empty"):
        verify_consistency(old_size=3, new_size=5, old_root=root, new_root=root, proof=[])
    with pytest.raises(ProofError, match="32 bytes"):
        verify_consistency(old_size=3, new_size=5, old_root=root, new_root=root, proof=[b"x"])


def test_inclusion_edge_cases() -> None:
    verify_inclusion(leaf_hash=LEAVES[0], index=0, size=1, proof=[], root=LEAVES[0])
    with pytest.raises(ProofError, match="not in a tree"):
        root_from_inclusion_proof(leaf_hash=LEAVES[0], index=1, size=1, proof=[])
    with pytest.raises(ProofError, match="too long"):
        verify_inclusion(leaf_hash=LEAVES[0], index=0, size=1, proof=[LEAVES[1]], root=LEAVES[0])
    with pytest.raises(ProofError, match="too short"):
        verify_inclusion(leaf_hash=LEAVES[0], index=0, size=2, proof=[], root=LEAVES[0])


def test_generation_rejects_impossible_requests(store: MemoryHashStore) -> None:
    with pytest.raises(InvalidInput):
        inclusion_proof(index=5, size=5, reader=store)
    with pytest.raises(InvalidInput):
        consistency_proof(old_size=6, new_size=5, reader=store)
    with pytest.raises(InvalidInput):
        tree_hash(-1, store)
    with pytest.raises(InvalidInput):
        stored_hash_index(-1, 0)


@settings(max_examples=300)
@given(st.integers(1, 5000), st.data())
def test_proofs_on_larger_trees(size: int, data: st.DataObject) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    store = MemoryHashStore()
    for leaf in leaves[: size // 2]:
        store.append(leaf)
    old = data.draw(st.integers(0, size))
    for leaf in leaves[size // 2 :]:
        store.append(leaf)
    index = data.draw(st.integers(0, size - 1))
    root = root_from_leaf_hashes(leaves)
    assert tree_hash(size, store) == root
    proof = inclusion_proof(index=index, size=size, reader=store)
    verify_inclusion(leaf_hash=leaves[index], index=index, size=size, proof=proof, root=root)
    verify_consistency(
        old_size=old,
        new_size=size,
        old_root=tree_hash(old, store),
        new_root=root,
        proof=consistency_proof(old_size=old, new_size=size, reader=store),
    )
