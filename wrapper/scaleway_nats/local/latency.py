"""A delaying TCP proxy on loopback: a real network's round trip, reproduced locally.

``LatencyProxy(("127.0.0.1", port), latency_ms=20)`` listens on a loopback port and forwards
every byte to the target after ``latency_ms`` in each direction (a round trip costs twice
that). The delay applies per chunk as it arrives, on a timeline per direction, so:

- connection set-up pays it: the first client bytes are held one extra round trip (the TCP
  handshake a real network makes ``connect()`` wait for), and a TLS handshake pays one round
  trip per flight, as on the wire;
- concurrent requests overlap: connections are independent and a chunk never waits for the
  previous one's delay, only for its own (order within a direction is kept);
- nothing is held back longer than that: no bandwidth model, no loss, no jitter.

Bounded: the latency is at most ``MAX_LATENCY_MS``, connections at most ``MAX_CONNECTIONS``
(beyond, new ones are closed at once), each direction buffers at most ``QUEUE_CHUNKS`` chunks
of ``CHUNK_BYTES`` (then stops reading: TCP back-pressure), and ``stop()`` waits at most
``STOP_TIMEOUT``. Loopback only, both the listening side and the target: it is a test and
benchmark tool, never a relay. No library was used: the Python ones found (e.g. toxiproxy
clients) drive a separate Go server; this is one asyncio loop in a thread, like the API.

``python -m scaleway_nats.local.latency --target 127.0.0.1:8080 --latency-ms 20`` runs one in
the foreground and prints one JSON line (``{"host": ..., "port": ...}``) once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence

from ..facts import is_loopback
from .lifecycle import Startable

MAX_LATENCY_MS = 1000.0  # one way: 2 s round trips, far beyond any API worth emulating
MAX_CONNECTIONS = 512
CHUNK_BYTES = 64 * 1024
QUEUE_CHUNKS = 64  # per direction: at most 4 MiB in flight, then back-pressure
START_TIMEOUT = 10.0  # seconds
STOP_TIMEOUT = 10.0  # seconds
CONNECT_TIMEOUT = 10.0  # seconds to reach the target


def _require_loopback(argument: str, host: str) -> None:
    if not is_loopback(host):
        raise ValueError(
            f"{argument} must be a loopback address (127.0.0.0/8, ::1 or localhost), got {host!r}"
        )


@dataclasses.dataclass
class ProxyStats:
    """What the proxy did: counters tests and benchmarks read (never timings)."""

    connections: int = 0  # accepted and forwarded
    refused: int = 0  # closed at once: MAX_CONNECTIONS were open
    chunks: int = 0  # chunks delayed, both directions
    bytes: int = 0
    delayed_now: int = 0  # chunks waiting for their delay right now, all connections
    delayed_at_once: int = 0  # the peak of delayed_now: > 1 means delays overlapped


Address = tuple[str, int]


class LatencyProxy(Startable):
    """A loopback TCP proxy adding ``latency_ms`` one way, per chunk (see the module doc).

    ``target`` is one address, or a function giving the candidates for each new connection,
    tried in turn (a cluster's endpoint: its live nodes first, see ``cluster.py``).
    """

    def __init__(
        self,
        target: Address | Callable[[], Sequence[Address]],
        latency_ms: float,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not 0.0 <= latency_ms <= MAX_LATENCY_MS:
            raise ValueError(
                f"latency_ms must be between 0 and {MAX_LATENCY_MS:.0f} (one way), got {latency_ms}"
            )
        if not callable(target):
            _require_loopback("target", target[0])
        _require_loopback("host", host)
        self.target = target
        self.latency_ms = latency_ms
        self.host = host
        self.port = port
        self.stats = ProxyStats()
        self._delay = latency_ms / 1000
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        target = "nodes" if callable(self.target) else f"{self.target[0]}:{self.target[1]}"
        return f"LatencyProxy({self.host}:{self.port} -> {target}, latency_ms={self.latency_ms})"

    def _candidates(self) -> Sequence[Address]:
        if not callable(self.target):
            return [self.target]
        candidates = self.target()
        for host, _ in candidates:
            _require_loopback("target", host)
        return candidates

    # -- lifecycle (from any thread) ---------------------------------------------------------

    def start(self) -> LatencyProxy:
        """Listen (in a background thread) and return once connections are accepted."""
        if self._thread is not None:
            return self
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only when the listener
        # names TCP (see emulator.py); a proxy adding Nagle's 40 ms would fake the latency.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(sock, ready), name="latency-proxy", daemon=True
        )
        self._thread.start()
        if not ready.wait(START_TIMEOUT):
            self.stop()
            raise RuntimeError("the latency proxy did not start")
        return self

    def stop(self) -> None:
        """Close the listener and every connection; idempotent, waits at most STOP_TIMEOUT."""
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stopping.set)
        if thread is not None:
            thread.join(STOP_TIMEOUT)
        self._thread = None

    # -- the event loop thread ---------------------------------------------------------------

    def _run(self, sock: socket.socket, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._serve(sock, ready))
        finally:
            loop.close()

    async def _serve(self, sock: socket.socket, ready: threading.Event) -> None:
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(self._accept, sock=sock)
        ready.set()
        try:
            await self._stopping.wait()
        finally:
            server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 1.0)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        if len(self._tasks) >= MAX_CONNECTIONS:
            self.stats.refused += 1
            writer.close()
            return
        self._tasks.add(task)
        try:
            await self._connection(reader, writer)
        except asyncio.CancelledError:
            # stop() cancels open connections (closed in _connection); ending normally keeps
            # asyncio's stream callback from logging the cancellation as an error.
            pass
        finally:
            self._tasks.discard(task)

    async def _connection(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        loop = asyncio.get_running_loop()
        # A real connect() returns after one round trip (SYN, SYN-ACK): the client's first
        # bytes leave then, so they may not arrive before accept + 2 delays + 1 delay.
        handshake_done = loop.time() + 2 * self._delay
        for target in self._candidates():
            try:
                upstream_reader, upstream_writer = await asyncio.wait_for(
                    asyncio.open_connection(*target), CONNECT_TIMEOUT
                )
                break
            except (TimeoutError, OSError):
                continue
        else:  # nothing to reach: the client sees the connection closed, as with a dead host
            client_writer.close()
            return
        self.stats.connections += 1
        for writer in (client_writer, upstream_writer):
            _set_nodelay(writer)
        directions = [
            asyncio.ensure_future(self._direction(client_reader, upstream_writer, handshake_done)),
            asyncio.ensure_future(self._direction(upstream_reader, client_writer, 0.0)),
        ]
        try:  # until both ends closed, or one direction failed (a reset peer)
            await asyncio.wait(directions, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for task in directions:
                task.cancel()
            await asyncio.gather(*directions, return_exceptions=True)
            for writer in (client_writer, upstream_writer):
                writer.close()

    async def _direction(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, not_before: float
    ) -> None:
        """Forward one direction: each chunk leaves `delay` after it arrived, in order."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(QUEUE_CHUNKS)

        async def receive() -> None:
            while True:
                try:
                    chunk = await reader.read(CHUNK_BYTES)
                except OSError:  # a reset: forwarded as the end of the stream
                    chunk = b""
                due = max(loop.time(), not_before) + self._delay
                await queue.put((due, chunk))
                if not chunk:  # end of stream, forwarded after the same delay
                    return
                self._delaying(+1)  # no await since put(): send() cannot see it uncounted

        async def send() -> None:
            while True:
                due, chunk = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not chunk:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                self._delaying(-1)
                self.stats.chunks += 1
                self.stats.bytes += len(chunk)
                writer.write(chunk)
                await writer.drain()

        receiving = asyncio.ensure_future(receive())
        try:
            await send()
        finally:
            receiving.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await receiving
            while not queue.empty():  # chunks dropped by a reset are no longer delayed
                if queue.get_nowait()[1]:
                    self._delaying(-1)

    def _delaying(self, change: int) -> None:
        self.stats.delayed_now += change
        self.stats.delayed_at_once = max(self.stats.delayed_at_once, self.stats.delayed_now)


def _set_nodelay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _target(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"--target must be HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scaleway_nats.local.latency",
        description="Forward a loopback port to another, adding a one-way delay per chunk.",
    )
    parser.add_argument("--target", type=_target, required=True, help="HOST:PORT (loopback)")
    parser.add_argument("--latency-ms", type=float, required=True, help="one way, per direction")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)
    try:
        proxy = LatencyProxy(args.target, args.latency_ms, host=args.host, port=args.port)
    except ValueError as error:
        parser.error(str(error))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with proxy:
        print(json.dumps({"host": proxy.host, "port": proxy.port}), flush=True)
        while not stop.wait(1.0):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
