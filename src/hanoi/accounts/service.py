"""Creating users and authenticating them, by password or API token."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hanoi.accounts.external import ExternalIdentity
from hanoi.accounts.memory import MemorySessionStore
from hanoi.accounts.model import Role, User, check_title, check_user_name
from hanoi.accounts.ports import SessionStore
from hanoi.accounts.secrets import hash_password, new_token, parse_token, same_hash, verify_password
from hanoi.accounts.sessions import Sessions
from hanoi.accounts.throttle import LoginThrottle, TooManyFailures
from hanoi.clock import Clock
from hanoi.errors import Conflict, NotFound, PermissionDenied

log = logging.getLogger("hanoi.accounts")


class StoredToken(Protocol):
    @property
    def user_id(self) -> int: ...

    @property
    def secret_hash(self) -> bytes: ...

    @property
    def revoked(self) -> bool: ...

    @property
    def user(self) -> User:
        """The token's user, read with the token (one query on every API call)."""
        ...


class AccountsStore(Protocol):
    """What the service needs from storage (``hanoi.storage.accounts_repo`` implements it)."""

    def add_user(
        self,
        *,
        name: str,
        role: str,
        password_hash: str | None,
        now: datetime,
        title: str | None = None,
        external_subject: str | None = None,
    ) -> User: ...

    def set_role(self, user_id: int, role: str) -> User | None: ...

    def user_by_external_subject(self, subject: str) -> User | None:
        """The user linked to this identity provider's subject (``issuer sub``)."""
        ...

    def set_title(self, name: str, title: str | None) -> User | None:
        """The user called ``name`` with its new title; None if there is no such user."""
        ...

    def user_by_id(self, user_id: int) -> User | None: ...

    def user_by_name(self, name: str) -> tuple[User, str | None] | None: ...

    def list_users(self) -> list[User]: ...

    def add_token(
        self, *, token_id: str, user_id: int, secret_hash: bytes, now: datetime
    ) -> None: ...

    def token(self, token_id: str) -> StoredToken | None: ...


@dataclass(frozen=True, slots=True)
class CreatedUser:
    user: User
    token: str | None  # shown once, never stored


class AccountService:
    """Users, their secrets, and the UI sessions they sign in to (:attr:`sessions`).

    Without ``throttle`` and ``sessions`` both are kept in memory, for tests; a node
    gets the database's (``hanoi.wiring``), which every server process shares.
    ``session_clock`` (default: ``clock``) measures how long UI sessions live. A node
    gives it the wall clock: a session lives in a browser's time, as the signature of its
    cookie does, even where tests move the node's clock by weeks to reach a deadline.
    """

    def __init__(
        self,
        *,
        repository: AccountsStore,
        clock: Clock,
        throttle: LoginThrottle | None = None,
        sessions: SessionStore | None = None,
        session_clock: Clock | None = None,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._throttle = throttle or LoginThrottle()
        self.sessions = Sessions(
            store=sessions or MemorySessionStore(repository.user_by_id),
            clock=session_clock or clock,
        )

    def add_user(
        self,
        *,
        name: str,
        role: Role,
        password: str | None = None,
        with_token: bool = False,
        title: str | None = None,
    ) -> CreatedUser:
        check_user_name(name)
        title = check_title(title)
        password_hash = hash_password(password) if password is not None else None
        user = self._repository.add_user(
            name=name,
            role=role.value,
            password_hash=password_hash,
            now=self._clock.now(),
            title=title,
        )
        token = self.issue_token(user) if with_token else None
        return CreatedUser(user=user, token=token)

    def issue_token(self, user: User) -> str:
        token = new_token()
        self._repository.add_token(
            token_id=token.token_id,
            user_id=user.id,
            secret_hash=token.secret_hash,
            now=self._clock.now(),
        )
        return token.plaintext

    def set_title(self, name: str, title: str | None) -> User:
        """Give the user called ``name`` the title the reports they certify print (an empty
        one removes it)."""
        user = self._repository.set_title(name, check_title(title))
        if user is None:
            raise NotFound(f"no user named {name[:64]!r}")
        return user

    def users(self) -> list[User]:
        return self._repository.list_users()

    def named(self, name: str) -> User:
        found = self._repository.user_by_name(name)
        if found is None:
            raise NotFound(f"no user named {name[:64]!r}")
        return found[0]

    def authenticate_token(self, token: str) -> User:
        """The user behind a token; every refusal is logged (without the secret)."""
        try:
            token_id, presented = parse_token(token)
        except PermissionDenied:
            log.warning("refused a malformed API token")
            raise
        stored = self._repository.token(token_id)
        if stored is None or stored.revoked or not same_hash(stored.secret_hash, presented):
            log.warning("refused API token %s: unknown, revoked or wrong secret", token_id)
            raise PermissionDenied("invalid or revoked API token")
        user = stored.user
        if user.disabled:
            log.warning("refused API token %s: user disabled", token_id)
            raise PermissionDenied("invalid or revoked API token")
        return user

    def authenticate_password(self, name: str, password: str, *, client: str = "") -> User:
        """The user with this name and password. Unknown names take as long as wrong
        passwords. The attempt is counted *before* the password is checked, and one over
        the limits for ``client`` (an address) is refused without checking it at all
        (:mod:`hanoi.accounts.throttle`): concurrent attempts cannot slip past the count."""
        try:
            reservation = self._throttle.reserve(name, client, self._clock.now())
        except TooManyFailures:
            log.warning("refused a password login for %r from %s: throttled", name[:64], client)
            raise
        found = self._repository.user_by_name(name)
        try:
            verify_password(found[1] if found is not None else None, password)
            if found is None or found[0].disabled:
                raise PermissionDenied("wrong user name or password")
        except PermissionDenied:
            log.warning("refused a password login for %r", name[:64])
            raise  # the reservation stays: it counts as a failure
        self._throttle.succeeded(reservation)
        return found[0]

    def authenticate_external(self, identity: ExternalIdentity) -> User:
        """The user linked to ``identity``'s subject, with the role the identity provider
        gives now; created (no password) on first sign-in (ADR 0049). A local user who has
        the same name is never taken over: the sign-in is refused, and logged."""
        user = self._repository.user_by_external_subject(identity.subject)
        if user is None:
            try:
                user = self._repository.add_user(
                    name=identity.name,
                    role=identity.role.value,
                    password_hash=None,
                    now=self._clock.now(),
                    external_subject=identity.subject,
                )
            except Conflict:
                log.warning("refused an external sign-in as %r: the name is taken", identity.name)
                raise PermissionDenied(
                    f"a user named {identity.name!r} exists already and is not linked to "
                    "the identity provider"
                ) from None
            log.info("created user %r (%s) on first external sign-in", user.name, user.role.value)
        elif user.disabled:
            log.warning("refused an external sign-in as %r: user disabled", user.name)
            raise PermissionDenied("this user is disabled on this node")
        elif user.role is not identity.role:
            log.info("role of %r: %s -> %s (identity provider)", user.name, user.role.value,
                     identity.role.value)  # fmt: skip
            changed = self._repository.set_role(user.id, identity.role.value)
            assert changed is not None
            user = changed
        return user

    def sign_out_everywhere(self, name: str) -> int:
        """End every UI session of the user called ``name``; how many were ended."""
        return self.sessions.end_all(self.named(name))
