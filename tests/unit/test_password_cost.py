"""The node hashes passwords with argon2id at RFC 9106's low-memory profile (64 MiB,
3 passes, 4 lanes), whatever cheaper hasher the test suite uses in its own process."""

from __future__ import annotations

from argon2 import Type, extract_parameters, profiles

from hanoi.accounts import secrets


def test_the_nodes_hasher_is_argon2id_at_the_rfc_9106_low_memory_profile() -> None:
    made = secrets.NODE_HASHER.hash("correct horse battery staple")
    parameters = extract_parameters(made)
    assert parameters.type is Type.ID
    wanted = profiles.RFC_9106_LOW_MEMORY
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        wanted.memory_cost, wanted.time_cost, wanted.parallelism
    )  # fmt: skip


def test_a_hash_made_by_the_node_is_checked_by_the_suites_hasher_and_back() -> None:
    made = secrets.NODE_HASHER.hash("correct horse battery staple")
    secrets.verify_password(made, "correct horse battery staple")
    secrets.NODE_HASHER.verify(
        secrets.hash_password("correct horse battery staple"), "correct horse battery staple"
    )
