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

__all__ = ["BoundedStream", "DeadlineTransport", "bounded", "deadline_transport"]

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


# httpcore's errors and httpx's for them, most specific first (as httpx's own transport maps
# them: the client's retry rules read httpx's classes, and keep the httpcore error as cause).
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        for source, target in _ERRORS:
            if isinstance(error, source):
                raise target(str(error)) from error
        raise


class _Body(httpx.SyncByteStream):
    """httpcore's response body, its errors raised as httpx's."""

    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors():
            yield from self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class DeadlineTransport(httpx.BaseTransport):
    """An httpx transport on httpcore's connection pool, its sockets bounded by `bounded()`.

    Built from public parts (httpx's transport interface, httpcore's pool and its
    `network_backend=`), so no private attribute is reached into; it does what
    httpx.HTTPTransport does for a request, without proxies (httpx mounts those from the
    environment apart). tests/unit/test_deadline.py fails if the bound stops taking effect.
    """

    def __init__(self, verify: ssl.SSLContext | str | bool, http2: bool = False) -> None:
        limits = _HTTPX_LIMITS
        # One stream opened at a time on a shared HTTP/2 connection (see _OpeningStreams).
        self._opening = _OpeningStreams() if http2 else None
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=http2,
            network_backend=_Backend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        extensions = request.extensions
        if self._opening is not None:
            with self._opening.one(extensions) as extensions:
                return self._send(request, extensions)
        return self._send(request, extensions)

    def _send(self, request: httpx.Request, extensions: dict[str, Any]) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        url = request.url
        sent = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=extensions,
        )
        with _as_httpx_errors():
            answer = self._pool.handle_request(sent)
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_Body(answer.stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _OpeningStreams:
    """Lets one thread at a time open a stream, until its request headers are sent.

    httpcore's sync HTTP/2 connection takes the next stream id and HPACK-encodes the headers
    outside its locks: threads sharing the connection took the same id (h2 then raised
    StreamClosedError, StreamIDTooLowError, "SEND_HEADERS in state 5", and httpcore a KeyError
    in _response_closed), the connection ended and the retries opened a second one
    (tests/integration/test_http2.py; encode/httpx#3072, pydantic/httpx2#1153). Only the
    opening is serialized: answers still come back concurrently on the one connection.
    The turn ends at httpcore's public `trace` event for the sent headers, else when
    the request returns or fails.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def one(self, extensions: dict[str, Any]) -> Iterator[dict[str, Any]]:
        self._lock.acquire()
        held = True
        inner = extensions.get("trace")

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self._lock.release()

        def trace(event: str, info: dict[str, Any]) -> None:
            if inner is not None:
                inner(event, info)
            # "http2.send_request_headers.complete" (or http11., .failed): the id is used.
            if ".send_request_headers." in event and not event.endswith(".started"):
                release()

        try:
            yield {**extensions, "trace": trace}
        finally:
            release()


# httpx's default limits (httpx._config.DEFAULT_LIMITS, private: restated here).
_HTTPX_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


def deadline_transport(
    verify: ssl.SSLContext | str | bool, http2: bool = False
) -> httpx.BaseTransport:
    """httpx's transport behaviour, its sockets bounded by `bounded()`."""
    return DeadlineTransport(verify, http2)


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
