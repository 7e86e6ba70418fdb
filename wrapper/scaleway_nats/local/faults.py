"""Fault injection: an ASGI middleware answering a share of requests with realistic failures.

Kinds (drawn with a seeded ``random.Random`` so a failing test can be replayed):

- ``unavailable``: 503 before doing anything;
- ``throttled``: 429 with ``Retry-After: 1`` before doing anything;
- ``dropped``: the connection is closed mid-response before doing anything;
- ``committed_unavailable`` / ``committed_dropped`` (writes only): the request is fully
  processed and committed, then the client gets a 503 or a dropped connection — the ambiguous
  case a retrying client must handle.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("scaleway_nats.local")

BEFORE = ("unavailable", "throttled", "dropped")
AFTER_COMMIT = ("committed_unavailable", "committed_dropped")
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
ADMIN_PREFIX = "/local/"  # local/admin.py's routes


class InjectedDrop(Exception):
    """Raised after sending headers only: uvicorn then closes the connection (no body)."""


class DropFilter(logging.Filter):
    """Keeps uvicorn from logging our deliberate connection drops as application errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], InjectedDrop))


class FaultStats:
    """Thread-safe counters: requests seen and faults injected, by kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.by_kind = dict.fromkeys(BEFORE + AFTER_COMMIT, 0)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "faults": sum(self.by_kind.values()),
                "faults_by_kind": dict(self.by_kind),
            }


class FaultInjector:
    """Pure ASGI middleware (no buffering of normal responses)."""

    def __init__(self, app: ASGIApp, rate: float, seed: int | None, stats: FaultStats) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, got {rate}")
        self.app = app
        self.rate = rate
        self.stats = stats
        self._rng = random.Random(seed)

    def reseed(self, seed: int | None) -> None:
        """Draw from here on from ``random.Random(seed)``."""
        with self.stats._lock:
            self._rng = random.Random(seed)

    def _draw(self, method: str) -> str | None:
        with self.stats._lock:
            self.stats.requests += 1
            if self.rate == 0.0 or self._rng.random() >= self.rate:
                return None
            kinds = BEFORE + AFTER_COMMIT if method in WRITE_METHODS else BEFORE
            kind = self._rng.choice(kinds)
            self.stats.by_kind[kind] += 1
            return kind

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The emulator's own admin routes are no part of the API under test: never faulted.
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        kind = self._draw(scope["method"])
        if kind is None:
            await self.app(scope, receive, send)
            return
        log.info("injected fault %s on %s %s", kind, scope["method"], scope["path"])
        if kind in AFTER_COMMIT:

            async def swallow(message: Message) -> None:
                pass  # the real response is lost: the client only sees the fault below

            await self.app(scope, receive, swallow)
        else:
            await _drain(receive)
        if kind.endswith("dropped"):
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
                }
            )
            if scope.get("http_version") == "2":
                # Hypercorn leaves an HTTP/2 stream open when the app raises after the
                # headers: the client would wait for its timeout, not see a drop. A stream
                # ended short of its content-length is what a dropped one looks like to it.
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            raise InjectedDrop(kind)
        if kind == "throttled":
            status, extra = 429, [(b"retry-after", b"1")]
            body = {"type": "too_many_requests", "message": "too many requests, retry later"}
        else:
            status, extra = 503, []
            body = {"type": "service_unavailable", "message": "service is unavailable"}
        raw = json.dumps(body).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
            *extra,
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": raw})


async def _drain(receive: Receive) -> None:
    """Read the request's body to its end before answering without the app. Answering first
    closes an HTTP/2 stream the client is still sending on, and Hypercorn then fails the whole
    connection on the late DATA frames (an unhandled KeyError: pgjones/hypercorn#329). A
    gateway's 503 reads the request too. Each chunk is dropped as it comes: nothing is held."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
