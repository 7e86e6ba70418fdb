"""HTTPS for the emulator's API (issue 13): HTTP/2 and HTTP/1.1 by ALPN, the emulator's CA.

Real TLS over loopback: Hypercorn serving an ASGI app, httpx (with h2) as the client.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scaleway_nats.local.https import HttpsServer
from scaleway_nats.local.tls import TlsFiles, ensure_tls
from tests.support.https import https_serving, loopback_listener


async def _echo_version(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers the HTTP version the server saw: what ALPN negotiated."""
    if scope["type"] != "http":
        return
    body = scope["http_version"].encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def tls(tmp_path: Path) -> TlsFiles:
    return ensure_tls(tmp_path / "tls")


@pytest.fixture
def server(tls: TlsFiles) -> Iterator[str]:
    with https_serving(_echo_version, tls) as url:
        yield url


def test_http2_is_negotiated_with_a_client_that_offers_it(server: str, tls: TlsFiles) -> None:
    context = ssl.create_default_context(cafile=str(tls.ca_file))
    with httpx.Client(verify=context, http2=True) as client:
        responses = [client.get(f"{server}/{index}") for index in range(3)]
    assert [r.http_version for r in responses] == ["HTTP/2"] * 3
    assert [r.text for r in responses] == ["2"] * 3


def test_http1_still_served_on_the_same_port(server: str, tls: TlsFiles) -> None:
    context = ssl.create_default_context(cafile=str(tls.ca_file))
    with httpx.Client(verify=context) as client:
        response = client.get(server)
    assert response.http_version == "HTTP/1.1"
    assert response.text == "1.1"


def test_certificate_comes_from_the_emulator_ca(server: str) -> None:
    with (
        httpx.Client(http2=True) as client,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.get(server)  # the system's CAs do not know the emulator's


def test_stop_closes_the_port(tls: TlsFiles) -> None:
    sock = loopback_listener()
    port = sock.getsockname()[1]
    https = HttpsServer(_echo_version, sock, tls)  # type: ignore[arg-type]
    https.start()
    https.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    https.stop()  # idempotent


def test_the_emulator_ca_passes_strict_x509_verification(server: str, tls: TlsFiles) -> None:
    """Python 3.13's default context verifies with VERIFY_X509_STRICT (RFC 5280), which
    refused the emulator's certificates: "Missing Authority Key Identifier" (every TLS
    connection of the emulator failed on 3.13). The same flag, set here, on every Python."""
    context = ssl.create_default_context(cafile=str(tls.ca_file))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    with httpx.Client(verify=context) as client:
        assert client.get(server).status_code == 200


def test_a_state_dir_with_certificates_of_an_earlier_version_gets_strict_ones(
    tmp_path: Path,
) -> None:
    """A kept state dir made before the certificates were strict is upgraded in place."""
    first = ensure_tls(tmp_path)
    server_cert = x509.load_pem_x509_certificate(first.cert_file.read_bytes())
    lenient = x509.CertificateBuilder(
        server_cert.issuer,
        server_cert.subject,
        server_cert.public_key(),
        server_cert.serial_number,
        server_cert.not_valid_before_utc,
        server_cert.not_valid_after_utc,
        [],
    )  # no extensions, as an earlier version's certificate had no key identifiers
    ca_key = serialization.load_pem_private_key((tmp_path / "ca-key.pem").read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    signed = lenient.sign(ca_key, hashes.SHA256())
    first.cert_file.write_bytes(signed.public_bytes(serialization.Encoding.PEM))

    again = ensure_tls(tmp_path)

    upgraded = x509.load_pem_x509_certificate(again.cert_file.read_bytes())
    identifier = upgraded.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert identifier.value.key_identifier is not None
