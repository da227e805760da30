"""RFC 6962 / RFC 9162 Merkle trees: hashes, roots, proofs and their verification.

Hashes are 32-byte SHA-256 digests: a leaf is ``SHA-256(0x00 || entry)`` and an
interior node ``SHA-256(0x01 || left || right)``. The tree over ``n`` leaves
splits at ``k``, the largest power of two below ``n``.

Proofs are generated from a :class:`HashReader`: storage that answers "the
hashes at these *stored hash indexes*". The stored hash index gives every node
of a growing tree a fixed place in one sequence (Crosby and Wallach, "Efficient
Data Structures for Tamper-Evident Logging", section 3.3): appending leaf ``m``
appends its leaf hash followed by the hashes of the subtrees that leaf
completes. The same index is what the Go reference implementation
(``golang.org/x/mod/sumdb/tlog``) uses, and :mod:`hanoi.custody.tiles` maps it
onto C2SP tiles, so a sequencer backs a :class:`HashReader` with its tile store.

Verification follows RFC 9162, sections 2.1.3.2 and 2.1.4.2, and raises
:class:`~hanoi.custody.errors.ProofError`; it never returns ``False``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

from hanoi.custody.errors import ProofError, VerificationError
from hanoi.custody.limits import HASH_SIZE
from hanoi.errors import InvalidInput

EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF = b"\x00"
_NODE = b"\x01"


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(_LEAF + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE + left + right).digest()


class HashReader(Protocol):
    def read_hashes(self, indexes: Sequence[int]) -> Sequence[bytes]:
        """The hashes at these stored hash indexes, in the same order."""
        ...


# --- the stored hash index ---------------------------------------------------------------


def _hashes_before_leaf(m: int) -> int:
    """How many hashes are stored before leaf ``m``: each leaf ``j`` adds 1 + tz(j + 1)."""
    return 2 * m - m.bit_count()


def _trailing_zeros(n: int) -> int:
    return (n & -n).bit_length() - 1


def stored_hash_index(level: int, n: int) -> int:
    """Where the ``n``-th hash at ``level`` (0 = leaves) sits in the stored sequence.

    That hash covers leaves ``[n * 2**level, (n + 1) * 2**level)`` and is stored
    right after the leaf that completes it, ``m = (n + 1) * 2**level - 1``, as the
    ``level``-th hash that leaf appends.
    """
    if level < 0 or n < 0:
        raise InvalidInput("a stored hash has a non-negative level and position")
    m = ((n + 1) << level) - 1
    return _hashes_before_leaf(m) + level


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """The inverse of :func:`stored_hash_index`: ``(level, n)``."""
    if index < 0:
        raise InvalidInput("a stored hash index is non-negative")
    m = index // 2  # _hashes_before_leaf(m) <= 2m <= index
    while _hashes_before_leaf(m + 1) <= index:
        m += 1
    level = index - _hashes_before_leaf(m)
    return level, ((m + 1) >> level) - 1


def stored_hash_count(size: int) -> int:
    """How many hashes a tree of ``size`` leaves has stored."""
    return _hashes_before_leaf(size)


def stored_hashes_for_leaf(index: int, leaf: bytes, reader: HashReader) -> list[bytes]:
    """The hashes to store, from :func:`stored_hash_index` ``(0, index)`` on, when appending.

    They are the leaf hash, then one node hash per subtree the leaf completes;
    the left halves of those subtrees are read from ``reader``.
    """
    completed = _trailing_zeros(index + 1)
    lefts = [stored_hash_index(level, (index >> level) - 1) for level in range(completed)]
    left_hashes = _read(reader, lefts)
    hashes = [leaf]
    for left in left_hashes:
        hashes.append(node_hash(left, hashes[-1]))
    return hashes


class MemoryHashStore:
    """Stored hashes in a list: the in-memory :class:`HashReader`, for tests and small logs."""

    def __init__(self) -> None:
        self._hashes: list[bytes] = []
        self.size = 0

    def append(self, leaf: bytes) -> int:
        """Append a leaf hash; return its index."""
        self._hashes.extend(stored_hashes_for_leaf(self.size, leaf, self))
        self.size += 1
        return self.size - 1

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        return [self._hashes[i] for i in indexes]


# --- trees as ranges of complete subtrees ----------------------------------------------


def _split(width: int) -> int:
    """The largest power of two strictly below ``width`` (``width >= 2``)."""
    return 1 << ((width - 1).bit_length() - 1)


def _range_indexes(lo: int, hi: int) -> list[int]:
    """Stored indexes of the complete subtrees that make up leaves ``[lo, hi)``, left first."""
    indexes = []
    while lo < hi:
        k = 1 << ((hi - lo).bit_length() - 1)
        if lo:
            k = min(k, lo & -lo)
        level = k.bit_length() - 1
        indexes.append(stored_hash_index(level, lo >> level))
        lo += k
    return indexes


def root_from_subtrees(hashes: Sequence[bytes]) -> bytes:
    """The root over complete subtrees given left to right, as :func:`tree_hash_indexes` lists.

    For instance, the hashes at ``tree_hash_indexes(size)`` give the root at ``size``.
    """
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


def _read(reader: HashReader, indexes: Sequence[int]) -> Sequence[bytes]:
    if not indexes:
        return []
    hashes = reader.read_hashes(indexes)
    if len(hashes) != len(indexes) or any(len(h) != HASH_SIZE for h in hashes):
        raise VerificationError(f"the hash store returned a bad answer for {len(indexes)} hashes")
    return hashes


def _hash_ranges(ranges: Sequence[tuple[int, int]], reader: HashReader) -> list[bytes]:
    """The Merkle tree hash of each leaf range, with one call to ``reader``."""
    plans = [_range_indexes(lo, hi) for lo, hi in ranges]
    hashes = _read(reader, [i for plan in plans for i in plan])
    out, at = [], 0
    for plan in plans:
        out.append(root_from_subtrees(hashes[at : at + len(plan)]))
        at += len(plan)
    return out


def root_from_leaf_hashes(leaves: Sequence[bytes]) -> bytes:
    """The RFC 6962 Merkle tree hash of a list of leaf hashes."""
    if not leaves:
        return EMPTY_ROOT
    stack: list[bytes] = []
    for count, leaf in enumerate(leaves, start=1):
        stack.append(leaf)
        for _ in range(_trailing_zeros(count)):
            right = stack.pop()
            stack.append(node_hash(stack.pop(), right))
    return root_from_subtrees(stack)


def tree_hash_indexes(size: int) -> list[int]:
    """The stored indexes :func:`tree_hash` reads."""
    return _range_indexes(0, size)


def tree_hash(size: int, reader: HashReader) -> bytes:
    """The root of the tree of the first ``size`` leaves."""
    if size < 0:
        raise InvalidInput("a tree size is non-negative")
    if size == 0:
        return EMPTY_ROOT
    return root_from_subtrees(_read(reader, tree_hash_indexes(size)))


# --- proof generation (RFC 6962, sections 2.1.1 and 2.1.2) -----------------------------


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The sibling ranges on the path from leaf ``index`` to the root, leaf side first."""
    if not 0 <= index < size:
        raise InvalidInput(f"leaf {index} is not in a tree of size {size}")
    lo, hi, path = 0, size, []
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append((lo + k, hi))
            hi = lo + k
        else:
            path.append((lo, lo + k))
            lo += k
    return path[::-1]


