"""What a retry policy decides: which failures are retried, how long to pause, the clock.

What may be retried depends on whether a failed request may have taken effect:
- 429 and connection failures before sending took no effect: always retried;
- 5xx and connections dropped after sending are *ambiguous*: retried only for
  idempotent calls (GET, PATCH of a name, DELETE); for creates the client first
  looks for what the lost request may have created (reconciliation).

The loop that applies these rules is `_async/requester.py` (and its generated sync twin).
Hand-written rather than taken from tenacity or stamina because reconciliation must run
between attempts; the policy itself is a dozen lines.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextvars import ContextVar
from typing import Protocol

import attrs

from .errors import (
    NotFoundError,
    PermissionsDeniedError,
    RateLimitedError,
    ScalewayError,
    ServerError,
    TransportError,
)

__all__ = [
    "CALL_DEADLINE",
    "Clock",
    "Created",
    "Fresh",
    "RetryPolicy",
    "Stats",
    "SystemClock",
    "is_ambiguous",
    "is_propagating",
    "is_retryable",
    "note_attempts",
]

log = logging.getLogger("scaleway_nats")

# When the outermost call in progress must end (a clock.monotonic() value): the calls it makes
# (a reconciliation's list calls) end by it too. A ContextVar follows asyncio tasks; the sync
# backend's threads are given a copy of the context.
CALL_DEADLINE: ContextVar[float | None] = ContextVar("scaleway_nats_call_deadline", default=None)


class Clock(Protocol):
    """Where the retry loop reads the time and waits: injectable, so tests wait for nothing."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: time.monotonic, time.sleep and asyncio.sleep."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@attrs.frozen
class RetryPolicy:
    """How often and how long to retry one call."""

    max_retries: int = 5
    backoff_base: float = 0.2  # seconds before the first retry, at most
    backoff_max: float = 8.0  # cap of one pause
    deadline: float = 60.0  # seconds for the whole call, attempts in flight included
    # How long after this client created a resource a 404/403 naming it is taken for
    # Scaleway still propagating it, and retried: terraform-provider-scaleway retries
    # those reads for 30 s (internal/services/mnq/helpers_mnq_retry.go).
    propagation_window: float = 30.0
    rng: random.Random = attrs.field(factory=random.Random, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")

    def pause(self, retry: int, error: ScalewayError) -> float:
        """Seconds to wait before retry number `retry` (0-based)."""
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            # Honour the server, plus a little jitter so clients do not return in step.
            return error.retry_after + self.rng.uniform(0, min(1.0, self.backoff_base))
        ceiling = min(self.backoff_max, self.backoff_base * (2**retry))
        return self.rng.uniform(0, ceiling)  # "full jitter"


def is_ambiguous(error: ScalewayError) -> bool:
    """True when the failed request may nevertheless have been carried out."""
    if isinstance(error, TransportError):
        return error.request_was_sent
    return isinstance(error, ServerError)


def is_propagating(error: ScalewayError) -> bool:
    """A 404 or 403 (not a quota) that Scaleway gives for a resource created a moment ago."""
    return isinstance(error, NotFoundError | PermissionsDeniedError)


def is_retryable(error: ScalewayError) -> bool:
    return isinstance(error, RateLimitedError | ServerError | TransportError)


@attrs.frozen
class Fresh:
    """A resource the call names that this client created recently, and until when a
    404/403 for it is taken for propagation (a time.monotonic() value)."""

    what: str  # e.g. "NATS account A..."
    created: float
    until: float
    clock: Clock = attrs.field(factory=SystemClock, eq=False, repr=False)
    # Asked again at each 404/403: a concurrent delete (of it, or of its account) may have
    # made the answer the truth since the call started.
    still_known: Callable[[], bool] = attrs.field(default=lambda: True, eq=False, repr=False)

    def age(self) -> float:
        return self.clock.monotonic() - self.created


class Created:
    """Ids this client created, with when (thread-safe; entries expire after `window`).

    Credentials remember their account: deleting the account forgets them too, so that a
    404 for credentials that went with their account is the truth, not propagation. Each id
    remembers its region too: regions are separate, so a 404 from another one is the truth.
    """

    def __init__(self, window: float, clock: Clock | None = None) -> None:
        self._window = window
        self._clock = clock or SystemClock()
        self._when: dict[str, tuple[str, float, str | None, str | None]] = {}
        self._lock = threading.Lock()

    def add(
        self, resource_id: str, what: str, parent: str | None = None, region: str | None = None
    ) -> None:
        now = self._clock.monotonic()
        with self._lock:
            # Drop expired entries: memory stays bounded by what a window can hold.
            expired = [k for k, (_, t, _, _) in self._when.items() if now - t >= self._window]
            for key in expired:
                del self._when[key]
            self._when[resource_id] = (what, now, parent, region)

    def forget(self, resource_id: str) -> None:
        """Forget `resource_id` and what was created inside it."""
        with self._lock:
            self._when.pop(resource_id, None)
            inside = [k for k, (_, _, parent, _) in self._when.items() if parent == resource_id]
            for key in inside:
                del self._when[key]

    def fresh(self, *resource_ids: str | None, region: str | None = None) -> Fresh | None:
        """The youngest of `resource_ids` this client created within the window (in `region`,
        when given), if any."""
        now = self._clock.monotonic()
        with self._lock:
            entries = [self._when[i] for i in resource_ids if i is not None and i in self._when]
            found = [e[:2] for e in entries if region is None or e[3] in (None, region)]
        young = [(what, t) for what, t in found if now - t < self._window]
        if not young:
            return None
        what, created = max(young, key=lambda item: item[1])
        known = [i for i in resource_ids if i is not None]

        def still_known() -> bool:
            with self._lock:
                return any(i in self._when for i in known)

        return Fresh(what, created, created + self._window, self._clock, still_known)


def note_attempts(error: ScalewayError, attempts: int, elapsed: float) -> None:
    """Record on the error how hard this call tried (shown in its message)."""
    if error.attempts is None:  # a nested call's error keeps its own count
        error.attempts, error.elapsed = attempts, elapsed


class Stats:
    """Requests sent, retries, reconciliations... (thread-safe: the sync pager uses threads)."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)
