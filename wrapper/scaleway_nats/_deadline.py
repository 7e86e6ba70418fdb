"""Wall-clock bounds on one HTTP attempt, for the sync client.

httpx's timeouts bound each socket operation, not a request: a server sending one byte per
second never trips a read timeout. The async client cancels the attempt at its limit
(asyncio.timeout); threads cannot be cancelled, so the sync client's sockets are wrapped:
every read, write and connect is given at most the time left before the limit the client set
for this thread, and fails once it has passed. `BoundedStream` does the same between body
chunks for transports that are not sockets (e.g. httpx.MockTransport).
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

__all__ = ["BoundedStream", "bounded", "deadline_transport"]

_local = threading.local()  # .limit: time.monotonic() value after which I/O fails


@contextlib.contextmanager
def bounded(limit: float) -> Iterator[None]:
    """Bound the socket I/O of this thread until `limit` (a time.monotonic() value)."""
    previous = getattr(_local, "limit", None)
    _local.limit = limit
    try:
        yield
    finally:
        _local.limit = previous


def _time_left(timeout: float | None, error: type[Exception]) -> float | None:
    limit: float | None = getattr(_local, "limit", None)
    if limit is None:
        return timeout
    left = limit - time.monotonic()
    if left <= 0:
        raise error("the call's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, left, local_address, socket_options))

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def deadline_transport(
    verify: ssl.SSLContext | str | bool, http2: bool = False
) -> httpx.HTTPTransport:
    """httpx's own transport, its sockets bounded by `bounded()`.

    httpx takes no network backend argument, so the one of its fresh, still unused pool
    is replaced (httpcore's NetworkBackend is public API; the attribute is not).
    tests/unit/test_deadline.py fails if this stops taking effect.
    """
    transport = httpx.HTTPTransport(verify=verify, http2=http2)
    transport._pool._network_backend = _Backend()
    return transport


class BoundedStream(httpx.SyncByteStream):
    """A response body that fails once `limit` has passed between two chunks."""

    def __init__(self, inner: httpx.SyncByteStream, limit: float) -> None:
        self._inner = inner
        self._limit = limit

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if time.monotonic() > self._limit:
                raise httpx.ReadTimeout("the call's deadline passed")
            yield chunk

    def close(self) -> None:
        self._inner.close()
