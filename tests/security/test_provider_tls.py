"""The HI-1 client of a provider over real mutual TLS on loopback: a CA, a server and a client
certificate made in the test, and an HTTPS server (``ssl`` over ``http.server``) that
requires a client certificate of the node's client CA.

A call works with the entry's credentials, and fails with a typed error that says what to
check with a wrong CA bundle, without a client certificate, or with one the provider does
not know; no redirect is followed, nothing goes to another origin, and the key's files do
not outlive the context built from them."""

from __future__ import annotations

import os
import ssl
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hanoi.errors import InvalidInput
from hanoi.providers.errors import (
    ClientCertificateRefused,
    ProviderNotTrusted,
    ProviderRedirected,
    ProviderUnreachable,
)
from hanoi.providers.model import Provider, new_provider
from hanoi.providers.transport import Timeouts, client_for, provider_client, tls_context
from support_providers import NOW, Pki, issue, make_ca, make_pki, tls_endpoint


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture(scope="module")
def endpoint(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with tls_endpoint(pki, tmp_path_factory.mktemp("provider")) as url:
        yield url


def entry(pki: Pki, endpoint: str, **changes: str) -> Provider:
    fields = pki.fields(endpoint=f"{endpoint}/hi1", **changes)
    return new_provider("vnm-telecom", fields, by="admin", now=NOW).provider


def test_a_call_with_the_entrys_credentials_works(pki: Pki, endpoint: str) -> None:
    with provider_client(entry(pki, endpoint)) as client:
        answer = client.post("/messages", json={"x": 1})
    assert answer.status_code == 200
    assert answer.json() == {"path": "/hi1/messages", "client": "hanoi-node-vnm"}


def test_a_server_certificate_of_another_ca_is_not_trusted(pki: Pki, endpoint: str) -> None:
    other = make_ca("Some Other Root")
    provider = entry(pki, endpoint, ca_bundle=other.pem)
    with provider_client(provider) as client, pytest.raises(ProviderNotTrusted) as caught:
        client.get("/ping")
    assert "vnm-telecom" in caught.value.detail
    assert "CA bundle" in caught.value.detail
    assert caught.value.title == "Provider not trusted"


def test_the_systems_cas_are_not_trusted_either(pki: Pki, endpoint: str) -> None:
    """Only the entry's bundle counts: a context built from it knows no other CA."""
    context = tls_context(ca_bundle=pki.server_ca.pem)
    assert len(context.get_ca_certs()) == 1
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.minimum_version is ssl.TLSVersion.TLSv1_2


def test_without_a_client_certificate_the_provider_refuses(pki: Pki, endpoint: str) -> None:
    context = tls_context(ca_bundle=pki.server_ca.pem)
    transport = httpx.HTTPTransport(verify=context, retries=0)
    with (
        client_for(endpoint, transport, provider_id="vnm-telecom") as client,
        pytest.raises(ClientCertificateRefused) as caught,
    ):
        client.get("/ping")
    assert "refused the node's client certificate" in caught.value.detail


def test_a_client_certificate_the_provider_does_not_know_is_refused(
    pki: Pki, endpoint: str
) -> None:
    stranger = issue(make_ca("Unknown Client CA"), "hanoi-node-vnm")
    provider = entry(
        pki, endpoint, client_certificate_chain=stranger.pem, client_private_key=stranger.key_pem
    )
    with provider_client(provider) as client, pytest.raises(ClientCertificateRefused):
        client.get("/ping")


def test_no_redirect_is_followed_even_when_asked(pki: Pki, endpoint: str) -> None:
    with provider_client(entry(pki, endpoint)) as client:
        with pytest.raises(ProviderRedirected, match="answered 302"):
            client.get("/redirect")
        with pytest.raises(ProviderRedirected):
            client.get("/redirect", follow_redirects=True)


def test_nothing_is_sent_to_another_origin(pki: Pki, endpoint: str) -> None:
    with provider_client(entry(pki, endpoint)) as client, pytest.raises(InvalidInput):
        client.get("https://attacker.example/steal")


def test_a_closed_port_and_a_silent_server_are_unreachable(pki: Pki, tmp_path: Path) -> None:
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts TCP, never speaks TLS
        port = silent.getsockname()[1]
        provider = entry(pki, f"https://127.0.0.1:{port}")
        quick = Timeouts(connect=0.5, read=0.5, write=0.5, pool=0.5)
        with (
            provider_client(provider, timeouts=quick) as client,
            pytest.raises(ProviderUnreachable, match="did not answer in time"),
        ):
            client.get("/ping")
    with (
        provider_client(provider, timeouts=quick) as client,
        pytest.raises(ProviderUnreachable, match="could not be reached"),
    ):
        client.get("/ping")


def test_the_key_files_are_private_and_gone_once_loaded(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[Path, int, int]] = []
    real = ssl.SSLContext.load_cert_chain

    def spy(self: ssl.SSLContext, certfile: Path, keyfile: Path) -> None:
        folder = Path(keyfile).parent
        seen.append(
            (folder, stat.S_IMODE(folder.stat().st_mode), stat.S_IMODE(os.stat(keyfile).st_mode))
        )
        real(self, certfile, keyfile)

    monkeypatch.setattr(ssl.SSLContext, "load_cert_chain", spy)
    scratch = Path(tempfile.mkdtemp(dir=tmp_path))
    tls_context(
        ca_bundle=pki.server_ca.pem,
        client_certificate_chain=pki.client.pem,
        client_private_key=pki.client.key_pem,
        scratch=scratch,
    )
    ((folder, folder_mode, key_mode),) = seen
    assert folder.parent == scratch
    assert (folder_mode, key_mode) == (0o700, 0o600)
    assert not folder.exists()
    assert list(scratch.iterdir()) == []


def test_a_key_that_fails_to_load_leaves_nothing_behind(pki: Pki, tmp_path: Path) -> None:
    other = issue(pki.client_ca, "other")
    with pytest.raises(InvalidInput, match="cannot be loaded"):
        tls_context(
            ca_bundle=pki.server_ca.pem,
            client_certificate_chain=pki.client.pem,
            client_private_key=other.key_pem,
            scratch=tmp_path,
        )
    assert list(tmp_path.iterdir()) == []


def test_a_loopback_http_entry_gets_a_client_without_tls() -> None:
    fields = make_pki().fields(endpoint="http://127.0.0.1:9/hi1")
    provider = new_provider("sim", fields, by="admin", now=NOW).provider
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"ok": True})

    with provider_client(provider, transport=httpx.MockTransport(answer)) as client:
        assert client.get("/ping").json() == {"ok": True}
    assert seen == ["http://127.0.0.1:9/hi1/ping"]
