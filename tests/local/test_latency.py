"""The delaying loopback proxy (scaleway_nats.local.latency), over real sockets.

No upper bound on time anywhere: a delay is shown present by a generous lower bound on wall
time, and overlap by the proxy's counters (chunks delayed at the same moment).
"""

from __future__ import annotations

import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from scaleway_nats.local.latency import MAX_LATENCY_MS, LatencyProxy
from tests.support.serve import serving

TIMEOUT = 30.0  # seconds for any socket wait: a broken proxy fails, never hangs


class _Echo(socketserver.BaseRequestHandler):
    """Sends back every byte it reads, until the client closes its side."""

    def handle(self) -> None:
        self.request.settimeout(TIMEOUT)
        while chunk := self.request.recv(65536):
            self.server.received.append(chunk)  # type: ignore[attr-defined]
            self.request.sendall(chunk)


class _EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Echo)
        self.received: list[bytes] = []


@pytest.fixture
def echo() -> Iterator[tuple[str, int]]:
    server = _EchoServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[0], server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


def _connect(proxy: LatencyProxy) -> socket.socket:
    sock = socket.create_connection((proxy.host, proxy.port), timeout=TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _receive(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def test_round_trip_pays_the_delay_both_ways_and_the_handshake(echo: tuple[str, int]) -> None:
    delay = 0.1
    with LatencyProxy(echo, latency_ms=delay * 1000) as proxy:
        started = time.perf_counter()
        with _connect(proxy) as sock:
            sock.sendall(b"ping")
            assert _receive(sock, 4) == b"ping"
            first = time.perf_counter() - started
            started = time.perf_counter()
            sock.sendall(b"pong")
            assert _receive(sock, 4) == b"pong"
            second = time.perf_counter() - started
        print(f"first round trip {first * 1000:.0f} ms, second {second * 1000:.0f} ms")
    # Lower bounds only: the first exchange pays the TCP handshake's round trip too.
    assert first >= 4 * delay * 0.95
    assert second >= 2 * delay * 0.95
    assert proxy.stats.connections == 1
    assert proxy.stats.chunks >= 4
    assert proxy.stats.bytes == 16


def test_concurrent_connections_are_delayed_at_the_same_time(echo: tuple[str, int]) -> None:
    """Five connections send at once: their chunks wait out their delays together (a proxy
    that slept per chunk in turn would show one at a time)."""
    with LatencyProxy(echo, latency_ms=300) as proxy:
        sockets = [_connect(proxy) for _ in range(5)]
        try:
            for index, sock in enumerate(sockets):
                sock.sendall(b"request-%d" % index)
            for index, sock in enumerate(sockets):
                assert _receive(sock, 9) == b"request-%d" % index
        finally:
            for sock in sockets:
                sock.close()
    assert proxy.stats.connections == 5
    assert proxy.stats.delayed_at_once >= 2
    assert proxy.stats.delayed_now == 0


def test_a_large_stream_arrives_whole_and_in_order(echo: tuple[str, int]) -> None:
    payload = os.urandom(3 * 1024 * 1024)  # many chunks, more than the per-direction queue
    with LatencyProxy(echo, latency_ms=5) as proxy, _connect(proxy) as sock:
        sender = threading.Thread(target=sock.sendall, args=(payload,))
        sender.start()
        received = _receive(sock, len(payload))
        sender.join(TIMEOUT)
    assert received == payload
    assert proxy.stats.bytes == 2 * len(payload)


def test_end_of_stream_is_forwarded(echo: tuple[str, int]) -> None:
    with LatencyProxy(echo, latency_ms=20) as proxy, _connect(proxy) as sock:
        sock.sendall(b"last words")
        sock.shutdown(socket.SHUT_WR)  # the echo server ends when it reads the end
        assert _receive(sock, 100) == b"last words"  # then the proxy forwards its close


def test_zero_latency_forwards_at_once(echo: tuple[str, int]) -> None:
    with LatencyProxy(echo, latency_ms=0) as proxy, _connect(proxy) as sock:
        sock.sendall(b"x")
        assert _receive(sock, 1) == b"x"


def test_stop_closes_open_connections_and_the_listener(echo: tuple[str, int]) -> None:
    proxy = LatencyProxy(echo, latency_ms=10).start()
    sock = _connect(proxy)
    sock.sendall(b"hello")
    assert _receive(sock, 5) == b"hello"
    proxy.stop()
    try:
        assert sock.recv(10) == b""  # closed by the proxy, not left hanging
    except ConnectionResetError:
        pass
    finally:
        sock.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((proxy.host, proxy.port), timeout=2).close()
    proxy.stop()  # idempotent


def test_unreachable_target_closes_the_client(echo: tuple[str, int]) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        dead_port = free.getsockname()[1]
    with LatencyProxy(("127.0.0.1", dead_port), latency_ms=1) as proxy, _connect(proxy) as sock:
        sock.sendall(b"anyone?")
        assert _receive(sock, 10) == b""
    assert proxy.stats.connections == 0


@pytest.mark.parametrize("latency_ms", [-1, MAX_LATENCY_MS + 1, float("nan")])
def test_latency_out_of_bounds_is_refused(latency_ms: float) -> None:
    with pytest.raises(ValueError, match=r"latency_ms must be between 0 and 1000"):
        LatencyProxy(("127.0.0.1", 1), latency_ms=latency_ms)


@pytest.mark.parametrize(
    ("argument", "kwargs"),
    [
        ("target", {"target": ("10.0.0.1", 443)}),
        ("target", {"target": ("api.scaleway.com", 443)}),
        ("host", {"host": "0.0.0.0"}),  # noqa: S104 (the address refused)
    ],
)
def test_only_loopback_is_accepted(argument: str, kwargs: dict[str, object]) -> None:
    arguments: dict[str, object] = {"target": ("127.0.0.1", 1), "latency_ms": 1, **kwargs}
    with pytest.raises(ValueError, match=rf"^{argument} must be a loopback address"):
        LatencyProxy(**arguments)  # type: ignore[arg-type]


def test_command_line_prints_its_port_and_forwards(echo: tuple[str, int]) -> None:
    command = [sys.executable, "-m", "scaleway_nats.local.latency"]
    command += ["--target", f"{echo[0]}:{echo[1]}", "--latency-ms", "5"]
    with serving(command, timeout=TIMEOUT) as started:
        process, info = started.proc, started.info
        try:
            with socket.create_connection((info["host"], info["port"]), timeout=TIMEOUT) as sock:
                sock.sendall(b"via the cli")
                assert _receive(sock, 11) == b"via the cli"
        finally:
            process.terminate()
            assert process.wait(TIMEOUT) == 0


def test_command_line_refuses_a_remote_target() -> None:
    command = [sys.executable, "-m", "scaleway_nats.local.latency"]
    command += ["--target", "192.0.2.1:443", "--latency-ms", "5"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 2
    assert "target must be a loopback address" in done.stderr
