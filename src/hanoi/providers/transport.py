"""An ``httpx.Client`` for one provider's HI-1 endpoint, over mutual TLS. An adapter: it
writes files and opens sockets.

:func:`provider_client` gives a client whose base URL is the endpoint and which:

- trusts only the entry's CA bundle (not the system's CAs), checks the server's name, and
  speaks TLS 1.2 or later (:func:`tls_context`);
- presents the entry's client certificate chain and key. ``ssl`` loads those from files
  only: they are written to a new private folder (0700, files 0600, made with
  ``O_EXCL``), loaded, and removed at once, whatever happens;
- has timeouts (:class:`Timeouts`), reads no proxy or certificate setting from the
  environment, and follows no redirect: a redirect answer raises
  :class:`~hanoi.providers.errors.ProviderRedirected`, whatever the call asks;
- sends nothing to another origin than the endpoint's (a request elsewhere would carry the
  node's client certificate there): ``InvalidInput``;
- raises the typed errors of :mod:`hanoi.providers.errors` in place of httpx's transport
  errors: :class:`~hanoi.providers.errors.ProviderNotTrusted` (the server's certificate),
  :class:`~hanoi.providers.errors.ClientCertificateRefused` (the provider refused ours),
  :class:`~hanoi.providers.errors.ProviderUnreachable` (anything else, timeouts included).

An ``http://`` endpoint (a loopback address only, the sandbox's simulated providers) gets
a client without TLS.
"""

from __future__ import annotations

import os
import shutil
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from hanoi import __version__
from hanoi.errors import HanoiError, InvalidInput
from hanoi.providers.errors import (
    ClientCertificateRefused,
    ProviderNotTrusted,
    ProviderRedirected,
    ProviderUnreachable,
)
from hanoi.providers.model import Provider

REFUSED_BY_PEER = frozenset(
    {
        "TLSV13_ALERT_CERTIFICATE_REQUIRED",
        "SSLV3_ALERT_HANDSHAKE_FAILURE",
        "SSLV3_ALERT_BAD_CERTIFICATE",
        "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        "SSLV3_ALERT_CERTIFICATE_EXPIRED",
        "SSLV3_ALERT_CERTIFICATE_REVOKED",
        "TLSV1_ALERT_UNKNOWN_CA",
        "TLSV1_ALERT_ACCESS_DENIED",
        "TLSV1_ALERT_DECRYPT_ERROR",
    }
)
"""The TLS alerts with which a server refuses a client's certificate (OpenSSL's names)."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds: to connect (TCP and TLS), between two reads, for a write, for a pooled
    connection. An HI-1 answer is small and a provider answers at once, or says it will
    deliver later."""

    connect: float = 10.0
    read: float = 60.0
    write: float = 60.0
    pool: float = 10.0

    def as_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


DEFAULT_TIMEOUTS = Timeouts()


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(text)


def tls_context(
    *,
    ca_bundle: str,
    client_certificate_chain: str | None = None,
    client_private_key: str | None = None,
    scratch: Path | None = None,
) -> ssl.SSLContext:
    """A client context trusting ``ca_bundle`` only, presenting the client chain and key
    if given (both or neither). ``scratch``: where the private folder for loading them is
    made (default: the system's temporary folder)."""
    try:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=ca_bundle)
    except (ssl.SSLError, ValueError) as exc:
        raise InvalidInput(f"the CA bundle cannot be loaded: {exc}") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if client_certificate_chain is None and client_private_key is None:
        return context
    if client_certificate_chain is None or client_private_key is None:
        raise InvalidInput("a client certificate chain goes with its private key")
    folder = Path(tempfile.mkdtemp(prefix="hanoi-tls-", dir=scratch))  # mode 0700
    try:
        chain, key = folder / "chain.pem", folder / "key.pem"
        _write_private(chain, client_certificate_chain)
        _write_private(key, client_private_key)
        context.load_cert_chain(chain, key)
    except ssl.SSLError as exc:
        raise InvalidInput(
            f"the client certificate and key cannot be loaded: {exc.reason}"
        ) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return context


