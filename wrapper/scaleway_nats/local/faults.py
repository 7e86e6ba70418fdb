"""Fault injection: an ASGI middleware answering requests with realistic failures.

Two sources, one layer: a share ``rate`` of requests drawn at random (a seeded
``random.Random``, so a failing run can be replayed), and scripted one-shot faults
(``FaultInjector.script``), each taken by the first request matching its method and path, ahead
of the draw: what a test uses to fail exactly the request it means. Random kinds:

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
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("scaleway_nats.local")

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
ADMIN_PREFIX = "/local/"  # local/admin.py's routes


@dataclass(frozen=True)
class Fault:
    """One failure: an answer (``status``) or a dropped connection (``status`` None), sent
    before the request is processed or, ``committed``, after it was (its answer lost).

    ``method`` / ``path_contains`` restrict which request a scripted fault takes (None: any);
    ``body`` None is the status's usual Scaleway body (``default_body``).
    """

    status: int | None = 503
    committed: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    body: Mapping[str, Any] | None = None
    method: str | None = None
    path_contains: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and (
            self.path_contains is None or self.path_contains in path
        )


KINDS = {
    "unavailable": Fault(503),
    "throttled": Fault(429, headers=(("retry-after", "1"),)),
    "dropped": Fault(None),
    "committed_unavailable": Fault(503, committed=True),
    "committed_dropped": Fault(None, committed=True),
}
# The random kinds by when they strike, in KINDS' order (a seed draws the same kinds from it).
BEFORE = tuple(kind for kind, fault in KINDS.items() if not fault.committed)
AFTER_COMMIT = tuple(kind for kind, fault in KINDS.items() if fault.committed)


def default_body(status: int) -> dict[str, Any]:
    """The error body of an injected answer: Scaleway's for 429 and 503, ours otherwise."""
    if status == 429:
        return {"type": "too_many_requests", "message": "too many requests, retry later"}
    if status == 503:
        return {"type": "service_unavailable", "message": "service is unavailable"}
    return {"type": "injected_fault", "message": f"injected fault: status {status}"}


class InjectedDrop(Exception):
    """Raised after sending headers only: uvicorn then closes the connection (no body).

    ``fault`` is the scripted fault dropped (None for a random one).
    """

    def __init__(self, kind: str, fault: Fault | None = None) -> None:
        super().__init__(kind)
        self.fault = fault


class DropFilter(logging.Filter):
    """Keeps uvicorn from logging our deliberate connection drops as application errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], InjectedDrop))


class FaultStats:
    """Thread-safe counters: requests seen and faults injected, by kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.by_kind = dict.fromkeys(BEFORE + AFTER_COMMIT, 0)  # the random draws
        self.scripted = 0

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "faults": sum(self.by_kind.values()) + self.scripted,
                "faults_by_kind": dict(self.by_kind),
                "scripted_faults": self.scripted,
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
        self._script: deque[Fault] = deque()

    def script(self, *faults: Fault) -> None:
        """Queue one-shot faults: each fails the first request it matches, then is gone."""
        with self.stats._lock:
            self._script.extend(faults)

    def scripted(self) -> list[Fault]:
        """The scripted faults no request has taken yet, in order."""
        with self.stats._lock:
            return list(self._script)

    def reseed(self, seed: int | None) -> None:
        """Draw from here on from ``random.Random(seed)``."""
        with self.stats._lock:
            self._rng = random.Random(seed)

    def _draw(self, method: str, path: str) -> tuple[str, Fault] | None:
        """The fault for this request: the first scripted one it matches, else a random draw."""
        with self.stats._lock:
            self.stats.requests += 1
            for fault in self._script:
                if fault.matches(method, path):
                    self._script.remove(fault)
                    self.stats.scripted += 1
                    return "scripted", fault
            if self.rate == 0.0 or self._rng.random() >= self.rate:
                return None
            kinds = BEFORE + AFTER_COMMIT if method in WRITE_METHODS else BEFORE
            kind = self._rng.choice(kinds)
            self.stats.by_kind[kind] += 1
            return kind, KINDS[kind]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The emulator's own admin routes are no part of the API under test: never faulted.
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        drawn = self._draw(scope["method"], scope["path"])
        if drawn is None:
            await self.app(scope, receive, send)
            return
        kind, fault = drawn
        log.info("injected fault %s on %s %s", kind, scope["method"], scope["path"])
        if fault.committed:

            async def swallow(message: Message) -> None:
                pass  # the real response is lost: the client only sees the fault below

            await self.app(scope, receive, swallow)
        else:
            await _drain(receive)
        if fault.status is None:
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
            raise InjectedDrop(kind, fault if kind == "scripted" else None)
        body = default_body(fault.status) if fault.body is None else dict(fault.body)
        raw = json.dumps(body).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
            *((name.lower().encode(), value.encode()) for name, value in fault.headers),
        ]
        await send({"type": "http.response.start", "status": fault.status, "headers": headers})
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
