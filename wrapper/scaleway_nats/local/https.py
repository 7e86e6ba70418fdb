"""The emulator's API over HTTPS, HTTP/2 and HTTP/1.1 negotiated by ALPN, served by Hypercorn.

Scaleway's API gateway answers HTTP/2 over TLS; `LocalScaleway(tls=True)` does the same with a
certificate from the emulator's CA (``tls.py``: the ``ca_file`` NATS clients already trust).

Why Hypercorn: the well-kept ASGI server that speaks HTTP/2 (h2 by ALPN, alongside HTTP/1.1
on the same port, on the h2/h11 libraries), pure Python on asyncio, so it runs in a thread like
the plain-HTTP server; maintained by the author of Quart under the Pallets umbrella (0.18.0,
2025-11). uvicorn, kept for plain HTTP where it answers faster (0.73 vs 0.92 ms per sequential
get on loopback here), has no HTTP/2; granian has it, but brings its own Rust runtime and
worker processes rather than an asyncio loop we can run in our thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import ssl
import sys
import threading
import time
from typing import Any, cast

from hypercorn.asyncio import serve
from hypercorn.config import Config
from hypercorn.typing import ASGIFramework
from starlette.types import ASGIApp

from .faults import InjectedDrop
from .tls import TlsFiles

log = logging.getLogger("scaleway_nats.local")


class _ConnectionEndFilter(logging.Filter):
    """Hypercorn's own "Error in ASGI Framework" for what is no server error: an injected drop
    (raised out of the app on purpose; uvicorn's are filtered likewise) or a connection's
    normal end, such as TLS closed under a recycled connection's last frames."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return error is None or not (
            isinstance(error, InjectedDrop) or _ends_of_a_connection(error)
        )


server_log = logging.getLogger("scaleway_nats.local.https")  # Hypercorn's error log
server_log.addFilter(_ConnectionEndFilter())

START_TIMEOUT = 10.0  # seconds until the server completes a TLS handshake
STOP_TIMEOUT = 10.0  # seconds for open connections to finish once stopping
KEEP_ALIVE = 30.0  # seconds an idle connection stays open, as the plain-HTTP server's


class HttpsServer:
    """Serve `app` on the listening socket `sock` over TLS (h2 and http/1.1), in a thread.

    A connection is ended gracefully after `max_requests` requests (None: never): HTTP/2 by a
    GOAWAY frame, HTTP/1.1 by `Connection: close` on the last answer.
    """

    def __init__(
        self,
        app: ASGIApp,
        sock: socket.socket,
        tls: TlsFiles,
        max_requests: int | None = None,
    ) -> None:
        self._app = app
        self._sock = sock
        self._tls = tls
        self._max_requests = max_requests
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _config(self) -> Config:
        config = Config()
        # The socket already listens (our port; IPPROTO_TCP so that TCP_NODELAY is set):
        # Hypercorn gets a duplicate, which it closes when it stops; we close the original.
        config.bind = [f"fd://{os.dup(self._sock.fileno())}"]
        config.certfile = str(self._tls.cert_file)
        config.keyfile = str(self._tls.key_file)
        config.alpn_protocols = ["h2", "http/1.1"]
        config.keep_alive_timeout = KEEP_ALIVE
        if self._max_requests is not None:
            config.keep_alive_max_requests = self._max_requests
        else:  # Hypercorn takes a number only: one no connection reaches
            config.keep_alive_max_requests = sys.maxsize
        config.graceful_timeout = STOP_TIMEOUT / 2
        config.accesslog = None  # never log request lines
        config.errorlog = server_log
        config.loglevel = "WARNING"
        return config

    def start(self) -> None:
        """Start serving; return once a TLS handshake succeeds (or raise RuntimeError)."""
        config = self._config()
        self._thread = threading.Thread(
            target=self._run, args=(config,), name="scaleway-api-https", daemon=True
        )
        self._thread.start()
        host, port = self._sock.getsockname()[:2]
        context = ssl.create_default_context(cafile=str(self._tls.ca_file))
        deadline = time.monotonic() + START_TIMEOUT
        while True:  # bounded by START_TIMEOUT
            if not self._thread.is_alive():
                raise RuntimeError(f"the emulator's HTTPS server stopped: {self._error!r}")
            try:
                with (
                    socket.create_connection((host, port), timeout=1.0) as probe,
                    context.wrap_socket(probe, server_hostname=host),
                ):
                    return
            except (OSError, ssl.SSLError):
                if time.monotonic() > deadline:
                    raise RuntimeError("the emulator's HTTPS server did not start") from None
                time.sleep(0.01)

    def _run(self, config: Config) -> None:
        loop = self._loop = asyncio.new_event_loop()
        loop.set_exception_handler(_quiet_connection_ends)
        try:
            loop.run_until_complete(self._serve(config))
        except BaseException as error:  # reported by start() / stop()
            self._error = error
        finally:
            loop.close()

    async def _serve(self, config: Config) -> None:
        self._stopping = asyncio.Event()
        # Starlette's and Hypercorn's names for the same ASGI 3 interface
        app = cast("ASGIFramework", self._app)
        await serve(app, config, shutdown_trigger=self._stopping.wait, mode="asgi")

    def stop(self) -> None:
        """Stop accepting and close connections; idempotent, bounded by STOP_TIMEOUT."""
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                loop.call_soon_threadsafe(stopping.set)
        if thread is not None:
            thread.join(STOP_TIMEOUT)
        self._thread = None
        self._sock.close()


def _ends_of_a_connection(error: BaseException) -> bool:
    """Whether `error` (a group: each of its errors) is how a connection ends: TLS and
    socket errors, and the cancelled tasks of its streams."""
    inner = getattr(error, "exceptions", None)  # an exception group (3.11+ or its backport)
    if isinstance(inner, tuple) and inner:
        return all(_ends_of_a_connection(each) for each in inner)
    if isinstance(error, RuntimeError) and "is shutting down" in str(error):
        return True  # Hypercorn's TaskGroup refusing new streams on a closing connection
    return isinstance(error, ssl.SSLError | OSError | asyncio.CancelledError)


def _quiet_connection_ends(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Log a connection's end in one line, not a traceback.

    When a connection is recycled (GOAWAY after `max_requests`) or a client hangs up, asyncio
    reports Hypercorn's connection task ending with the streams still on it cancelled and,
    often, `SSL: APPLICATION_DATA_AFTER_CLOSE_NOTIFY` (the client's last frames crossing the
    TLS close): normal ends, printed as tracebacks by asyncio's default handler. Anything
    else still goes to that handler.
    """
    error = context.get("exception")
    if error is not None and _ends_of_a_connection(error):
        log.debug("HTTPS connection ended: %s: %s", type(error).__name__, error)
        return
    loop.default_exception_handler(context)