def provider_client(
    provider: Provider,
    *,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
    scratch: Path | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """A client of ``provider``'s HI-1 endpoint (see the module's docstring). ``transport``
    replaces the network (tests route it to an app in the same process); the rules on
    origin, redirects and errors apply to it too."""
    if transport is None:
        # An http:// endpoint (loopback, checked with the entry) makes no TLS. Never
        # ``verify=False``: a context that trusts no CA fails any https:// rather than
        # talk to it unverified.
        verify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if provider.uses_tls:
            credentials = provider.credentials
            if credentials is None:
                raise InvalidInput(f"the provider {provider.id!r} has no TLS credentials")
            verify = tls_context(
                ca_bundle=credentials.ca_bundle,
                client_certificate_chain=credentials.client_certificate_chain,
                client_private_key=credentials.client_private_key,
                scratch=scratch,
            )
        transport = httpx.HTTPTransport(verify=verify, retries=0)
    return client_for(provider.endpoint, transport, provider_id=provider.id, timeouts=timeouts)


def client_for(
    endpoint: str,
    transport: httpx.BaseTransport,
    *,
    provider_id: str,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
) -> httpx.Client:
    """A client of ``endpoint`` through ``transport`` under this module's rules; what
    :func:`provider_client` returns (the tests of TLS failures build their own contexts)."""
    return httpx.Client(
        base_url=endpoint,
        transport=_Guarded(transport, endpoint=endpoint, provider_id=provider_id),
        timeout=timeouts.as_httpx(),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": f"hanoi/{__version__}"},
    )


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"https": 443, "http": 80}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def translated(exc: httpx.TransportError, provider_id: str) -> HanoiError:
    """The typed error for a failed exchange with the provider."""
    who = f"the provider {provider_id!r}"
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return ProviderNotTrusted(
                f"{who} is not trusted: its server certificate failed verification "
                f"({cause.verify_message}); check the entry's CA bundle and endpoint host"
            )
        if isinstance(cause, ssl.SSLError) and cause.reason in REFUSED_BY_PEER:
            return ClientCertificateRefused(
                f"{who} refused the node's client certificate (TLS alert {cause.reason}); "
                "check the entry's client certificate with the provider"
            )
    if isinstance(exc, httpx.TimeoutException):
        return ProviderUnreachable(f"{who} did not answer in time ({type(exc).__name__})")
    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    return ProviderUnreachable(f"{who} could not be reached: {reason}")


class _Guarded(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, *, endpoint: str, provider_id: str) -> None:
        self._inner = inner
        self._origin = _origin(httpx.URL(endpoint))
        self._provider_id = provider_id

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if _origin(request.url) != self._origin:
            raise InvalidInput(
                f"a client of the provider {self._provider_id!r} sends nothing to "
                f"{request.url.scheme}://{request.url.host}"
            )
        try:
            response = self._inner.handle_request(request)
        except httpx.TransportError as exc:
            raise translated(exc, self._provider_id) from exc
        if response.has_redirect_location:
            response.close()
            raise ProviderRedirected(
                f"the provider {self._provider_id!r} answered {response.status_code} with a "
                "redirect; HI-1 requests are sent to the entry's endpoint only"
            )
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_GuardedStream(response.stream, self._provider_id),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


class _GuardedStream(httpx.SyncByteStream):
    def __init__(
        self, inner: httpx.SyncByteStream | httpx.AsyncByteStream, provider_id: str
    ) -> None:
        assert isinstance(inner, httpx.SyncByteStream)
        self._inner = inner
        self._provider_id = provider_id

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._inner
        except httpx.TransportError as exc:
            raise translated(exc, self._provider_id) from exc

    def close(self) -> None:
        self._inner.close()
