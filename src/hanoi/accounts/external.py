"""Who a State's identity provider says someone is, and which Hanoi role that gives. Pure.

The node signs officers in through the State's OpenID Connect provider (ADR 0049). Once
the adapter (``hanoi.web.ui.oidc``) has checked the ID token, the rules here read its
claims:

1. The subject is the issuer's ``sub`` claim, kept as ``issuer + " " + sub``: a user is
   linked to one subject of one issuer, never to a name that the provider may reuse.
2. The user name comes from the configured claim (``preferred_username`` by default), in
   lower case, and must then be a valid Hanoi user name; it is only used when the user is
   first created (a name already taken refuses that sign-in, see ``AccountService``).
3. The role comes from the configured claim (``groups`` by default): a string or a list of
   strings, each looked up in the node's mapping. No mapped value: no role, refused
   (:class:`NoRole`). Values mapping to different roles: refused as ambiguous
   (:class:`AmbiguousRole`), rather than choosing the strongest or the weakest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hanoi.accounts.model import Role, check_user_name, parse_role
from hanoi.errors import InvalidInput, PermissionDenied

MAX_SUBJECT = 255
MAX_CLAIM_VALUES = 200


class NoRole(PermissionDenied):
    """The identity provider gives this person no value that the node maps to a role."""

    title = "No role on this node"
    type_slug = "no-role"


class AmbiguousRole(PermissionDenied):
    """The identity provider gives this person values that map to different roles."""

    title = "More than one role on this node"
    type_slug = "ambiguous-role"


class BadClaims(PermissionDenied):
    """The ID token lacks a claim the node needs, or carries one it cannot use."""

    title = "Unusable identity"
    type_slug = "bad-claims"


@dataclass(frozen=True, slots=True)
class RoleMapping:
    """Which claims name the user and carry their roles, and what each value means here."""

    roles_claim: str
    roles: Mapping[str, Role]
    name_claim: str = "preferred_username"

    @classmethod
    def of(cls, *, roles_claim: str, roles: Mapping[str, str], name_claim: str) -> RoleMapping:
        """From the settings' text; an unknown role name is invalid input."""
        return cls(
            roles_claim=roles_claim,
            roles={value: parse_role(role) for value, role in roles.items()},
            name_claim=name_claim,
        )


@dataclass(frozen=True, slots=True)
class ExternalIdentity:
    subject: str
    """``issuer`` and ``sub``, separated by one space: unique across issuers."""
    name: str
    role: Role


def _claim_values(claims: Mapping[str, object], claim: str) -> list[str]:
    value = claims.get(claim)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if (
        isinstance(value, list)
        and len(value) <= MAX_CLAIM_VALUES
        and all(isinstance(v, str) for v in value)
    ):
        return [str(v) for v in value]
    raise BadClaims(f"the claim {claim!r} is neither a string nor a list of strings")


def role_of(claims: Mapping[str, object], mapping: RoleMapping) -> Role:
    """The one role that the claims' values map to (rule 3)."""
    found = {
        mapping.roles[v] for v in _claim_values(claims, mapping.roles_claim) if v in mapping.roles
    }
    if not found:
        raise NoRole(f"no value of the claim {mapping.roles_claim!r} is mapped to a role here")
    if len(found) > 1:
        names = ", ".join(sorted(r.value for r in found))
        raise AmbiguousRole(f"the claim {mapping.roles_claim!r} maps to several roles: {names}")
    return found.pop()


def identity_of(
    claims: Mapping[str, object], *, issuer: str, mapping: RoleMapping
) -> ExternalIdentity:
    """Subject, user name and role from an ID token's checked claims (rules 1-3)."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > MAX_SUBJECT:
        raise BadClaims("the ID token has no usable 'sub' claim")
    name = claims.get(mapping.name_claim)
    if not isinstance(name, str):
        raise BadClaims(f"the ID token has no {mapping.name_claim!r} claim to name the user")
    name = name.strip().lower()
    try:
        check_user_name(name)
    except InvalidInput:
        raise BadClaims(f"the claim {mapping.name_claim!r} is not a valid user name here") from None
    return ExternalIdentity(subject=f"{issuer} {sub}", name=name, role=role_of(claims, mapping))