def _consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The ranges of RFC 6962's SUBPROOF(old_size, D[0:new_size], true)."""
    if not 0 < old_size <= new_size:
        raise InvalidInput(f"no consistency proof from size {old_size} to {new_size}")
    lo, hi, old, whole_old_tree = 0, new_size, old_size, True
    path = []
    while old != hi - lo:
        k = _split(hi - lo)
        if old <= k:
            path.append((lo + k, hi))
            hi = lo + k
        else:
            path.append((lo, lo + k))
            lo, old, whole_old_tree = lo + k, old - k, False
    if not whole_old_tree:
        path.append((lo, hi))
    return path[::-1]


def inclusion_proof_indexes(*, index: int, size: int) -> list[int]:
    """The stored indexes :func:`inclusion_proof` reads (to fetch tiles ahead)."""
    return [i for lo, hi in _inclusion_ranges(index, size) for i in _range_indexes(lo, hi)]


def inclusion_proof(*, index: int, size: int, reader: HashReader) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves."""
    return _hash_ranges(_inclusion_ranges(index, size), reader)


def consistency_proof_indexes(*, old_size: int, new_size: int) -> list[int]:
    """The stored indexes :func:`consistency_proof` reads."""
    if old_size == 0 or old_size == new_size:
        return []
    ranges = _consistency_ranges(old_size, new_size)
    return [i for lo, hi in ranges for i in _range_indexes(lo, hi)]


def consistency_proof(*, old_size: int, new_size: int, reader: HashReader) -> list[bytes]:
    """The proof that the tree of ``new_size`` leaves extends the tree of ``old_size``.

    From the empty tree, and between equal sizes, the proof is empty.
    """
    if not 0 <= old_size <= new_size:
        raise InvalidInput(f"no consistency proof from size {old_size} to {new_size}")
    if old_size == 0 or old_size == new_size:
        return []
    return _hash_ranges(_consistency_ranges(old_size, new_size), reader)


# --- verification (RFC 9162, sections 2.1.3.2 and 2.1.4.2) -----------------------------


def _check_hashes(proof: Sequence[bytes]) -> None:
    if any(len(h) != HASH_SIZE for h in proof):
        raise ProofError("a proof hash is not 32 bytes")


def root_from_inclusion_proof(
    *, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """The root that ``proof`` implies for ``leaf_hash`` at ``index`` in a tree of ``size``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    _check_hashes(proof)
    fn, sn, root = index, size - 1, leaf_hash
    for sibling in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            root = node_hash(sibling, root)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            root = node_hash(root, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    return root


def verify_inclusion(
    *, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree with ``size`` and ``root``."""
    computed = root_from_inclusion_proof(leaf_hash=leaf_hash, index=index, size=size, proof=proof)
    if computed != root:
        raise ProofError(f"leaf {index} is not included in the tree of size {size} with that root")


def verify_consistency(
    *, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (``new_size``, ``new_root``) extends (``old_size``, ``old_root``)."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"a tree of size {new_size} cannot extend one of size {old_size}")
    _check_hashes(proof)
    if old_size == 0 or old_size == new_size:
        if proof:
            raise ProofError("a consistency proof from the empty tree or to itself is empty")
        if old_size and old_root != new_root:
            raise ProofError(f"two different roots for the tree of size {old_size}")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # the old tree is a complete subtree of the new one
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    old_hash = new_hash = path[0]
    for node in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            old_hash, new_hash = node_hash(node, old_hash), node_hash(node, new_hash)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            new_hash = node_hash(new_hash, node)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if old_hash != old_root or new_hash != new_root:
        raise ProofError(f"the tree of size {new_size} does not extend the tree of size {old_size}")
