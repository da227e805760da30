"""The provider directory's door: who may read and change entries, and the history kept.

Rules, checked on every call that names a user:

1. Administrators manage the directory (``manage-providers``): add, change, disable and
   enable entries, read every entry and its history.
2. Auditors read every entry and its history (``audit``), and change nothing.
3. The officers who execute requests (``order-providers``: officers, supervisors, the
   24/7 point of contact) read the *enabled* entries, to choose the provider to order; a
   disabled entry is to them as one that does not exist.
4. Anyone else is refused; every refusal is recorded for auditors, as elsewhere.
5. Every change is stored with its history entry (:mod:`hanoi.providers.history`) in one
   transaction, and logged without any PEM.

6. An administrator fetches a provider's CSP configuration over HI-1
   (:meth:`ProviderService.fetch_csp_config`: one signed ``GETCSPCONFIG``); it is kept only
   if the provider answered it, with a history entry.

The node's own work (a CSP configuration fetched on a schedule, an HI-1 client opened for
an order already allowed) goes through :meth:`ProviderService.provider`,
:meth:`ProviderService.record_csp_config` and :meth:`ProviderService.open_client`, which
take no user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.accounts.model import Action, User
from hanoi.clock import Clock
from hanoi.cooperation.ports import AccessRefusal
from hanoi.errors import FieldProblem, NotFound, PermissionDenied, RuleViolation
from hanoi.providers.credentials import credential_warnings
from hanoi.providers.errors import ProviderAnswerInvalid, ProviderDisabled, ProviderRefused
from hanoi.providers.hi1 import Endpoint, build_config_request, sign_message, validate_message
from hanoi.providers.history import NODE, ChangeKind, ProviderChange, change_of
from hanoi.providers.http_binding import exchange
from hanoi.providers.limits import DEFAULT_LIMITS, ProviderLimits
from hanoi.providers.model import (
    PROVIDER_ID,
    Provider,
    ProviderFields,
    check_csp_config,
    edited_provider,
    new_provider,
    with_enabled,
)
from hanoi.providers.ports import ProviderStore, RefusalLog
from hanoi.providers.transport import provider_client
from hanoi.wire import thaw

log = logging.getLogger("hanoi.providers")

READERS = (Action.MANAGE_PROVIDERS, Action.AUDIT)
"""Who reads every entry, disabled ones and history included."""


@dataclass(frozen=True, slots=True)
class Saved:
    """An entry as stored after a change, and what its administrator should be warned of
    (certificates expired or expiring; the change was made all the same)."""

    provider: Provider
    warnings: tuple[FieldProblem, ...]
    changed: tuple[str, ...] = ()


class ProviderService:
    def __init__(
        self,
        *,
        store: ProviderStore,
        refusals: RefusalLog,
        clock: Clock,
        limits: ProviderLimits = DEFAULT_LIMITS,
        connect: Callable[[Provider], httpx.Client] = provider_client,
        sender: Endpoint | None = None,
        signing_key: Ed25519PrivateKey | None = None,
    ) -> None:
        """``connect`` opens a provider's HI-1 client (:func:`provider_client`; tests route
        it to a simulated provider in the same process). ``sender`` (the node's HI-1
        ``EndpointID``) and ``signing_key`` (the node's signing key) sign the messages the
        directory sends itself (``GETCSPCONFIG``); without them nothing is fetched."""
        self._sender = sender
        self._key = signing_key
        self._store = store
        self._refusals = refusals
        self._clock = clock
        self.limits = limits
        self._connect = connect

    # --- access ---------------------------------------------------------------------------

    def _refuse(self, user: User, what: str) -> PermissionDenied:
        detail = f"a user with role {user.role.value!r} may not {what}"
        log.warning("refused %s (%s) %s", user.name, user.role.value, what)
        self._refusals.record_refusal(
            AccessRefusal(
                at=self._clock.now(),
                user=user.name,
                role=user.role.value,
                action=what,
                request_id=None,
                detail=detail,
            )
        )
        return PermissionDenied(detail)

    def _require(self, user: User, action: Action, what: str) -> None:
        if not user.may(action):
            raise self._refuse(user, what)

    def _reads_all(self, user: User, what: str) -> bool:
        """True for those who read every entry; False for those who read enabled ones."""
        if any(user.may(action) for action in READERS):
            return True
        if user.may(Action.ORDER_PROVIDERS):
            return False
        raise self._refuse(user, what)

    def _found(self, provider_id: str) -> Provider:
        found = self._store.get(provider_id) if _plausible(provider_id) else None
        if found is None:
            raise NotFound(f"no provider {provider_id[:64]!r}")
        return found

    # --- reading --------------------------------------------------------------------------

    def providers(self, user: User, *, enabled: bool | None = None) -> list[Provider]:
        """The entries ``user`` may see, by id; ``enabled`` filters (officers see enabled
        entries only, whatever they ask)."""
        if not self._reads_all(user, "read the provider directory"):
            return [] if enabled is False else self._store.providers(enabled=True)
        return self._store.providers(enabled=enabled)

    def enabled(self, user: User) -> list[Provider]:
        """The providers ``user`` may order now (enabled entries), for choosing one."""
        self._require(user, Action.ORDER_PROVIDERS, "order service providers")
        return self._store.providers(enabled=True)

    def get(self, user: User, provider_id: str) -> Provider:
        """One entry, if ``user`` may see it (``NotFound`` otherwise, as for none)."""
        reads_all = self._reads_all(user, "read the provider directory")
        found = self._found(provider_id)
        if not reads_all and not found.enabled:
            raise NotFound(f"no provider {provider_id[:64]!r}")
        return found

    def changes(self, user: User, provider_id: str) -> list[ProviderChange]:
        """The history of one entry, newest first (administrators and auditors)."""
        if not self._reads_all(user, "read the history of the provider directory"):
            raise self._refuse(user, "read the history of the provider directory")
        self._found(provider_id)
        return self._store.changes(provider_id, limit=self.limits.max_changes_listed)

    def warnings(self, provider: Provider) -> tuple[FieldProblem, ...]:
        """What the entry's administrator should know now (certificates expiring)."""
        credentials = provider.credentials
        if credentials is None:
            return ()
        return credential_warnings(
            chain=credentials.client_certificate_chain,
            ca_bundle=credentials.ca_bundle,
            now=self._clock.now(),
            limits=self.limits,
        )

    # --- managing -------------------------------------------------------------------------

    def create(self, user: User, provider_id: str, fields: ProviderFields) -> Saved:
        """Add an enabled entry; ``InvalidInput`` naming every bad field, ``Conflict`` if
        the id or the HI-1 identifier is taken."""
        self._require(user, Action.MANAGE_PROVIDERS, "manage the provider directory")
        now = self._clock.now()
        checked = new_provider(provider_id, fields, by=user.name, now=now, limits=self.limits)
        change = change_of(
            checked.provider, ChangeKind.CREATED, checked.changed, by=user.name, at=now
        )
        self._store.add(checked.provider, change)
        self._logged(change)
        return Saved(checked.provider, self.warnings(checked.provider), checked.changed)

    def update(self, user: User, provider_id: str, fields: ProviderFields) -> Saved:
        """Change the fields given (None keeps); the whole entry is checked again. Nothing
        changed: no history entry. ``Conflict`` if another change came first."""
        self._require(user, Action.MANAGE_PROVIDERS, "manage the provider directory")
        current = self._found(provider_id)
        now = self._clock.now()
        checked = edited_provider(current, fields, by=user.name, now=now, limits=self.limits)
        if checked.changed:
            change = change_of(
                checked.provider, ChangeKind.UPDATED, checked.changed, by=user.name, at=now
            )
            self._store.replace(checked.provider, expected_version=current.version, change=change)
            self._logged(change)
        return Saved(checked.provider, self.warnings(checked.provider), checked.changed)

    def disable(self, user: User, provider_id: str) -> Provider:
        """Stop ordering the provider: officers no longer see it, no client is opened."""
        return self._set_enabled(user, provider_id, enabled=False)

    def enable(self, user: User, provider_id: str) -> Provider:
        return self._set_enabled(user, provider_id, enabled=True)

    def _set_enabled(self, user: User, provider_id: str, *, enabled: bool) -> Provider:
        self._require(user, Action.MANAGE_PROVIDERS, "manage the provider directory")
        current = self._found(provider_id)
        now = self._clock.now()
        changed = with_enabled(current, enabled, by=user.name, now=now)
        if changed is current:
            return current
        kind = ChangeKind.ENABLED if enabled else ChangeKind.DISABLED
        change = change_of(changed, kind, (), by=user.name, at=now)
        self._store.replace(changed, expected_version=current.version, change=change)
        self._logged(change)
        return changed

    # --- the node's own work --------------------------------------------------------------

    def provider(self, provider_id: str) -> Provider:
        """An entry, for the node's own work (no user: the caller checked its own)."""
        return self._found(provider_id)

    def record_csp_config(
        self,
        provider_id: str,
        document: Mapping[str, Any],
        *,
        fetched_at: datetime | None = None,
        by: User | None = None,
    ) -> Provider:
        """Keep the provider's ``GETCSPCONFIG`` answer (a JSON object, at most
        ``limits.max_csp_config_bytes``), fetched at ``fetched_at`` (default now), by
        ``by`` (an administrator who asked for it) or by the node itself (None)."""
        if by is not None:
            self._require(by, Action.MANAGE_PROVIDERS, "manage the provider directory")
        now = self._clock.now()
        config = check_csp_config(document, fetched_at=fetched_at or now, limits=self.limits)
        change = ProviderChange(
            provider_id=provider_id,
            at=now,
            by=by.name if by is not None else NODE,
            kind=ChangeKind.CSP_CONFIG,
            fields=("csp_config",),
            summary={"csp_config": f"fetched {config.fetched_at.isoformat()}"},
        )
        stored = self._store.set_csp_config(provider_id, config, change=change)
        if stored is None:
            raise NotFound(f"no provider {provider_id[:64]!r}")
        self._logged(change)
        return stored

    def fetch_csp_config(self, user: User, provider_id: str) -> Provider:
        """Ask the provider for its configuration (one signed ``GETCSPCONFIG`` over its
        mutual-TLS client) and keep the answer (:meth:`record_csp_config`, with a history
        entry naming ``user``). Administrators only. Nothing is kept when the provider cannot
        be talked to (``ProviderConnectionError``), answers garbage
        (``ProviderAnswerInvalid``) or an ``ErrorInformation`` (``ProviderRefused``);
        ``ProviderDisabled`` for a disabled entry."""
        self._require(user, Action.MANAGE_PROVIDERS, "manage the provider directory")
        provider = self._found(provider_id)
        if self._sender is None or self._key is None:
            raise RuleViolation(
                "the node has no HI-1 endpoint identifier or signing key: it cannot send a "
                "provider a request (its State needs an ISO 3166-1 alpha-2 code)"
            )
        receiver = Endpoint(provider.hi1.country_code, provider.hi1.unique_identifier)
        query = build_config_request(
            sender=self._sender, receiver=receiver, timestamp=self._clock.now()
        )
        signed = sign_message(query.message, self._key)
        validate_message(signed)
        with self.open_client(provider.id) as client:
            answer = exchange(
                client, signed, transaction_id=query.transaction_id, provider_id=provider.id
            )
        who = f"the provider {provider.id!r}"
        if answer.error is not None:
            raise ProviderRefused(
                f"{who} refused GETCSPCONFIG: error {answer.error.code}: "
                f"{answer.error.description[:200]}"
            )
        if len(answer.results) != 1:
            raise ProviderAnswerInvalid(f"{who} did not answer GETCSPCONFIG with one action")
        [result] = answer.results
        if result.error is not None:
            raise ProviderRefused(
                f"{who} refused GETCSPCONFIG: error {result.error.code}: "
                f"{result.error.description[:200]}"
            )
        if result.verb != "GETCSPCONFIG" or result.config is None:
            raise ProviderAnswerInvalid(f"{who} answered GETCSPCONFIG without a configuration")
        return self.record_csp_config(provider.id, thaw(result.config), by=user)

    def open_client(self, provider_id: str) -> httpx.Client:
        """An HI-1 client of an enabled provider (mutual TLS, timeouts, no redirects; see
        :mod:`hanoi.providers.transport`). ``ProviderDisabled`` for a disabled entry.
        Close it (``with``) when done."""
        found = self._found(provider_id)
        if not found.enabled:
            raise ProviderDisabled(
                f"the provider {provider_id!r} is disabled; an administrator must enable it"
            )
        return self._connect(found)

    def _logged(self, change: ProviderChange) -> None:
        log.info(
            "provider %s %s by %s (%s)",
            change.provider_id,
            change.kind.value,
            change.by,
            ", ".join(change.fields) or "-",
        )


def _plausible(provider_id: str) -> bool:
    """Whether ``provider_id`` could name an entry (anything else is looked up nowhere)."""
    return isinstance(provider_id, str) and PROVIDER_ID.fullmatch(provider_id) is not None
