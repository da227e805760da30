"""Users, roles and what each role may do. Pure.

The roles follow who works with the Convention's cooperation chapter: officers of
the central authority (Art. 40(13)) who draft and execute requests, supervisors who
approve before anything leaves the State, the 24/7 point of contact (Art. 41),
auditors (read-only), and administrators of the node.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from hanoi.errors import InvalidInput, PermissionDenied

USER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MAX_TITLE = 200


class Role(enum.StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    POINT_OF_CONTACT = "point-of-contact"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


class Action(enum.StrEnum):
    READ = "read"
    DRAFT = "draft"
    APPROVE = "approve"
    DECIDE = "decide"
    HANDLE_URGENT = "handle-urgent"
    UPLOAD_EVIDENCE = "upload-evidence"
    AUDIT = "audit"
    MANAGE_USERS = "manage-users"
    READ_STATISTICS = "read-statistics"
    """The node's figures for the Conference of the States Parties (Art. 57): counts and
    durations over every case, so for those who oversee, not those who work one case."""
    MANAGE_PROVIDERS = "manage-providers"
    """Keep the directory of the domestic service providers the node orders over HI-1:
    their endpoints, identifiers and mutual-TLS credentials (``hanoi.providers``)."""
    ORDER_PROVIDERS = "order-providers"
    """Choose a domestic service provider to order (preservation, production) when
    executing a request: the enabled entries of the provider directory."""


# Who may do what. Case assignment is checked on top of this, request by request.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OFFICER: frozenset(
        {
            Action.READ,
            Action.DRAFT,
            Action.DECIDE,
            Action.UPLOAD_EVIDENCE,
            Action.ORDER_PROVIDERS,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Action.READ,
            Action.DRAFT,
            Action.APPROVE,
            Action.DECIDE,
            Action.UPLOAD_EVIDENCE,
            Action.READ_STATISTICS,
            Action.ORDER_PROVIDERS,
        }
    ),
    Role.POINT_OF_CONTACT: frozenset(
        {
            Action.READ,
            Action.DRAFT,
            Action.HANDLE_URGENT,
            Action.DECIDE,
            Action.UPLOAD_EVIDENCE,
            Action.ORDER_PROVIDERS,
        }
    ),
    Role.AUDITOR: frozenset({Action.READ, Action.AUDIT, Action.READ_STATISTICS}),
    Role.ADMINISTRATOR: frozenset(
        {
            Action.READ,
            Action.MANAGE_USERS,
            Action.AUDIT,
            Action.READ_STATISTICS,
            Action.MANAGE_PROVIDERS,
        }
    ),
}


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {text!r}; choose one of: {choices}") from None


def check_user_name(name: str) -> str:
    if not USER_NAME.match(name):
        raise InvalidInput(
            "a user name is 2-64 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    return name


def check_title(title: str | None) -> str | None:
    """A user's title as the reports they certify print it ("Public Prosecutor, Cybercrime
    Unit"): 1-200 printable characters, surrounding spaces dropped; empty means none."""
    if title is None or not title.strip():
        return None
    title = title.strip()
    if len(title) > MAX_TITLE or not title.isprintable():
        raise InvalidInput(f"a title is 1-{MAX_TITLE} printable characters")
    return title


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: Role
    created_at: datetime
    disabled: bool = False
    title: str | None = None
    """What the user is, as a court reads it under their name on a report they certify."""

    def may(self, action: Action) -> bool:
        return not self.disabled and action in PERMISSIONS[self.role]

    def require(self, action: Action) -> None:
        if not self.may(action):
            raise PermissionDenied(f"a user with role {self.role.value!r} may not {action.value}")
