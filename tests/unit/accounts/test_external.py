"""The claims of a checked ID token, read into a Hanoi user: subject, name, one role."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hanoi.accounts.external import (
    AmbiguousRole,
    BadClaims,
    NoRole,
    RoleMapping,
    identity_of,
    role_of,
)
from hanoi.accounts.model import Role
from hanoi.errors import InvalidInput, PermissionDenied

ISSUER = "https://id.ministry.example"
MAPPING = RoleMapping.of(
    roles_claim="groups",
    roles={"cyber-supervisors": "supervisor", "cyber-officers": "officer", "ca-audit": "auditor"},
    name_claim="preferred_username",
)


def claims(**more: object) -> dict[str, object]:
    return {"sub": "8f2c", "preferred_username": "Amina.Haddad", "groups": ["staff"], **more}


def test_subject_name_and_role() -> None:
    found = identity_of(claims(groups=["staff", "cyber-officers"]), issuer=ISSUER, mapping=MAPPING)
    assert found.subject == f"{ISSUER} 8f2c"
    assert found.name == "amina.haddad"
    assert found.role is Role.OFFICER


def test_a_single_string_claim_is_one_value() -> None:
    assert role_of({"groups": "ca-audit"}, MAPPING) is Role.AUDITOR


def test_several_values_of_one_role_are_that_role() -> None:
    mapping = RoleMapping.of(roles_claim="groups", roles={"a": "officer", "b": "officer"},
                             name_claim="sub")  # fmt: skip
    assert role_of({"groups": ["a", "b"]}, mapping) is Role.OFFICER


def test_no_mapped_value_is_no_role() -> None:
    with pytest.raises(NoRole):
        role_of(claims(), MAPPING)
    with pytest.raises(NoRole):
        role_of({"sub": "x"}, MAPPING)


def test_values_of_different_roles_are_refused_not_chosen() -> None:
    with pytest.raises(AmbiguousRole, match="auditor, supervisor"):
        role_of({"groups": ["ca-audit", "cyber-supervisors"]}, MAPPING)


@pytest.mark.parametrize(
    "bad",
    [
        {"sub": ""},
        {"sub": None},
        {"sub": "x" * 256},
        {"preferred_username": None},
        {"preferred_username": "has space"},
        {"preferred_username": 7},
        {"groups": [1, 2]},
        {"groups": {"cyber-officers": True}},
        {"groups": ["cyber-officers"] * 201},
    ],
)
def test_unusable_claims_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(BadClaims):
        identity_of(claims(**bad), issuer=ISSUER, mapping=MAPPING)


def test_an_unknown_role_in_the_mapping_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        RoleMapping.of(roles_claim="groups", roles={"x": "god"}, name_claim="sub")


@given(st.lists(st.text(max_size=20), max_size=10))
def test_any_values_give_one_mapped_role_or_a_refusal(values: list[str]) -> None:
    try:
        role = role_of({"groups": values}, MAPPING)
    except PermissionDenied:
        return
    assert role in {MAPPING.roles[v] for v in values if v in MAPPING.roles}
