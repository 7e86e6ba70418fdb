"""Sending one attempt and running calls side by side: the only code written per flavour.

The client logic is written once, as async code (`_async/`); scripts/unasync.py turns it into
`_sync/`, replacing `AsyncBackend` by `SyncBackend`. What cannot be written once lives here:
- bounding an attempt's wall-clock time: asyncio cancels it; threads cannot be cancelled, so
  the sync client's sockets are bounded instead (_deadline.py);
- running page fetches concurrently: asyncio.gather under a semaphore; a thread pool.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import ssl
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import attrs
import httpx

from ._deadline import BoundedStream, bounded, deadline_transport
from .retry import Clock

__all__ = [
    "AsyncBackend",
    "AsyncCreatesApart",
    "AsyncHttpClients",
    "CreatesApart",
    "HttpClients",
    "Limit",
    "SyncBackend",
]

A = TypeVar("A")
R = TypeVar("R")

Request = dict[str, Any]  # keyword arguments of httpx.Client.request (method, url, params, json)


@attrs.frozen
class Limit:
    """When one attempt must end, and what set that time (for the error message)."""

    at: float  # a clock.monotonic() value; math.inf when unbounded
    reason: str
    clock: Clock = attrs.field(eq=False, repr=False)

    def left(self) -> float:
        return self.at - self.clock.monotonic()

    def expired(self, error: type[httpx.TimeoutException], when: str) -> httpx.TimeoutException:
        return error(f"{when} {self.reason}")


# Why creates travel apart, over HTTP/1.1: an HTTP/2 server recycles a connection (after
# 1,000 requests for nginx and Hypercorn) with a GOAWAY frame, and httpcore and h2 then fail
# every request still in flight on it, although the server processed those at or below
# the frame's last_stream_id (h2 closes the connection state on GOAWAY: python-hyper/h2
# #1181; encode/httpcore #1041, #1054). A lost GET, rename or delete is simply resent; a lost
# create with a name the caller chose cannot be told from another client's namesake, so it
# would raise AmbiguousCreateError. HTTP/1.1 carries one request at a time per connection
# and a server ends it with `Connection: close` on an answer: a recycle loses nothing there.
# Sequential creates cost the same over both (README, Performance).
CREATE_METHOD = "POST"


class AsyncCreatesApart(httpx.AsyncBaseTransport):
    """Creates (POST, not idempotent) over `serial` (HTTP/1.1), the rest over `multiplexed`."""

    def __init__(
        self, multiplexed: httpx.AsyncBaseTransport, serial: httpx.AsyncBaseTransport
    ) -> None:
        self._multiplexed = multiplexed
        self._serial = serial

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        chosen = self._serial if request.method == CREATE_METHOD else self._multiplexed
        return await chosen.handle_async_request(request)

    async def aclose(self) -> None:
        await self._multiplexed.aclose()
        await self._serial.aclose()


class CreatesApart(httpx.BaseTransport):
    """Creates (POST, not idempotent) over `serial` (HTTP/1.1), the rest over `multiplexed`."""

    def __init__(self, multiplexed: httpx.BaseTransport, serial: httpx.BaseTransport) -> None:
        self._multiplexed = multiplexed
        self._serial = serial

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        chosen = self._serial if request.method == CREATE_METHOD else self._multiplexed
        return chosen.handle_request(request)

    def close(self) -> None:
        self._multiplexed.close()
        self._serial.close()


class AsyncBackend:
    """asyncio: an attempt is cancelled at its limit; `gather` runs up to `window` at once."""

    def __init__(self, window: int) -> None:
        self._window = window

    @staticmethod
    def default_transport(
        verify: ssl.SSLContext | str | bool, http2: bool
    ) -> httpx.AsyncBaseTransport | None:
        if not http2:
            return None  # httpx's own: asyncio cancels an attempt wherever it is
        return AsyncCreatesApart(
            httpx.AsyncHTTPTransport(verify=verify, http2=True),
            httpx.AsyncHTTPTransport(verify=verify, http2=False),
        )

    async def send(
        self, client: httpx.AsyncClient, request: Request, limit: Limit
    ) -> httpx.Response:
        """Send `request`; raise httpx.TimeoutException once `limit` passes, in flight too."""
        left = limit.left()
        if left == math.inf:
            return await client.request(**request)
        if left <= 0:
            raise limit.expired(httpx.ConnectTimeout, "not sent: past")
        try:
            async with asyncio.timeout(left):  # no task per request, unlike wait_for (-30 µs)
                return await client.request(**request, timeout=left)
        except TimeoutError:
            # Cancelled wherever it was, connecting or reading: it may have been sent.
            raise limit.expired(httpx.ReadTimeout, "cut at") from None

    async def gather(self, call: Callable[[A], Awaitable[R]], args: Sequence[A]) -> list[R]:
        """`call` on each of `args`, at most `window` at a time; results in order."""
        if len(args) <= 1:
            return [await call(arg) for arg in args]
        slots = asyncio.Semaphore(self._window)  # per call: a semaphore binds to one loop

        async def bounded_call(arg: A) -> R:
            async with slots:
                return await call(arg)

        return list(await asyncio.gather(*(bounded_call(arg) for arg in args)))

    def close(self) -> None:
        pass


class AsyncHttpClients:
    """One httpx.AsyncClient per event loop, made by `make` when a loop first sends.

    A pooled connection belongs to the loop that opened it: reused from a second
    `asyncio.run()` it raised a bare `RuntimeError: Event loop is closed`. Clients of closed
    loops are dropped (nothing can close their sockets from another loop; asyncio closes them
    as they are collected). Once `aclose()` ran, every loop gets the closed client: httpx then
    refuses to send, as it did before.
    """

    def __init__(self, make: Callable[[], httpx.AsyncClient]) -> None:
        self._make = make
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}
        self._closed: httpx.AsyncClient | None = None
        self._lock = threading.Lock()  # loops may run in several threads

    def current(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is not None:
            return client
        with self._lock:
            if self._closed is not None:
                return self._closed
            for stale in [other for other in self._clients if other.is_closed()]:
                del self._clients[stale]
            client = self._clients.get(loop)  # another thread's loop may have added it
            if client is None:
                client = self._clients[loop] = self._make()
            return client

    async def aclose(self) -> None:
        """Close this loop's client and drop the others: their connections can only be
        closed from their own loops (asyncio closes the sockets as they are collected)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            clients, self._clients = self._clients, {}
            closing = self._closed = clients.get(loop) or self._closed or self._make()
        await closing.aclose()


