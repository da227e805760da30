"""What can go wrong talking to a provider's HI-1 endpoint, by who must act.

Each is a :class:`~hanoi.errors.PeerError` (the API answers 502, the CLI exits 8) whose
message names the provider and says what to check. The client of
:func:`hanoi.providers.transport.provider_client` raises them in place of httpx's transport
errors, so that code ordering a provider catches Hanoi's families, not a library's.
"""

from __future__ import annotations

from hanoi.errors import PeerError, RuleViolation


class ProviderConnectionError(PeerError):
    """The provider's endpoint could not be talked to."""

    title = "Provider unreachable"
    type_slug = "provider-unreachable"


class ProviderUnreachable(ProviderConnectionError):
    """No connection, or no answer in time: the network, or the provider's server."""


class ProviderNotTrusted(ProviderConnectionError):
    """The provider's server certificate does not chain to the entry's CA bundle, or does
    not name the endpoint's host: the node refused to talk to it (check the CA bundle)."""

    title = "Provider not trusted"
    type_slug = "provider-not-trusted"


class ClientCertificateRefused(ProviderConnectionError):
    """The provider refused the node's client certificate (none, unknown, expired or
    revoked): check the entry's client certificate with the provider."""

    title = "Client certificate refused"
    type_slug = "client-certificate-refused"


class ProviderRedirected(ProviderConnectionError):
    """The provider answered with a redirect; HI-1 requests are never sent elsewhere."""

    title = "Provider redirected"
    type_slug = "provider-redirected"


class ProviderDisabled(RuleViolation):
    """The entry is disabled: nothing is sent to the provider until an administrator
    enables it again."""


class ProviderAnswerInvalid(PeerError):
    """The provider answered, but not with an HI-1 message this node can read (an HTTP error
    without one, garbage, a message that fails ETSI's schemas, an answer to another
    transaction): nothing it says is taken."""

    title = "Provider answer unreadable"
    type_slug = "provider-answer-invalid"


class ProviderRefused(PeerError):
    """The provider answered with an HI-1 ``ErrorInformation`` (for the message or for the
    action): it read the request and would not do it; its code and description say why."""

    title = "Provider refused"
    type_slug = "provider-refused"


class DeliveryTooLarge(PeerError):
    """A delivery larger than the node takes as evidence in one piece."""

    title = "Provider delivery too large"
    type_slug = "provider-delivery-too-large"


class OrderNotAllowed(RuleViolation):
    """The request is not one the node may order a provider for now (not an incoming
    request in execution, or of a kind no provider executes)."""

    title = "No provider order for this request"
