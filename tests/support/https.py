"""An ASGI app served over real TLS on loopback by the emulator's HTTPS server (Hypercorn)."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

from scaleway_nats.local.https import HttpsServer
from scaleway_nats.local.tls import TlsFiles


def loopback_listener() -> socket.socket:
    """A TCP socket listening on a free loopback port (IPPROTO_TCP, as the emulator's own)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


@contextlib.contextmanager
def https_serving(app: Any, tls: TlsFiles) -> Iterator[str]:
    """Serve `app` with `tls`'s certificate until the block ends; yields its https:// URL."""
    sock = loopback_listener()
    server = HttpsServer(app, sock, tls)
    server.start()
    try:
        yield f"https://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.stop()
