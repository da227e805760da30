"""Certificates for provider entries, made with ``cryptography`` in the test: a CA, a server
certificate for a loopback address, client certificates and their keys, as PEM; and a
provider's HTTPS server on loopback that requires a client certificate (``ssl``-wrapped
``http.server``), answering with the subject of the certificate it was shown."""

from __future__ import annotations

import http.server
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hanoi.providers.model import ProviderFields

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: CertificateIssuerPrivateKeyTypes

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def key_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Hanoi tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_ca(common_name: str = "Test Root CA", *, start: datetime = NOW) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - timedelta(days=1))
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(certificate, key)


def issue(
    ca: Issued,
    common_name: str,
    *,
    server: bool = False,
    start: datetime = NOW,
    days: int = 365,
    rsa_bits: int | None = None,
) -> Issued:
    """A leaf signed by ``ca``: a server certificate for 127.0.0.1 and localhost, or a
    client certificate. EC P-256 unless ``rsa_bits``."""
    key: CertificateIssuerPrivateKeyTypes = (
        rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
        if rsa_bits
        else ec.generate_private_key(ec.SECP256R1())
    )
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - timedelta(days=1))
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Pki:
    """The provider's server CA and certificate, and the node's client CA and certificate."""

    server_ca: Issued
    server: Issued
    client_ca: Issued
    client: Issued

    def fields(
        self, endpoint: str = "https://127.0.0.1:8443/hi1", **changes: str
    ) -> ProviderFields:
        values = {
            "name": "Viet Nam Telecom",
            "endpoint": endpoint,
            "country_code": "VN",
            "unique_identifier": "vnm-telecom-hi1",
            "client_certificate_chain": self.client.pem,
            "client_private_key": self.client.key_pem,
            "ca_bundle": self.server_ca.pem,
            **changes,
        }
        return ProviderFields(**values)


def make_pki(*, start: datetime = NOW) -> Pki:
    server_ca = make_ca("Provider Root CA", start=start)
    client_ca = make_ca("Node Client CA", start=start)
    return Pki(
        server_ca=server_ca,
        server=issue(server_ca, "127.0.0.1", server=True, start=start),
        client_ca=client_ca,
        client=issue(client_ca, "hanoi-node-vnm", start=start),
    )


# --- a provider's HTTPS endpoint that requires a client certificate ------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        if self.path.endswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "https://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        peer = self.connection.getpeercert()  # type: ignore[attr-defined]
        subject = dict(pair[0] for pair in peer["subject"]) if peer else {}
        body = json.dumps({"path": self.path, "client": subject.get("commonName")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return  # refused handshakes are what some tests are about


@contextmanager
def tls_endpoint(pki: Pki, folder: Path, *, require_client: bool = True) -> Iterator[str]:
    """An HTTPS server on a free loopback port presenting ``pki.server`` and requiring a
    client certificate issued by ``pki.client_ca``; its base URL."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "server.pem").write_text(pki.server.pem + pki.server_ca.pem)
    (folder / "server.key").write_text(pki.server.key_pem)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cadata=pki.client_ca.pem)
    context.load_cert_chain(folder / "server.pem", folder / "server.key")
    context.verify_mode = ssl.CERT_REQUIRED if require_client else ssl.CERT_NONE
    server = _Server(("127.0.0.1", 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, name="tls-endpoint", daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
