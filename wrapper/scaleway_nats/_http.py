"""What both clients build their HTTP layer from: the generated client, TLS, User-Agent.

Flavour-free (no I/O); `_backend.py` sends, `_async/` and `_sync/` hold the clients.
"""

from __future__ import annotations

import functools
import importlib.util
import ssl
from typing import Any

import certifi
import httpx

from scaleway_nats_api.client import AuthenticatedClient

from ._version import __version__
from .config import Config
from .errors import ConfigurationError

__all__ = [
    "USER_AGENT",
    "GeneratedClient",
    "StreamTrace",
    "as_transport_error",
    "build_generated_client",
    "graceful_goaway",
    "shared_ssl_context",
]

USER_AGENT = f"scaleway-nats/{__version__} (+python; httpx/{httpx.__version__})"


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying context per process: httpx builds one per client otherwise (~30 ms each,
    loading the certifi bundle), which dominated short-lived clients such as the CLI's."""
    return ssl.create_default_context(cafile=certifi.where())


class GeneratedClient(AuthenticatedClient):
    """The generated client, with a repr that keeps the secret key out.

    The generated attrs repr prints `token` and the headers (X-Auth-Token included, once the
    httpx client exists): the secret key would show in any traceback, debugger or log that
    formats the object (found by tests/reliability/test_secrets.py).
    """

    def __repr__(self) -> str:
        return f"AuthenticatedClient(base_url={self._base_url!r})"


def require_http2(http2: bool) -> None:
    """HTTP/2 needs the `h2` package (httpx's `http2` extra): say so before anything is built."""
    if http2 and importlib.util.find_spec("h2") is None:
        raise ConfigurationError("http2=True needs the 'h2' package: pip install 'httpx[http2]'")


def build_generated_client(
    config: Config,
    *,
    timeout: float,
    verify: ssl.SSLContext | str | bool,
    http2: bool,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
) -> GeneratedClient:
    """The generated client, authenticated with the secret key, over `transport`."""
    httpx_args: dict[str, Any] = {"http2": http2}
    if transport is not None:
        httpx_args["transport"] = transport
    return GeneratedClient(
        base_url=config.api_url,
        token=config.secret_key or "",
        prefix="",
        auth_header_name="X-Auth-Token",
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(timeout),
        verify_ssl=verify,
        httpx_args=httpx_args,
    )


class StreamTrace:
    """The HTTP/2 stream a request was sent on, learnt from httpcore's public `trace`
    request extension (its "http2.send_request_headers.started" event carries `stream_id`).

    `trace` is the sync callback, `atrace` the async one (httpcore awaits it there), as
    httpcore's own Trace names them.
    """

    def __init__(self) -> None:
        self.stream_id: int | None = None

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event == "http2.send_request_headers.started":
            self.stream_id = info.get("stream_id")

    async def atrace(self, event: str, info: dict[str, Any]) -> None:
        self.trace(event, info)


def graceful_goaway(failure: BaseException) -> int | None:
    """`last_stream_id` of the graceful GOAWAY (error code NO_ERROR) that ended `failure`'s
    connection, if that is what it reports; else None.

    httpcore raises RemoteProtocolError(<h2 ConnectionTerminated event>) for a stream on a
    connection the server ended, and httpx re-raises it `from` that error: the event (public
    h2 API) is the first argument of an error in the chain. RFC 9113 section 6.8: streams above
    `last_stream_id` were not processed; with NO_ERROR the server is shutting down, not failing.
    """
    try:
        from h2.events import ConnectionTerminated
    except ImportError:  # no h2: no HTTP/2, no GOAWAY
        return None
    seen: set[int] = set()
    error: BaseException | None = failure
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        for arg in error.args:
            if isinstance(arg, ConnectionTerminated) and arg.error_code == 0:
                return arg.last_stream_id if arg.last_stream_id is not None else 0
        error = error.__cause__ or error.__context__
    return None


def as_transport_error(failure: Exception) -> httpx.TransportError | None:
    """`failure` as an httpx transport error, if it is one or an h2 protocol error that
    httpcore let through unmapped (an HTTP/2 answer whose stream ended short of its
    Content-Length raises h2's InvalidBodyLengthError as it is); else None.
    """
    if isinstance(failure, httpx.TransportError):
        return failure
    try:
        from h2.exceptions import ProtocolError
    except ImportError:  # no h2: no HTTP/2, no h2 errors
        return None
    if isinstance(failure, ProtocolError):
        mapped = httpx.RemoteProtocolError(f"{type(failure).__name__}: {failure}")
        mapped.__cause__ = failure
        return mapped
    return None