class HttpClients:
    """The sync client's one httpx.Client, shared by its threads (no loop to follow)."""

    def __init__(self, make: Callable[[], httpx.Client]) -> None:
        self._client = make()

    def current(self) -> httpx.Client:
        return self._client

    def close(self) -> None:
        self._client.close()


class SyncBackend:
    """Threads: an attempt's sockets are bounded by its limit; `gather` uses a thread pool."""

    def __init__(self, window: int) -> None:
        self._window = window
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @staticmethod
    def default_transport(verify: ssl.SSLContext | str | bool, http2: bool) -> httpx.BaseTransport:
        # Sockets bounded by each attempt's time limit: threads cannot be cancelled.
        if not http2:
            return deadline_transport(verify, False)
        return CreatesApart(deadline_transport(verify, True), deadline_transport(verify, False))

    def send(self, client: httpx.Client, request: Request, limit: Limit) -> httpx.Response:
        """Send `request`; raise httpx.TimeoutException once `limit` passes, in flight too."""
        left = limit.left()
        if left == math.inf:
            return client.request(**request)
        if left <= 0:
            raise limit.expired(httpx.ConnectTimeout, "not sent: past")
        try:
            with bounded(limit.at):
                response = client.send(client.build_request(**request, timeout=left), stream=True)
                try:
                    assert isinstance(response.stream, httpx.SyncByteStream)
                    response.stream = BoundedStream(response.stream, limit.at)
                    response.read()
                finally:
                    response.close()
            return response
        except httpx.TimeoutException as error:
            if limit.left() > 0:
                raise
            raise limit.expired(type(error), "cut at") from error

    def gather(self, call: Callable[[A], R], args: Sequence[A]) -> list[R]:
        """`call` on each of `args`, at most `window` at a time; results in order."""
        if len(args) <= 1:
            return [call(arg) for arg in args]
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._window, "scaleway-nats")
            pool = self._pool
        # Each in a copy of this context: the call's deadline (a ContextVar) goes along.
        futures = [pool.submit(contextvars.copy_context().run, call, arg) for arg in args]
        return [future.result() for future in futures]

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
